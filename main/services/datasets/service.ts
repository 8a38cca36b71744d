/**
 * Dataset management over a workspace: import (streamed, validated, atomic), list, show,
 * preview pages, rename, delete, seeded splits, export, and the built-in datasets.
 *
 * Atomicity: an import is written into `.staging/<pid>-<rand>/` and becomes visible only when that
 * folder is renamed into `datasets/<id>/`. Data files are immutable and uniquely named; a
 * manifest rewrite (atomic) is the commit point of every later change. A killed process therefore
 * leaves either the old dataset or the new one, and the next start sweeps the leftovers.
 */
import { mkdir, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { createHash } from 'node:crypto';
import type {
  BuiltinDataset,
  DatasetList,
  DatasetManifest,
  DatasetSummary,
  EmptySegmentsRecord,
  FileDigest,
  NormalisationRecord,
  PreviewPage,
  SplitInfo,
  TaskKind,
} from '../../../shared/api/types';
import type { ImportRequest } from '../../../shared/api/schemas';
import { TEMP_PREFIX, fsyncDirectory, writeJsonAtomic, writeFileAtomic } from '../workspace/atomic';
import type { Workspace } from '../workspace/workspace';
import { linkProblem } from '../workspace/workspace';
import type { JobContext } from '../jobs/jobs';
import { SplitWriter, iterateRows, readRows } from './split-file';
import type { Row } from './split-file';
import { readDataset } from './importers';
import type { ImportSpec } from './importers/types';
import { manifestSchema, builtinCardSchema } from './manifest';
import type { BuiltinCard } from './manifest';
import { NotFoundError, BadRequestError } from '../errors';

/** Default per-file import limit (documented in the README): 2 GiB. */
export const DEFAULT_MAX_IMPORT_BYTES = 2 * 1024 ** 3;

export interface ResolvedFile {
  /** Absolute path to read. */
  path: string;
  /** How to name the file to the user (what they typed, or the uploaded file's name). */
  display?: string;
}

/** Rewrites resolved paths in an import error back to the names the user knows. */
export function renameFilesInError(error: unknown, files: ResolvedFile[]): unknown {
  if (!(error instanceof Error) || error.name !== 'DatasetImportError') return error;
  const e = error as Error & { file?: string };
  for (const f of files) {
    if (!f.display || f.display === f.path) continue;
    e.message = e.message.split(f.path).join(f.display);
    if (e.file === f.path) e.file = f.display;
  }
  return e;
}

export interface DatasetServiceOptions {
  /** Folder holding the built-in datasets (`datasets/` of the app). */
  builtinDir: string;
  maxImportBytes?: number;
  /** Called after every change so hosts can push `datasets:changed`. */
  onChanged?: (reason: string) => void;
}

export function slugify(name: string): string {
  const slug = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60);
  return slug || 'dataset';
}

function tag(): string {
  return randomBytes(3).toString('hex');
}

export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

export class DatasetService {
  readonly maxImportBytes: number;

  constructor(
    readonly workspace: Workspace,
    private readonly options: DatasetServiceOptions,
  ) {
    this.maxImportBytes = options.maxImportBytes ?? DEFAULT_MAX_IMPORT_BYTES;
  }

  private dir(id: string): string {
    return join(this.workspace.datasetsDir, id);
  }

  /** Lists datasets; manifests that fail to parse are reported and left untouched. */
  async list(): Promise<DatasetList> {
    const datasets: DatasetSummary[] = [];
    const broken: DatasetList['broken'] = [];
    const entries = await readdir(this.workspace.datasetsDir, { withFileTypes: true });
    for (const entry of entries) {
      if (entry.isSymbolicLink() && !entry.name.startsWith('.')) {
        broken.push({ folder: entry.name, problem: linkProblem('datasets', entry.name) });
        continue;
      }
      if (!entry.isDirectory() || entry.name.startsWith('.')) continue;
      const result = await this.readManifest(entry.name);
      if ('problem' in result) broken.push({ folder: entry.name, problem: result.problem });
      else datasets.push(summarise(result.manifest));
    }
    datasets.sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
    return { datasets, broken };
  }

