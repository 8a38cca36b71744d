/**
 * The workspace's evaluation runs: `runs/<id>/` holding run.json, outputs.txt, optional
 * logprobs.jsonl and segments.json. List, show, outputs and segment pages for scoring, saving
 * scores, rename, tag, delete and export.
 *
 * Atomicity: a run is written into `.staging/<pid>-run-<rand>/` and appears only when that folder
 * is renamed to `runs/<id>/`, so a cancelled or killed job never leaves a run behind (the
 * workspace sweeps staging folders of dead processes at open). Later changes rewrite one file
 * atomically, run.json last: it is the commit point. Broken run.json files are reported in the
 * list and never deleted or overwritten.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type {
  DatasetManifest,
  RunList,
  RunOutputs,
  RunRecord,
  RunSegmentsPage,
  RunSummary,
  SegmentScores,
  CorpusScore,
} from '../../../shared/api/types';
import {
  parsePerplexityJsonl,
  utf8ByteLength,
  countWords,
} from '../../../shared/metrics/perplexity';
import { BadRequestError, NotFoundError, systemError } from '../errors';
import { TEMP_PREFIX, fsyncDirectory, writeFileAtomic, writeJsonAtomic } from '../workspace/atomic';
import type { Workspace } from '../workspace/workspace';
import { linkProblem } from '../workspace/workspace';
import type { DatasetService } from '../datasets/service';
import { findSplit } from '../datasets/service';
import {
  LOGPROBS_JSONL,
  OUTPUTS_TXT,
  RUN_FILES,
  RUN_ID_PATTERN,
  RUN_JSON,
  SEGMENTS_JSON,
  fromStoredSegments,
  runRecordSchema,
  segmentsSchema,
  summariseRun,
  toStoredSegments,
} from './record';
import type { StoredSegments } from './record';

/** A run being written: files go into `dir`; `commit` makes it visible, `abort` removes it. */
export interface StagedRun {
  readonly dir: string;
  commit(record: RunRecord): Promise<RunRecord>;
  abort(): Promise<void>;
}

