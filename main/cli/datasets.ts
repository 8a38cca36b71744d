/**
 * `ecoeval datasets list|import|show|preview|rename|delete|split|export|builtin`: dataset
 * management from the command line, through the same services and schemas as the app.
 */
import { parseArgs } from 'node:util';
import type { z } from 'zod';
import { importRequest } from '../../shared/api/schemas';
import { detectFormat } from '../services/datasets/importers';
import { slugify } from '../services/datasets/service';
import type { DatasetManifest, FieldStatistics } from '../../shared/api/types';
import { toApiError } from '../bridge/dispatch';
import { validatedApi } from '../bridge/direct';
import type { CliCommand, CliIO } from './io';
import { EXIT_BAD_INPUT, EXIT_OK, EXIT_USAGE } from './io';
import { cliServices } from './services';
import { progressPrinter } from './progress';

export const DATASETS_HELP = `Usage: ecoeval datasets <command> [options]

Commands:
  list                         List datasets in the workspace (and unreadable manifests)
  import FILE [REF ...]        Import a split. Plain text: SOURCE then one file per reference.
     --name NAME                 Display name (default: the file name)
     --kind KIND                 translation | summarization | language-modelling | system-outputs
     --format FMT                text | tsv | csv | jsonl | parquet (default: from the extension)
     --source COL                Column/field holding the source (tsv, csv, jsonl, parquet)
     --ref COL                   Column/field holding a reference (repeat for several)
     --split NAME                Split name (default: test)
     --against ID/SPLIT          For system outputs: the dataset they are scored against
     --quoting csv|none          TSV/CSV quote handling (default csv; none keeps quotes as text)
  show ID                      Manifest summary and statistics
  preview ID [--split S] [--offset N] [--limit N]
  rename ID NAME
  delete ID --yes              Delete (asks for --yes as confirmation)
  split ID --from S --seed N [--ratios 0.8,0.1,0.1]
  export ID --split S [--format text|jsonl] [--out DIR]
  builtin [--install] [ID ...] List the built-in datasets, or install them

Options for every command: --workspace DIR (or ECOEVAL_WORKSPACE), --json
`;

