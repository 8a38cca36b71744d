/**
 * Schemas of the JSON documents a dataset folder holds: the workspace manifest (schema 1) and the
 * `dataset.json` card of a built-in dataset. Parsing them strictly is what lets a damaged manifest
 * be reported instead of silently misread.
 */
import { z } from 'zod';

const fieldStatistics = z.object({
  segments: z.number(),
  emptySegments: z.number(),
  characters: z.number(),
  whitespaceTokens: z.number(),
  meanTokens: z.number(),
  maxTokens: z.number(),
  histogram: z.object({ bounds: z.array(z.number()), counts: z.array(z.number()) }),
});

const kind = z.enum(['translation', 'summarization', 'language-modelling', 'system-outputs']);

export const manifestSchema = z.object({
  schema: z.literal(1),
  id: z.string().regex(/^[a-z0-9][a-z0-9._-]{0,79}$/),
  name: z.string(),
  kind,
  description: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
  builtin: z.boolean(),
  languages: z.object({ source: z.string().optional(), target: z.string().optional() }).optional(),
  references: z.number().int().min(0),
  against: z.object({ dataset: z.string(), split: z.string() }).optional(),
  source: z.object({
    format: z.enum(['text', 'tsv', 'csv', 'jsonl', 'parquet']),
    files: z.array(z.object({ name: z.string(), bytes: z.number(), sha256: z.string() })),
    mapping: z.object({ source: z.string(), references: z.array(z.string()) }).optional(),
  }),
  splits: z.array(
    z.object({
      name: z.string(),
      rows: z.number().int().min(0),
      file: z.string().regex(/^[a-z0-9_-]+-[0-9a-f]{6}\.jsonl$/),
      sha256: z.string(),
      bytes: z.number(),
      statistics: z.object({ source: fieldStatistics, references: z.array(fieldStatistics) }),
    }),
  ),
  normalisation: z.array(
    z.object({
      file: z.string(),
      bomRemoved: z.boolean(),
      crlfLines: z.number(),
      loneCrLines: z.number(),
    }),
  ),
  emptySegments: z.array(
    z.object({
      split: z.string(),
      field: z.string(),
      count: z.number(),
      firstLines: z.array(z.number()),
    }),
  ),
  splitRecord: z
    .object({
      from: z.string(),
      seed: z.number(),
      ratios: z.object({ train: z.number(), valid: z.number(), test: z.number() }),
    })
    .optional(),
});

const safeFile = z
  .string()
  .regex(/^[\w.-]+$/)
  .refine((s) => !s.startsWith('.'));

export const builtinCardSchema = z.object({
  schema: z.literal(1),
  id: z.string().regex(/^[a-z0-9][a-z0-9._-]{0,79}$/),
  name: z.string(),
  kind,
  description: z.string(),
  languages: z.object({ source: z.string().optional(), target: z.string().optional() }).optional(),
  format: z.enum(['text', 'jsonl']),
  splits: z.record(
    z.string(),
    z.union([
      z.object({ source: safeFile, references: z.array(safeFile) }),
      z.object({
        file: safeFile,
        mapping: z.object({ source: z.string(), references: z.array(z.string()) }),
      }),
    ]),
  ),
});
export type BuiltinCard = z.infer<typeof builtinCardSchema>;