/** Splits outputs.txt / a hypotheses file into lines: BOM and CRLF removed, one final newline allowed. */
export function splitLines(text: string): string[] {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  if (lines.length && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** One hypothesis per line: line breaks a system produced inside a segment become spaces. */
export function outputsText(hypotheses: readonly string[]): string {
  return hypotheses.map((h) => h.replace(/[\r\n]+/g, ' ') + '\n').join('');
}

/** `<yyyymmdd-hhmmss>-<label slug>-<hex>`: sortable, readable, and unique. */
export function newRunId(label: string, now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  const slug = label
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40)
    .replace(/-+$/, '');
  return `${stamp}-${slug ? `${slug}-` : ''}${randomBytes(3).toString('hex')}`;
}

type ReadResult = { record: RunRecord } | { problem: string };

export class RunStore {
  constructor(
    readonly workspace: Workspace,
    private readonly datasets: DatasetService,
    private readonly onChanged: (reason: string, run: string | null) => void = () => undefined,
  ) {}

  dir(id: string): string {
    if (!RUN_ID_PATTERN.test(id)) throw new BadRequestError(`"${id}" is not a run id.`);
    return join(this.workspace.runsDir, id);
  }

  private async read(id: string): Promise<ReadResult> {
    const file = join(this.dir(id), RUN_JSON);
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch {
      return { problem: `runs/${id}/run.json is missing or unreadable` };
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      return {
        problem: `runs/${id}/run.json is not valid JSON (${(error as Error).message}); fix or remove the folder by hand — EcoEval will not overwrite it`,
      };
    }
    const parsed = runRecordSchema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return {
        problem: `runs/${id}/run.json does not match schema 1 (${issue.path.join('.') || 'root'}: ${issue.message}); EcoEval will not overwrite it`,
      };
    }
    if (parsed.data.id !== id) {
      return { problem: `runs/${id}/run.json names id "${parsed.data.id}", not its folder` };
    }
    return { record: parsed.data as RunRecord };
  }

  /** All runs, newest first; unreadable ones are reported in `broken` and left untouched. */
  async list(): Promise<RunList> {
    const runs: RunSummary[] = [];
    const broken: RunList['broken'] = [];
    const entries = await readdir(this.workspace.runsDir, { withFileTypes: true }).catch(() => []);
    for (const entry of entries) {
      if (/^queue\.broken-.*\.json$/.test(entry.name)) {
        broken.push({
          folder: entry.name,
          problem: `runs/queue.json was damaged, so EcoEval set it aside as runs/${entry.name} and started an empty queue; jobs listed in it can be queued again by hand, then delete the file`,
        });
        continue;
      }
      if (entry.isSymbolicLink() && !entry.name.startsWith('.')) {
        broken.push({ folder: entry.name, problem: linkProblem('runs', entry.name) });
        continue;
      }
      if (!entry.isDirectory() || entry.name.startsWith('.')) continue;
      if (!RUN_ID_PATTERN.test(entry.name)) {
        broken.push({ folder: entry.name, problem: `runs/${entry.name} is not a run folder name` });
        continue;
      }
      const result = await this.read(entry.name);
      if ('problem' in result) broken.push({ folder: entry.name, problem: result.problem });
      else runs.push(summariseRun(result.record));
    }
    runs.sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.id.localeCompare(a.id));
    return { runs, broken };
  }

  /** Complete records (provenance included), for the identical-run check. */
  async records(): Promise<RunRecord[]> {
    const out: RunRecord[] = [];
    const entries = await readdir(this.workspace.runsDir, { withFileTypes: true }).catch(() => []);
    for (const entry of entries) {
      if (!entry.isDirectory() || !RUN_ID_PATTERN.test(entry.name)) continue;
      const result = await this.read(entry.name);
      if ('record' in result) out.push(result.record);
    }
    return out;
  }

  async get(id: string): Promise<RunRecord> {
    const result = await this.read(id);
    if ('record' in result) return result.record;
    if (result.problem.includes('missing')) throw new NotFoundError(`No run with id "${id}".`);
    throw new BadRequestError(result.problem);
  }

  /** Starts a run in a staging folder of this process (swept if the process dies). */
  async stage(): Promise<StagedRun> {
    const dir = join(
      this.workspace.stagingDir,
      `${process.pid}-run-${randomBytes(6).toString('hex')}`,
    );
    await mkdir(dir, { recursive: true });
    const abort = () => rm(dir, { recursive: true, force: true });
    return {
      dir,
      abort,
      commit: async (record) => {
        try {
          return await this.workspace.lock.withLock(`saving run ${record.id}`, async () => {
            const target = this.dir(record.id);
            if (await exists(target)) throw new BadRequestError(`Run ${record.id} already exists.`);
            const stored = await readFile(join(dir, SEGMENTS_JSON), 'utf8').catch(() => null);
            if (stored === null) await writeJsonAtomic(join(dir, SEGMENTS_JSON), []);
            await writeJsonAtomic(join(dir, RUN_JSON), record);
            await fsyncDirectory(dir);
            await rename(dir, target);
            await fsyncDirectory(this.workspace.runsDir);
            this.onChanged('created', record.id);
            return record;
          });
        } catch (error) {
          await abort();
          throw error;
        }
      },
    };
  }

  private async hypotheses(id: string): Promise<string[]> {
    const text = await readFile(join(this.dir(id), OUTPUTS_TXT), 'utf8').catch(() => {
      throw new BadRequestError(
        `runs/${id}/outputs.txt is missing; the run folder is damaged. Delete the run and evaluate again.`,
      );
    });
    return splitLines(text);
  }

  /** The dataset split a run was made on, checked to be the same data (by sha256). */
  private async split(record: RunRecord): Promise<{ manifest: DatasetManifest; rows: number }> {
    let manifest: DatasetManifest;
    try {
      manifest = await this.datasets.get(record.dataset.id);
    } catch (error) {
      if (error instanceof NotFoundError) {
        throw new NotFoundError(
          `Run ${record.id} was made on dataset "${record.dataset.id}", which is no longer in the workspace; re-import it to score or browse this run.`,
        );
      }
      throw error;
    }
    const split = findSplit(manifest, record.dataset.split);
    if (split.sha256 !== record.provenance.dataset.sha256) {
      throw new BadRequestError(
        `Dataset "${manifest.id}" split "${split.name}" has changed since run ${record.id} was made (its sha256 differs); the run's outputs no longer line up with it. Evaluate again on the current split.`,
      );
    }
    return { manifest, rows: split.rows };
  }

  /** Sources, references, hypotheses and per-segment log-probability sums, for scoring. */
  async outputs(id: string): Promise<RunOutputs> {
    const record = await this.get(id);
    await this.split(record);
    const rows = await this.datasets.readSplit(record.dataset.id, record.dataset.split);
    const hypotheses = await this.hypotheses(id);
    if (hypotheses.length !== rows.length) {
      throw new BadRequestError(
        `runs/${id}/outputs.txt has ${hypotheses.length} lines but the run has ${rows.length} segments; the run folder is damaged. Delete the run and evaluate again.`,
      );
    }
    return {
      run: id,
      sources: rows.map((r) => r.source),
      references: rows.map((r) => r.references),
      hypotheses,
      logprobs: await this.logprobs(id, rows.length),
    };
  }

  private async logprobs(id: string, segments: number): Promise<RunOutputs['logprobs']> {
    const file = join(this.dir(id), LOGPROBS_JSONL);
    const text = await readFile(file, 'utf8').catch(() => null);
    if (text === null) return null;
    const { records, errors } = parsePerplexityJsonl(text);
    if (errors.length) {
      throw new BadRequestError(
        `runs/${id}/logprobs.jsonl:${errors[0].line}: ${errors[0].message}. The run folder is damaged; delete the run and evaluate again.`,
      );
    }
    if (records.length !== segments) {
      throw new BadRequestError(
        `runs/${id}/logprobs.jsonl has ${records.length} records but the run has ${segments} segments; delete the run and evaluate again.`,
      );
    }
    return records.map((r) => ({
      logprob: r.logprobs.reduce((a, b) => a + b, 0),
      tokens: r.logprobs.length,
      bytes: utf8ByteLength(r.text),
      words: countWords(r.text),
    }));
  }

  private async segmentScores(id: string): Promise<SegmentScores[]> {
    const text = await readFile(join(this.dir(id), SEGMENTS_JSON), 'utf8').catch(() => '[]');
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      throw new BadRequestError(
        `runs/${id}/segments.json is not valid JSON (${(error as Error).message}); score the run again to rewrite it.`,
      );
    }
    const parsed = segmentsSchema.safeParse(json);
    if (!parsed.success) {
      throw new BadRequestError(
        `runs/${id}/segments.json is not a list of segment scores; score the run again to rewrite it.`,
      );
    }
    return fromStoredSegments(parsed.data as StoredSegments);
  }

  /** A page of segments: source, references, hypothesis and each segment score. */
  async segments(request: {
    run: string;
    offset: number;
    limit: number;
  }): Promise<RunSegmentsPage> {
    const record = await this.get(request.run);
    await this.split(record);
    const page = await this.datasets.preview({
      dataset: record.dataset.id,
      split: record.dataset.split,
      offset: request.offset,
      limit: request.limit,
    });
    const hypotheses = await this.hypotheses(record.id);
    const scores = await this.segmentScores(record.id);
    return {
      run: record.id,
      offset: request.offset,
      total: page.total,
      rows: page.rows.map((row, i) => {
        const index = request.offset + i;
        const values: Record<string, number> = {};
        for (const s of scores) values[s.name] = s.values[index];
        return {
          line: row.line,
          source: row.source,
          references: row.references,
          hypothesis: hypotheses[index] ?? '',
          scores: values,
        };
      }),
    };
  }

  /** Stores scores computed from the run's outputs; the run becomes `complete`. */
  async saveScores(request: {
    run: string;
    scores: CorpusScore[];
    segments: SegmentScores[];
  }): Promise<RunRecord> {
    const record = await this.get(request.run);
    const expected = record.provenance.dataset.segments;
    for (const s of request.segments) {
      if (s.values.length !== expected) {
        throw new BadRequestError(
          `Segment scores "${s.name}" have ${s.values.length} values, but run ${record.id} has ${expected} segments; score the run's outputs as given by getRunOutputs.`,
        );
      }
    }
    const names = new Set<string>();
    for (const s of request.segments) {
      if (names.has(s.name)) throw new BadRequestError(`Segment scores "${s.name}" appear twice.`);
      names.add(s.name);
    }
    const stray = request.scores.find((s) => !record.metrics.includes(s.metric));
    if (stray) {
      throw new BadRequestError(
        `Run ${record.id} was evaluated for ${record.metrics.join(', ')}, not ${stray.metric}; score only those metrics.`,
      );
    }
    return this.update(record.id, 'scored', async (current, dir) => {
      await writeJsonAtomic(join(dir, SEGMENTS_JSON), toStoredSegments(request.segments));
      return { ...current, state: 'complete', scores: request.scores };
    });
  }

  async rename(id: string, name: string): Promise<RunRecord> {
    return this.update(id, 'renamed', async (current) => ({ ...current, name }));
  }

  async tag(id: string, tags: string[]): Promise<RunRecord> {
    const unique = [...new Set(tags.map((t) => t.trim()).filter(Boolean))];
    return this.update(id, 'tagged', async (current) => ({ ...current, tags: unique }));
  }

  /** Read-modify-write of run.json under the workspace lock; run.json is the commit point. */
  private async update(
    id: string,
    reason: string,
    change: (current: RunRecord, dir: string) => Promise<RunRecord>,
  ): Promise<RunRecord> {
    const updated = await this.workspace.lock.withLock(`${reason} run ${id}`, async () => {
      const current = await this.get(id);
      const next = {
        ...(await change(current, this.dir(id))),
        updatedAt: new Date().toISOString(),
      };
      await writeJsonAtomic(join(this.dir(id), RUN_JSON), next);
      return next;
    });
    this.onChanged(reason, id);
    return updated;
  }

  /** Deletes a run: one atomic rename makes it disappear, then its files are removed. */
  async delete(id: string): Promise<{ deleted: string }> {
    const dir = this.dir(id);
    await this.workspace.lock.withLock(`delete of run ${id}`, async () => {
      if (!(await exists(dir))) throw new NotFoundError(`No run with id "${id}".`);
      const trash = join(
        this.workspace.runsDir,
        `${TEMP_PREFIX}deleted-${id}-${process.pid}-${randomBytes(4).toString('hex')}`,
      );
      await rename(dir, trash);
      await fsyncDirectory(this.workspace.runsDir);
      await rm(trash, { recursive: true, force: true });
    });
    this.onChanged('deleted', id);
    return { deleted: id };
  }

  /**
   * Copies the run's files into `directory` as `<id>.<file>` (flat, so a browser host can serve
   * each by name), each written atomically. Broken runs are exported too: that is how a user
   * sends one to us.
   */
  async export(id: string, directory: string): Promise<{ files: string[] }> {
    const dir = this.dir(id);
    // Read under the lock: scores saved or the run deleted by another process meanwhile must not
    // give a run.json of one moment beside a segments.json of another, or half the files.
    const read = async () => {
      if (!(await exists(join(dir, RUN_JSON)))) throw new NotFoundError(`No run with id "${id}".`);
      const contents: [string, Buffer][] = [];
      for (const name of RUN_FILES) {
        const data = await readFile(join(dir, name)).catch(() => null);
        if (data) contents.push([name, data]);
      }
      return contents;
    };
    const contents = await this.workspace.lock
      .withLock(`export of run ${id}`, read)
      // A read-only workspace can still be exported from (nobody can be writing to it).
      .catch((error: unknown) => (systemError(error) ? read() : Promise.reject(error)));
    await mkdir(directory, { recursive: true });
    const files: string[] = [];
    for (const [name, data] of contents) {
      const to = join(directory, `${id}.${name}`);
      await writeFileAtomic(to, data);
      files.push(to);
    }
    return { files };
  }
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}