  private async readManifest(
    id: string,
  ): Promise<{ manifest: DatasetManifest } | { problem: string }> {
    const file = join(this.dir(id), 'manifest.json');
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch {
      return { problem: `datasets/${id}/manifest.json is missing or unreadable` };
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      return {
        problem: `datasets/${id}/manifest.json is not valid JSON (${(error as Error).message}); fix or remove the folder by hand — EcoEval will not overwrite it`,
      };
    }
    const parsed = manifestSchema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return {
        problem: `datasets/${id}/manifest.json does not match schema 1 (${issue.path.join('.') || 'root'}: ${issue.message}); EcoEval will not overwrite it`,
      };
    }
    if (parsed.data.id !== id) {
      return {
        problem: `datasets/${id}/manifest.json names id "${parsed.data.id}", not its folder`,
      };
    }
    return { manifest: parsed.data as DatasetManifest };
  }

  async get(id: string): Promise<DatasetManifest> {
    const result = await this.readManifest(id);
    if ('manifest' in result) return result.manifest;
    if (result.problem.includes('missing')) throw new NotFoundError(`No dataset with id "${id}".`);
    throw new BadRequestError(result.problem);
  }

  /** The id for a new dataset named `base`: `base`, else `base-2`, `base-3`… (under the lock). */
  private async uniqueId(base: string): Promise<string> {
    const existing = new Set(await readdir(this.workspace.datasetsDir));
    if (!existing.has(base)) return base;
    for (let n = 2; ; n++) if (!existing.has(`${base}-${n}`)) return `${base}-${n}`;
  }

  /**
   * Imports one split from user files. `resolve` turns a request's file reference into a path
   * (checked by the host: a real path on this machine, or an upload in the workspace).
   */
  async import(
    request: ImportRequest,
    resolve: (ref: NonNullable<ImportRequest['sourceFile']>) => Promise<ResolvedFile>,
    job: JobContext,
  ): Promise<DatasetManifest> {
    const files = {
      source: request.sourceFile ? await resolve(request.sourceFile) : undefined,
      references: await Promise.all(request.referenceFiles.map(resolve)),
      file: request.file ? await resolve(request.file) : undefined,
    };
    if (request.kind === 'system-outputs' && request.against)
      await this.get(request.against.dataset);
    const spec: ImportSpec = {
      format: request.format,
      kind: request.kind,
      maxBytes: this.maxImportBytes,
      ...(files.source ? { sourceFile: files.source.path } : {}),
      ...(request.format === 'text' ? { referenceFiles: files.references.map((f) => f.path) } : {}),
      ...(files.file ? { file: files.file.path } : {}),
      ...(request.mapping ? { mapping: request.mapping } : {}),
      ...(request.quoting ? { quoting: request.quoting } : {}),
    };
    const resolved = [files.source, ...files.references, files.file].filter(
      (f): f is ResolvedFile => f !== undefined,
    );
    const inputPaths = resolved.map((f) => f.path);
    return this.importSplits(
      {
        name: request.name,
        kind: request.kind,
        description: request.description,
        builtin: false,
        ...(request.languages ? { languages: request.languages } : {}),
        ...(request.against ? { against: request.against } : {}),
        idBase: slugify(request.name),
      },
      [{ split: request.split, spec, inputPaths }],
      job,
      new Map(resolved.map((f) => [f.path, basename(f.display ?? f.path)])),
    ).catch((error: unknown) => {
      throw renameFilesInError(error, resolved);
    });
  }

  /** Shared by user imports and built-in installs: streams each split into staging, then commits. */
  private async importSplits(
    meta: {
      name: string;
      kind: TaskKind;
      description: string;
      builtin: boolean;
      languages?: DatasetManifest['languages'];
      against?: DatasetManifest['against'];
      idBase: string;
    },
    splits: { split: string; spec: ImportSpec; inputPaths: string[] }[],
    job: JobContext,
    displayNames: Map<string, string> = new Map(),
  ): Promise<DatasetManifest> {
    // Manifests name files the way the user knows them, never by staging or upload paths.
    const shown = (path: string) => displayNames.get(path) ?? basename(path);
    const totalBytes = (
      await Promise.all(
        splits.flatMap((s) =>
          s.inputPaths.map((p) =>
            stat(p).then(
              (i) => i.size,
              () => 0,
            ),
          ),
        ),
      )
    ).reduce((a, b) => a + b, 0);
    const staging = join(
      this.workspace.stagingDir,
      `${process.pid}-${randomBytes(6).toString('hex')}`,
    );
    await mkdir(staging, { recursive: true });
    const writers: SplitWriter[] = [];
    try {
      const splitInfos: SplitInfo[] = [];
      const normalisation: NormalisationRecord[] = [];
      const emptySegments: EmptySegmentsRecord[] = [];
      let bytesSeen = 0;
      let references = -1;
      for (const { split, spec } of splits) {
        const writer = await SplitWriter.create(split, staging, `${split}-${tag()}.jsonl`);
        writers.push(writer);
        const reader = readDataset(spec, job.signal);
        for (;;) {
          job.throwIfCancelled();
          const next = await reader.next();
          if (next.done) {
            const report = next.value;
            for (const n of report.normalisation) normalisation.push({ ...n, file: shown(n.file) });
            for (const empty of report.emptySegments) {
              const field = spec.format === 'text' ? shown(empty.field) : empty.field;
              if (empty.count > 0) emptySegments.push({ split, ...empty, field });
            }
            break;
          }
          const rows = next.value.rows as Row[];
          // List-valued reference fields may give rows different reference counts: keep the most.
          for (const row of rows)
            if (row.references.length > references) references = row.references.length;
          await writer.write(rows);
          for (const row of rows) {
            bytesSeen += row.source.length + 1;
            for (const r of row.references) bytesSeen += r.length + 1;
          }
          job.progress(Math.min(bytesSeen, totalBytes), totalBytes);
        }
        splitInfos.push(await writer.finish());
      }
      const digests: FileDigest[] = [];
      for (const path of splits.flatMap((s) => s.inputPaths)) {
        const info = await stat(path);
        digests.push({ name: shown(path), bytes: info.size, sha256: await sha256File(path) });
        job.throwIfCancelled();
      }
      job.throwIfCancelled();
      const now = new Date().toISOString();
      const firstSpec = splits[0].spec;
      return await this.workspace.lock.withLock(`import of "${meta.name}"`, async () => {
        if (meta.builtin) {
          // Another process installed this built-in meanwhile: one copy, not "<id>-2".
          const installed = await this.readManifest(meta.idBase);
          if ('manifest' in installed && installed.manifest.builtin) {
            await rm(staging, { recursive: true, force: true });
            return installed.manifest;
          }
        }
        // Chosen here, under the lock: two processes importing one name at once get "name" and
        // "name-2", exactly as one import after the other would.
        const id = await this.uniqueId(meta.idBase);
        const manifest: DatasetManifest = {
          schema: 1,
          id,
          name: meta.name,
          kind: meta.kind,
          description: meta.description,
          createdAt: now,
          updatedAt: now,
          builtin: meta.builtin,
          ...(meta.languages ? { languages: meta.languages } : {}),
          references: Math.max(0, references),
          ...(meta.against ? { against: meta.against } : {}),
          source: {
            format: firstSpec.format,
            files: digests,
            ...(firstSpec.mapping ? { mapping: firstSpec.mapping } : {}),
          },
          splits: splitInfos,
          normalisation,
          emptySegments,
        };
        await writeJsonAtomic(join(staging, 'manifest.json'), manifest);
        await fsyncDirectory(staging);
        await rename(staging, this.dir(id));
        await fsyncDirectory(this.workspace.datasetsDir);
        this.options.onChanged?.('import');
        return manifest;
      });
    } catch (error) {
      for (const writer of writers) await writer.abort();
      await rm(staging, { recursive: true, force: true });
      throw error;
    }
  }

  async preview(request: {
    dataset: string;
    split: string;
    offset: number;
    limit: number;
  }): Promise<PreviewPage> {
    const manifest = await this.get(request.dataset);
    const split = findSplit(manifest, request.split);
    const { total, rows } = await readRows(
      join(this.dir(manifest.id), split.file),
      request.offset,
      request.limit,
    );
    return {
      dataset: manifest.id,
      split: split.name,
      offset: request.offset,
      total,
      rows: rows.map((row, i) => ({ line: request.offset + i + 1, ...row })),
    };
  }

  /** Reads a whole split (metrics, training); for large splits prefer `iterate`. */
  async readSplit(dataset: string, split: string): Promise<Row[]> {
    const rows: Row[] = [];
    for await (const batch of this.iterate(dataset, split)) rows.push(...batch);
    return rows;
  }

  async *iterate(dataset: string, split: string): AsyncGenerator<Row[]> {
    const manifest = await this.get(dataset);
    yield* iterateRows(join(this.dir(manifest.id), findSplit(manifest, split).file));
  }

  async rename(id: string, name: string): Promise<DatasetManifest> {
    return this.workspace.lock.withLock(`rename of ${id}`, async () => {
      const manifest = await this.get(id);
      const updated = { ...manifest, name, updatedAt: new Date().toISOString() };
      await writeJsonAtomic(join(this.dir(id), 'manifest.json'), updated);
      this.options.onChanged?.('rename');
      return updated;
    });
  }

  /** Deletes a dataset: one atomic rename makes it disappear, then its files are removed. */
  async delete(id: string): Promise<{ deleted: string }> {
    return this.workspace.lock.withLock(`delete of ${id}`, async () => {
      await stat(this.dir(id)).catch(() => {
        throw new NotFoundError(`No dataset with id "${id}".`);
      });
      const trash = join(
        this.workspace.datasetsDir,
        `${TEMP_PREFIX}deleted-${id}-${process.pid}-${randomBytes(4).toString('hex')}`,
      );
      await rename(this.dir(id), trash);
      await fsyncDirectory(this.workspace.datasetsDir);
      await rm(trash, { recursive: true, force: true });
      this.options.onChanged?.('delete');
      return { deleted: id };
    });
  }

  /**
   * Makes train/valid/test splits from one split with a seeded shuffle (mulberry32 +
   * Fisher–Yates), recording the seed and ratios so anyone can reproduce it.
   */
  async split(
    request: {
      dataset: string;
      from: string;
      seed: number;
      ratios: { train: number; valid: number; test: number };
    },
    job: JobContext,
  ): Promise<DatasetManifest> {
    const manifest = await this.get(request.dataset);
    const source = findSplit(manifest, request.from);
    const targets = (['train', 'valid', 'test'] as const).filter((n) => request.ratios[n] > 0);
    const clash = targets.find(
      (n) => n !== source.name && manifest.splits.some((s) => s.name === n),
    );
    if (clash) {
      throw new BadRequestError(
        `Dataset "${manifest.id}" already has a "${clash}" split; delete it or split into a copy.`,
      );
    }
    const rows = await this.readSplit(manifest.id, source.name);
    const order = seededPermutation(rows.length, request.seed);
    const sum = request.ratios.train + request.ratios.valid + request.ratios.test;
    const counts = {
      valid: Math.round((rows.length * request.ratios.valid) / sum),
      test: Math.round((rows.length * request.ratios.test) / sum),
    };
    const ranges: Record<string, [number, number]> = {
      test: [0, counts.test],
      valid: [counts.test, counts.test + counts.valid],
      train: [counts.test + counts.valid, rows.length],
    };
    const dir = this.dir(manifest.id);
    // Written out of sight: a file in the dataset's folder that its manifest does not name is
    // garbage to the next commit — another process's split would delete these half-way.
    const staging = join(
      this.workspace.stagingDir,
      `${process.pid}-split-${randomBytes(6).toString('hex')}`,
    );
    await mkdir(staging, { recursive: true });
    try {
      const infos: SplitInfo[] = [];
      for (const name of targets) {
        job.throwIfCancelled();
        const writer = await SplitWriter.create(name, staging, `${name}-${tag()}.jsonl`);
        const [from, to] = ranges[name];
        const selected: Row[] = [];
        for (let i = from; i < to; i++) selected.push(rows[order[i]]);
        await writer.write(selected);
        infos.push(await writer.finish());
        job.progress(to, rows.length);
      }
      return await this.workspace.lock.withLock(`split of ${manifest.id}`, async () => {
        const current = await this.get(manifest.id);
        // Another process may have split (or re-imported) it meanwhile: checked again here.
        const now = current.splits.find((s) => s.name === source.name);
        const taken = targets.find(
          (n) => n !== source.name && current.splits.some((s) => s.name === n),
        );
        if (taken || now?.sha256 !== source.sha256) {
          throw new BadRequestError(
            `Dataset "${manifest.id}" was changed by another EcoEval process while it was being split${taken ? ` (it now has a "${taken}" split)` : ''}; nothing was changed by this split. Look at it again, then split it if still needed.`,
          );
        }
        for (const info of infos) {
          for (const file of [info.file, `${info.file}.idx`]) {
            await rename(join(staging, file), join(dir, file));
          }
        }
        await fsyncDirectory(dir);
        const updated: DatasetManifest = {
          ...current,
          splits: [...current.splits.filter((s) => !targets.includes(s.name as never)), ...infos],
          splitRecord: { from: source.name, seed: request.seed, ratios: request.ratios },
          updatedAt: new Date().toISOString(),
        };
        await writeJsonAtomic(join(dir, 'manifest.json'), updated);
        await this.collectGarbage(manifest.id, updated);
        this.options.onChanged?.('split');
        return updated;
      });
    } finally {
      await rm(staging, { recursive: true, force: true });
    }
  }

  /** Removes data files no manifest references (left by a killed split, or replaced ones). */
  private async collectGarbage(id: string, manifest: DatasetManifest): Promise<void> {
    const keep = new Set(manifest.splits.flatMap((s) => [s.file, `${s.file}.idx`]));
    keep.add('manifest.json');
    for (const entry of await readdir(this.dir(id))) {
      if (!keep.has(entry) && (entry.endsWith('.jsonl') || entry.endsWith('.jsonl.idx'))) {
        await rm(join(this.dir(id), entry), { force: true });
      }
    }
  }

  /**
   * Exports a split: `text` writes sacreBLEU-style files (`<id>.<split>.source`, `.ref1`...;
   * segments containing newlines are refused there — use jsonl), `jsonl` writes
   * `{"source", "references"}` objects. Each file is written atomically.
   */
  async export(
    request: { dataset: string; split: string; format: 'text' | 'jsonl' },
    directory: string,
  ): Promise<{ files: string[] }> {
    const manifest = await this.get(request.dataset);
    const split = findSplit(manifest, request.split);
    const rows = await this.readSplit(manifest.id, split.name);
    const base = join(directory, `${manifest.id}.${split.name}`);
    await mkdir(directory, { recursive: true });
    if (request.format === 'jsonl') {
      const text = rows
        .map((r) => JSON.stringify({ source: r.source, references: r.references }))
        .join('\n');
      await writeFileAtomic(`${base}.jsonl`, rows.length ? text + '\n' : '');
      return { files: [`${base}.jsonl`] };
    }
    const withNewline = rows.findIndex((r) =>
      [r.source, ...r.references].some((s) => /[\n\r]/.test(s)),
    );
    if (withNewline >= 0) {
      throw new BadRequestError(
        `Row ${withNewline + 1} of ${manifest.id}/${split.name} contains a line break, which plain text cannot hold; export as JSON Lines instead.`,
      );
    }
    const columns = [rows.map((r) => r.source)];
    for (let r = 0; r < manifest.references; r++)
      columns.push(rows.map((row) => row.references[r] ?? ''));
    const files: string[] = [];
    for (let c = 0; c < columns.length; c++) {
      const file = c === 0 ? `${base}.source` : `${base}.ref${c}`;
      await writeFileAtomic(file, columns[c].length ? columns[c].join('\n') + '\n' : '');
      files.push(file);
    }
    return { files };
  }

  /** The built-in datasets shipped in the app's `datasets/` folder, and whether each is installed. */
  async listBuiltins(): Promise<BuiltinDataset[]> {
    const cards = await this.readBuiltinCards();
    const installed = new Set((await this.list()).datasets.map((d) => d.id));
    const result: BuiltinDataset[] = [];
    for (const { card, dir } of cards) {
      const splits: { name: string; rows: number }[] = [];
      for (const [name, split] of Object.entries(card.splits)) {
        const file = 'file' in split ? split.file : split.source;
        splits.push({ name, rows: await countLines(join(dir, file)) });
      }
      result.push({
        id: card.id,
        name: card.name,
        kind: card.kind,
        description: card.description,
        installed: installed.has(card.id),
        splits,
      });
    }
    return result;
  }

  private async readBuiltinCards(): Promise<{ card: BuiltinCard; dir: string }[]> {
    const out: { card: BuiltinCard; dir: string }[] = [];
    const entries = await readdir(this.options.builtinDir, { withFileTypes: true }).catch(() => []);
    for (const entry of entries) {
      if (!entry.isDirectory()) continue;
      const dir = join(this.options.builtinDir, entry.name);
      const text = await readFile(join(dir, 'dataset.json'), 'utf8').catch(() => null);
      if (text === null) continue;
      const parsed = builtinCardSchema.safeParse(JSON.parse(text));
      if (parsed.success) out.push({ card: parsed.data, dir });
    }
    return out.sort((a, b) => a.card.id.localeCompare(b.card.id));
  }

  /** Installs built-in datasets (all splits) through the same importer as user files. */
  async installBuiltins(ids: string[], job: JobContext): Promise<DatasetList> {
    const cards = await this.readBuiltinCards();
    const wanted = ids.length ? ids : cards.map((c) => c.card.id);
    const installed = new Set((await this.list()).datasets.map((d) => d.id));
    for (const id of wanted) {
      const found = cards.find((c) => c.card.id === id);
      if (!found) throw new NotFoundError(`No built-in dataset "${id}".`);
      if (installed.has(id)) continue;
      const { card, dir } = found;
      const splits = Object.entries(card.splits).map(([split, files]) => {
        if ('file' in files) {
          const spec: ImportSpec = {
            format: card.format === 'text' ? 'jsonl' : card.format,
            kind: card.kind,
            file: join(dir, files.file),
            mapping: files.mapping,
          };
          return { split, spec, inputPaths: [join(dir, files.file)] };
        }
        const refs = files.references.map((f) => join(dir, f));
        const spec: ImportSpec = {
          format: 'text',
          kind: card.kind,
          sourceFile: join(dir, files.source),
          referenceFiles: refs,
        };
        return { split, spec, inputPaths: [join(dir, files.source), ...refs] };
      });
      await this.importSplits(
        {
          name: card.name,
          kind: card.kind,
          description: card.description,
          builtin: true,
          ...(card.languages ? { languages: card.languages } : {}),
          idBase: card.id,
        },
        splits,
        job,
      );
    }
    return this.list();
  }
}