const options = {
  workspace: { type: 'string' },
  json: { type: 'boolean' },
  name: { type: 'string' },
  kind: { type: 'string' },
  format: { type: 'string' },
  source: { type: 'string' },
  ref: { type: 'string', multiple: true },
  split: { type: 'string' },
  against: { type: 'string' },
  quoting: { type: 'string' },
  offset: { type: 'string' },
  limit: { type: 'string' },
  yes: { type: 'boolean' },
  from: { type: 'string' },
  seed: { type: 'string' },
  ratios: { type: 'string' },
  out: { type: 'string' },
  install: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** Column names for a message: the first 40, each cut to 60 characters (a header can be huge). */
function columnList(columns: string[]): string {
  const shown = columns
    .slice(0, 40)
    .map((c) => (c.length > 60 ? `${c.slice(0, 60)}…` : c))
    .join(', ');
  return columns.length > 40 ? `${shown} and ${columns.length - 40} more` : shown;
}

function fmtStats(label: string, s: FieldStatistics): string {
  return `    ${label.padEnd(12)} ${s.segments.toLocaleString('en-US')} segments, ${s.emptySegments} empty, ${s.characters.toLocaleString('en-US')} chars, ${s.whitespaceTokens.toLocaleString('en-US')} tokens (mean ${s.meanTokens.toFixed(1)}, max ${s.maxTokens})`;
}

function describe(m: DatasetManifest): string {
  const lines = [
    `${m.name}  [${m.id}]`,
    `  kind: ${m.kind}${m.builtin ? ' (built-in)' : ''}, references per segment: ${m.references}`,
    `  imported from ${m.source.format}: ${m.source.files.map((f) => `${f.name} (sha256 ${f.sha256.slice(0, 12)}…)`).join(', ')}`,
  ];
  for (const split of m.splits) {
    lines.push(`  split ${split.name}: ${split.rows.toLocaleString('en-US')} rows`);
    lines.push(fmtStats('source', split.statistics.source));
    split.statistics.references.forEach((r, i) => lines.push(fmtStats(`reference ${i + 1}`, r)));
  }
  for (const n of m.normalisation) {
    if (n.bomRemoved || n.crlfLines || n.loneCrLines) {
      lines.push(
        `  normalised ${n.file}: ${n.bomRemoved ? 'BOM removed, ' : ''}${n.crlfLines} CRLF line endings, ${n.loneCrLines} lone CR`,
      );
    }
  }
  for (const e of m.emptySegments) {
    lines.push(
      `  note: ${e.count} empty ${e.field} segment(s) in ${e.split} (kept), first at line(s) ${e.firstLines.join(', ')}`,
    );
  }
  if (m.splitRecord) {
    lines.push(
      `  splits made from ${m.splitRecord.from} with seed ${m.splitRecord.seed}, ratios ${m.splitRecord.ratios.train}/${m.splitRecord.ratios.valid}/${m.splitRecord.ratios.test}`,
    );
  }
  return lines.join('\n') + '\n';
}

async function run(argv: string[], io: CliIO): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (error) {
    io.stderr(`ecoeval datasets: ${(error as Error).message}\n`);
    return EXIT_USAGE;
  }
  const { values, positionals } = parsed;
  const [command, ...rest] = positionals;
  if (values.help || !command) {
    io.stdout(DATASETS_HELP);
    return command || values.help ? EXIT_OK : EXIT_USAGE;
  }
  const known = [
    'list',
    'import',
    'show',
    'preview',
    'rename',
    'delete',
    'split',
    'export',
    'builtin',
  ];
  if (!known.includes(command)) {
    io.stderr(`ecoeval datasets: unknown command "${command}". Run \`ecoeval datasets --help\`.\n`);
    return EXIT_USAGE;
  }
  const services = await cliServices(io, values.workspace);
  const debug = (e: unknown) => {
    if (io.env.ECOEVAL_DEBUG) io.stderr(`${(e as Error)?.stack ?? String(e)}\n`);
  };
  const api = validatedApi(services.handlers, debug);
  const printProgress = progressPrinter(io);
  const unsubscribe = services.subscribe((event, payload) => {
    if (event === 'job:progress') printProgress(payload as never);
  });
  const print = (value: unknown, text: string) =>
    io.stdout(values.json ? JSON.stringify(value, null, 2) + '\n' : text);
  try {
    switch (command) {
      case 'list': {
        const list = await api.listDatasets();
        const lines = list.datasets.map(
          (d) =>
            `${d.id.padEnd(28)} ${d.kind.padEnd(18)} ${d.splits.map((s) => `${s.name}:${s.rows}`).join(' ')}  ${d.name}`,
        );
        if (!list.datasets.length)
          lines.push('No datasets yet. Try `ecoeval datasets builtin --install`.');
        for (const b of list.broken) lines.push(`! ${b.folder}: ${b.problem}`);
        print(list, lines.join('\n') + '\n');
        return EXIT_OK;
      }
      case 'import': {
        if (!rest.length) {
          io.stderr('ecoeval datasets import: give the file(s) to import. See --help.\n');
          return EXIT_USAGE;
        }
        const format = values.format ?? detectFormat(rest[0]);
        const raw: z.input<typeof importRequest> = {
          name: values.name ?? rest[0].split(/[\\/]/).pop()!,
          kind: (values.kind ?? 'translation') as never,
          format: format as never,
          ...(values.split ? { split: values.split } : {}),
        };
        if (format === 'text') {
          raw.sourceFile = { path: rest[0] };
          raw.referenceFiles = rest.slice(1).map((path) => ({ path }));
        } else {
          if (rest.length > 1) {
            io.stderr(
              `ecoeval datasets import: ${format} imports take one file; map columns with --source and --ref.\n`,
            );
            return EXIT_USAGE;
          }
          raw.file = { path: rest[0] };
          if (!values.source) {
            const columns = await api.listColumns({
              file: { path: rest[0] },
              format: format as never,
            });
            io.stderr(
              `ecoeval datasets import: ${format} imports need --source COLUMN (and --ref COLUMN); ${rest[0]} has: ${columnList(columns)}\n`,
            );
            return EXIT_USAGE;
          }
          raw.mapping = { source: values.source, references: values.ref ?? [] };
          if (values.quoting) raw.quoting = values.quoting as never;
        }
        if (values.against) {
          const [dataset, split] = values.against.split('/');
          raw.against = { dataset, split: split ?? 'test' };
        }
        const checked = importRequest.safeParse(raw);
        if (!checked.success) {
          const issue = checked.error.issues[0];
          io.stderr(
            `ecoeval datasets import: ${issue.path.join('.') || 'request'}: ${issue.message}\n`,
          );
          return EXIT_USAGE;
        }
        const manifest = await api.importDataset(raw);
        // Scripts address datasets by id: say so when the name's id was taken (by an earlier
        // import, or by the app importing the same name at this moment).
        const wanted = slugify(manifest.name);
        const taken =
          manifest.id !== wanted
            ? ` ("${wanted}" is another dataset's id; use "${manifest.id}" for this one)`
            : '';
        print(
          manifest,
          `Imported ${manifest.splits[0].rows.toLocaleString('en-US')} rows as "${manifest.id}"${taken}.\n` +
            describe(manifest),
        );
        return EXIT_OK;
      }
      case 'show': {
        const manifest = await api.getDataset(rest[0] ?? '');
        print(manifest, describe(manifest));
        return EXIT_OK;
      }
      case 'preview': {
        const manifest = await api.getDataset(rest[0] ?? '');
        const page = await api.previewDataset({
          dataset: manifest.id,
          split: values.split ?? manifest.splits[0].name,
          offset: Number(values.offset ?? 0),
          limit: Number(values.limit ?? 10),
        });
        print(
          page,
          page.rows
            .map(
              (r) =>
                `${r.line}\t${[r.source, ...r.references].map((s) => JSON.stringify(s)).join('\t')}`,
            )
            .join('\n') + `\n(${page.total.toLocaleString('en-US')} rows in ${page.split})\n`,
        );
        return EXIT_OK;
      }
      case 'rename': {
        const manifest = await api.renameDataset({
          dataset: rest[0] ?? '',
          name: rest.slice(1).join(' '),
        });
        print(manifest, `Renamed ${manifest.id} to "${manifest.name}".\n`);
        return EXIT_OK;
      }
      case 'delete': {
        if (!values.yes) {
          io.stderr(
            `ecoeval datasets delete: this removes ${rest[0] ?? 'the dataset'} and its files; add --yes to confirm.\n`,
          );
          return EXIT_USAGE;
        }
        const result = await api.deleteDataset({ dataset: rest[0] ?? '', confirm: true });
        print(result, `Deleted ${result.deleted}.\n`);
        return EXIT_OK;
      }
      case 'split': {
        const ratios = (values.ratios ?? '0.8,0.1,0.1').split(',').map(Number);
        if (ratios.length !== 3 || ratios.some((r) => !Number.isFinite(r) || r < 0)) {
          io.stderr(
            'ecoeval datasets split: --ratios takes three numbers, train,valid,test (e.g. 0.8,0.1,0.1).\n',
          );
          return EXIT_USAGE;
        }
        const manifest = await api.splitDataset({
          dataset: rest[0] ?? '',
          from: values.from ?? 'test',
          seed: Number(values.seed ?? 1),
          ratios: { train: ratios[0], valid: ratios[1], test: ratios[2] },
        });
        print(manifest, describe(manifest));
        return EXIT_OK;
      }
      case 'export': {
        const manifest = await api.getDataset(rest[0] ?? '');
        const result = await api.exportDataset({
          dataset: manifest.id,
          split: values.split ?? manifest.splits[0].name,
          format: (values.format ?? 'text') as never,
          directory: values.out ?? '.',
        });
        print(result, result.files.map((f) => `wrote ${f}`).join('\n') + '\n');
        return EXIT_OK;
      }
      case 'builtin': {
        if (values.install) {
          const list = await api.installBuiltinDatasets(rest);
          print(list, `Installed. ${list.datasets.length} dataset(s) in the workspace.\n`);
          return EXIT_OK;
        }
        const builtins = await api.listBuiltinDatasets();
        print(
          builtins,
          builtins
            .map(
              (b) =>
                `${b.id.padEnd(24)} ${b.kind.padEnd(18)} ${b.installed ? 'installed' : 'available'}  ${b.splits.map((s) => `${s.name}:${s.rows}`).join(' ')}  ${b.description}`,
            )
            .join('\n') + '\n',
        );
        return EXIT_OK;
      }
    }
    return EXIT_USAGE;
  } catch (error) {
    const apiError = toApiError(error, debug);
    io.stderr(`ecoeval datasets ${command}: ${apiError.message}\n`);
    return EXIT_BAD_INPUT;
  } finally {
    unsubscribe();
  }
}

export const datasetsCommand: CliCommand = run;
