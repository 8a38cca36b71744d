/**
 * CPU brand → TDP lookup against the shipped `cpu-tdp.csv` (CodeCarbon 3.3.0 `cpu_power.csv`),
 * with CodeCarbon's fallbacks: model not in the table → 4 W per logical CPU, model undetectable →
 * 85 W (energy.md §2.2, §3.4 item 5). Ambiguous matches are "unknown", never a guess.
 */
import { join } from 'node:path';
import { readCsvRecords } from './data';

/** How the TDP was found. */
export type TdpBasis = 'table-exact' | 'table-token-set' | 'unknown-model' | 'undetectable';

/** A TDP figure and how it was found; `label` is shown to the user. */
export interface TdpMatch {
  watts: number;
  basis: TdpBasis;
  /** Table row name when matched. */
  matched?: string;
  label: string;
}

/** Normalised table: name → TDP. */
export interface TdpTable {
  rows: Array<{ name: string; key: string; tokens: Set<string>; watts: number }>;
  exact: Map<string, number>;
}

/** Normalise a CPU brand string as energy.md §3.4 item 5 prescribes. */
export function normaliseCpuName(brand: string): string {
  return brand
    .replace(/\((R|TM|C)\)/gi, ' ')
    .replace(/@\s*[\d.]+\s*[GM]Hz/gi, ' ')
    .replace(/\b\d+-Core\s+Processor\b/gi, ' ')
    .replace(/\b\d+(st|nd|rd|th)\s+Gen\b/gi, ' ')
    .replace(/\bCPU\b/gi, ' ')
    .replace(/\bProcessor\b/gi, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .toLowerCase();
}

function tokens(key: string): Set<string> {
  return new Set(key.split(/[\s]+/).filter(Boolean));
}

/** Build a table from records; rows without a positive numeric TDP are ignored (malformed). */
export function buildTdpTable(records: Array<Record<string, string>>): TdpTable {
  const rows: TdpTable['rows'] = [];
  const exact = new Map<string, number>();
  for (const r of records) {
    const watts = Number(r.tdp_w);
    if (!r.name || !r.tdp_w || !Number.isFinite(watts) || watts <= 0) continue;
    const key = normaliseCpuName(r.name);
    rows.push({ name: r.name, key, tokens: tokens(key), watts });
    exact.set(key, watts);
  }
  return { rows, exact };
}

/** Load the shipped table from `dataDir`. */
export function loadTdpTable(dataDir: string): TdpTable {
  return buildTdpTable(readCsvRecords(join(dataDir, 'cpu-tdp.csv')));
}

/**
 * Look up a CPU brand. Exact normalised match first; then a token-set match that must be
 * unique: rows whose words are all in the brand (longest wins), else rows containing all of the
 * brand's words. Anything ambiguous is "unknown" (4 W × logical CPUs).
 */
export function lookupTdp(table: TdpTable, brand: string, logicalCpus: number): TdpMatch {
  const key = normaliseCpuName(brand);
  if (!key) {
    return {
      watts: 85,
      basis: 'undetectable',
      label: 'CPU model not detectable: generic 85 W (CodeCarbon constant)',
    };
  }
  const hit = table.exact.get(key);
  if (hit !== undefined) {
    return { watts: hit, basis: 'table-exact', matched: brand, label: `TDP ${hit} W (table)` };
  }
  const want = tokens(key);
  const inside = table.rows.filter((r) => [...r.tokens].every((t) => want.has(t)));
  const unique = (list: TdpTable['rows']): TdpTable['rows'][number] | undefined => {
    if (list.length === 0) return undefined;
    const best = Math.max(...list.map((r) => r.tokens.size));
    const top = list.filter((r) => r.tokens.size === best);
    // A lone shared word ("amd") is no evidence of a model; require a model-number token.
    return top.length === 1 && [...top[0].tokens].some((t) => /\d/.test(t)) ? top[0] : undefined;
  };
  const row =
    unique(inside) ??
    (() => {
      const containing = table.rows.filter((r) => [...want].every((t) => r.tokens.has(t)));
      return containing.length === 1 ? containing[0] : undefined;
    })();
  if (row) {
    return {
      watts: row.watts,
      basis: 'table-token-set',
      matched: row.name,
      label: `TDP ${row.watts} W (table, matched "${row.name}")`,
    };
  }
  const watts = 4 * Math.max(1, logicalCpus);
  return {
    watts,
    basis: 'unknown-model',
    label: `"${brand.trim()}" not in the TDP table: 4 W × ${logicalCpus} logical CPUs = ${watts} W`,
  };
}