export function findSplit(manifest: DatasetManifest, name: string): SplitInfo {
  const split = manifest.splits.find((s) => s.name === name);
  if (!split) {
    throw new NotFoundError(
      `Dataset "${manifest.id}" has no split "${name}"; it has: ${manifest.splits.map((s) => s.name).join(', ')}.`,
    );
  }
  return split;
}

function summarise(m: DatasetManifest): DatasetSummary {
  return {
    id: m.id,
    name: m.name,
    kind: m.kind,
    builtin: m.builtin,
    references: m.references,
    splits: m.splits.map((s) => ({ name: s.name, rows: s.rows })),
    createdAt: m.createdAt,
  };
}

/** mulberry32: a small, well-known 32-bit PRNG; deterministic across platforms. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function seededPermutation(n: number, seed: number): Uint32Array {
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  const random = mulberry32(seed);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const t = order[i];
    order[i] = order[j];
    order[j] = t;
  }
  return order;
}

async function countLines(path: string): Promise<number> {
  let count = 0;
  let last = 10;
  for await (const chunk of createReadStream(path)) {
    const buffer = chunk as Buffer;
    for (let i = 0; i < buffer.length; i++) if (buffer[i] === 10) count++;
    if (buffer.length) last = buffer[buffer.length - 1];
  }
  return last === 10 ? count : count + 1;
}
