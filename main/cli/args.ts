/**
 * Command-line argument helpers shared by the subcommands: `parseArgs` with usage errors, the
 * typed flag parsers, and the decoding/runtime flags that `generate` and `evaluate` both take.
 */
import { parseArgs } from 'node:util';
import type { ParseArgsConfig } from 'node:util';
import type { Precision } from '../services/model/onnx/transformer-graphs';
import { PROVIDERS } from '../services/model/onnx/providers';
import type { ProviderName } from '../services/model/onnx/providers';
import { EXIT_USAGE, UserError } from './io';

export const PRECISIONS: readonly Precision[] = ['fp32', 'fp16', 'int8'];

export function usageError(message: string, usage: string): UserError {
  return new UserError(`${message}\n${usage}`, EXIT_USAGE);
}

/** `parseArgs` in strict mode; an unknown or malformed flag becomes a usage error. */
export function parseFlags<O extends NonNullable<ParseArgsConfig['options']>>(
  argv: string[],
  options: O,
  usage: string,
  allowPositionals = false,
) {
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals });
  } catch (error) {
    throw usageError((error as Error).message, usage);
  }
}

/** The decoding and runtime flags of a model system (`generate`, `evaluate`). */
export const DECODING_FLAGS = {
  model: { type: 'string', short: 'm' },
  precision: { type: 'string', short: 'p' },
  beam: { type: 'string' },
  'length-penalty': { type: 'string' },
  'max-length': { type: 'string' },
  batch: { type: 'string' },
  threads: { type: 'string' },
  provider: { type: 'string' },
} as const;

export function parsePrecision(value: string | undefined, usage: string): Precision {
  if (value === undefined) return 'fp32';
  if (!(PRECISIONS as readonly string[]).includes(value)) {
    throw usageError(`--precision must be fp32, fp16 or int8, got "${value}"`, usage);
  }
  return value as Precision;
}

export function parseWhole(
  flag: string,
  value: string | undefined,
  usage: string,
  min = 1,
): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) < min) {
    throw usageError(`${flag} must be a whole number ≥ ${min}, got "${value}"`, usage);
  }
  return Number(value);
}

export function parseNumber(
  flag: string,
  value: string | undefined,
  usage: string,
): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n)) {
    throw usageError(`${flag} must be a number, got "${value}"`, usage);
  }
  return n;
}

export function parseProvider(value: string | undefined, usage: string): ProviderName | 'auto' {
  if (value === undefined || value === 'auto') return 'auto';
  if (!(PROVIDERS as readonly string[]).includes(value)) {
    throw usageError(`--provider must be auto or one of ${PROVIDERS.join(', ')}`, usage);
  }
  return value as ProviderName;
}

/** The parsed decoding flags, with their defaults. */
export function parseDecoding(
  values: { [K in keyof typeof DECODING_FLAGS]?: string },
  usage: string,
) {
  return {
    precision: parsePrecision(values.precision, usage),
    beam: parseWhole('--beam', values.beam, usage) ?? 1,
    lengthPenalty: parseNumber('--length-penalty', values['length-penalty'], usage) ?? 1,
    maxLength: parseWhole('--max-length', values['max-length'], usage),
    batchSize: parseWhole('--batch', values.batch, usage) ?? 32,
    threads: parseWhole('--threads', values.threads, usage),
    provider: parseProvider(values.provider, usage),
  };
}
