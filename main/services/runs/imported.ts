/**
 * Outputs produced elsewhere, as a run: the hypotheses file (exactly one line per segment of the
 * split), optionally the energy report of the run that produced them (CodeCarbon emissions.csv or
 * an `ecoeval energy measure --json` report) and per-token log-probabilities (JSON Lines, the
 * format `ecoeval ppl` reads). Every problem names the file — and the line, where there is one.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { OutputsSystemSpec, RunEnergy, RunMetric } from '../../../shared/api/types';
import { parsePerplexityJsonl } from '../../../shared/metrics/perplexity';
import type { PerplexityRecord } from '../../../shared/metrics/perplexity';
import { importCodeCarbonCsv } from '../energy/imports/codecarbon';
import { EnergyInputError } from '../energy/imports/errors';
import { BadRequestError } from '../errors';
import type { ResolvedFile } from '../datasets/service';
import { decodeUtf8, describeInvalidUtf8 } from '../datasets/importers/utf8-locate';
import { LOGPROBS_JSONL, OUTPUTS_TXT } from './record';
import { importedRunEnergy, parseEcoevalEnergy } from './run-energy';
import { outputsText, splitLines } from './store';
import { sha256Text } from './system';

export type ResolveFile = (ref: OutputsSystemSpec['hypotheses']) => Promise<ResolvedFile>;

interface Target {
  /** Segments of the split the outputs are scored against, and its name for messages. */
  rows: number;
  dataset: string;
  metrics: readonly RunMetric[];
}

async function readText(file: ResolvedFile): Promise<string> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file.path);
  } catch (error) {
    throw new BadRequestError(
      `${file.display ?? file.path}: cannot read it (${(error as Error).message}); check the file and try again.`,
    );
  }
  // Strict: an invalid byte would otherwise be scored (or recorded) as U+FFFD.
  const decoded = decodeUtf8(bytes);
  if ('invalid' in decoded) {
    throw new BadRequestError(
      `${describeInvalidUtf8(file.display ?? file.path, decoded.invalid)}; save the file as UTF-8 and try again.`,
    );
  }
  return decoded.text;
}

function shown(file: ResolvedFile): string {
  return file.display ?? file.path;
}

/** The hypotheses, checked to line up with the split. */
async function readHypotheses(
  spec: OutputsSystemSpec,
  resolve: ResolveFile,
  target: Target,
): Promise<string[]> {
  const file = await resolve(spec.hypotheses);
  const lines = splitLines(await readText(file));
  if (lines.length !== target.rows) {
    throw new BadRequestError(
      `${shown(file)}: ${lines.length} line${lines.length === 1 ? '' : 's'}, but ${target.dataset} has ${target.rows} segment${target.rows === 1 ? '' : 's'}; give exactly one hypothesis per segment, in the dataset's order.`,
    );
  }
  return lines;
}

async function readLogprobs(
  spec: OutputsSystemSpec,
  resolve: ResolveFile,
  target: Target,
): Promise<PerplexityRecord[] | null> {
  if (!spec.logprobs) {
    if (target.metrics.includes('perplexity')) {
      throw new BadRequestError(
        `Perplexity needs log-probabilities: give "${spec.name}" a log-probabilities file (JSON Lines of {"tokens", "logprobs", "text"}), or leave perplexity out.`,
      );
    }
    return null;
  }
  const file = await resolve(spec.logprobs);
  const { records, errors } = parsePerplexityJsonl(await readText(file));
  if (errors.length) {
    const first = errors[0];
    throw new BadRequestError(
      `${shown(file)}:${first.line}: ${first.message}${errors.length > 1 ? ` (and ${errors.length - 1} more bad line${errors.length > 2 ? 's' : ''})` : ''}.`,
    );
  }
  if (records.length !== target.rows) {
    throw new BadRequestError(
      `${shown(file)}: ${records.length} records, but ${target.dataset} has ${target.rows} segments; give one line of log-probabilities per segment, in the dataset's order.`,
    );
  }
  return records;
}

async function readEnergy(
  spec: OutputsSystemSpec,
  resolve: ResolveFile,
  segments: number,
): Promise<RunEnergy | null> {
  if (!spec.energy) return null;
  const file = await resolve(spec.energy.file);
  const text = await readText(file);
  if (spec.energy.format === 'ecoeval') {
    return importedRunEnergy(parseEcoevalEnergy(text, shown(file)), {
      segments,
      note: `imported from ${shown(file)} (an EcoEval energy report)`,
    });
  }
  let runs;
  try {
    runs = importCodeCarbonCsv(text, shown(file));
  } catch (error) {
    if (error instanceof EnergyInputError) throw new BadRequestError(error.message);
    throw error;
  }
  const last = runs.at(-1);
  if (!last) {
    throw new BadRequestError(
      `${shown(file)}: no rows; give the emissions.csv CodeCarbon wrote for the run that produced these outputs.`,
    );
  }
  const note =
    runs.length > 1
      ? `imported from ${shown(file)} line ${last.line} (the last of ${runs.length} CodeCarbon rows)`
      : `imported from ${shown(file)} (CodeCarbon ${last.codecarbonVersion || 'version unknown'})`;
  return importedRunEnergy(last.figure, { segments, country: last.country, note });
}

/**
 * Checks an imported system before it is queued, and returns the sha256 of its outputs as a run
 * stores them (so an identical earlier run can be found).
 */
export async function checkImported(
  spec: OutputsSystemSpec,
  resolve: ResolveFile,
  target: Target,
): Promise<{ outputsSha256: string }> {
  const hypotheses = await readHypotheses(spec, resolve, target);
  await readLogprobs(spec, resolve, target);
  return { outputsSha256: sha256Text(outputsText(hypotheses)) };
}

/** Writes the imported outputs (and log-probabilities) into `outDir`; returns the energy. */
export async function importOutputs(
  spec: OutputsSystemSpec,
  resolve: ResolveFile,
  target: Target,
  outDir: string,
): Promise<{ energy: RunEnergy | null; settings: Record<string, string | null> }> {
  const hypotheses = await readHypotheses(spec, resolve, target);
  const logprobs = await readLogprobs(spec, resolve, target);
  const energy = await readEnergy(spec, resolve, target.rows);
  await writeFile(join(outDir, OUTPUTS_TXT), outputsText(hypotheses));
  if (logprobs) {
    await writeFile(
      join(outDir, LOGPROBS_JSONL),
      logprobs.map((r) => `${JSON.stringify(r)}\n`).join(''),
    );
  }
  const files = async (ref: OutputsSystemSpec['hypotheses'] | undefined) =>
    ref ? shown(await resolve(ref)) : null;
  return {
    energy,
    settings: {
      hypothesesFile: await files(spec.hypotheses),
      energyFile: await files(spec.energy?.file),
      energyFormat: spec.energy?.format ?? null,
      logprobsFile: await files(spec.logprobs),
    },
  };
}
