/**
 * Carbon from energy, offline: gCO2e = kWh × grid intensity × overhead factor (energy.md §4).
 * Intensity comes from the user's own value, else their chosen country, else the OS locale's
 * country (marked assumed), else the world default 475 g/kWh with the band [445, 475]. The table's
 * source and year travel with every number.
 */
import { join } from 'node:path';
import { readCsvRecords, resolveDataDir } from './data';
import { energySignature } from './signature';
import type { EnergyFigure } from './types';

/** One row of `carbon-intensity.csv`. */
export interface IntensityRow {
  alpha2: string;
  alpha3: string;
  country: string;
  g: number;
  year: number;
  source: string;
  altG?: number;
  altYear?: number;
  altSource?: string;
}

/** Country table keyed by upper-case alpha-2 and alpha-3 codes. */
export type IntensityTable = Map<string, IntensityRow>;

/** World default (CodeCarbon, IEA 2019) and its band (carbontracker 445, IEA 2024 data). */
export const WORLD_DEFAULT = {
  g: 475,
  low: 445,
  high: 475,
  source: 'IEA 2019 via CodeCarbon',
  year: 2019,
};

const SOURCE_NAMES: Record<string, string> = {
  CC: 'CodeCarbon 3.3.0 global_energy_mix (OWID: Ember + Energy Institute)',
  CT: 'carbontracker carbon-intensities (OWID)',
};

/** Build the table from CSV records; codes are text (`NA` is Namibia, not a missing value). */
export function buildIntensityTable(records: Array<Record<string, string>>): IntensityTable {
  const t: IntensityTable = new Map();
  for (const r of records) {
    const g = Number(r.g_co2e_per_kwh);
    if (!r.iso_alpha2 || !Number.isFinite(g)) continue;
    const alt = r.alt_g_co2e_per_kwh ? Number(r.alt_g_co2e_per_kwh) : undefined;
    const row: IntensityRow = {
      alpha2: r.iso_alpha2.toUpperCase(),
      alpha3: (r.iso_alpha3 ?? '').toUpperCase(),
      country: r.country,
      g,
      year: Number(r.year),
      source: r.source,
      ...(alt !== undefined && Number.isFinite(alt)
        ? { altG: alt, altYear: Number(r.alt_year), altSource: r.alt_source }
        : {}),
    };
    t.set(row.alpha2, row);
    if (row.alpha3) t.set(row.alpha3, row);
  }
  return t;
}

let cached: IntensityTable | undefined;

/** Load (once) the shipped table. */
export function loadIntensityTable(dataDir?: string): IntensityTable {
  if (!dataDir && cached) return cached;
  const t = buildIntensityTable(
    readCsvRecords(join(resolveDataDir(dataDir), 'carbon-intensity.csv')),
  );
  if (!dataDir) cached = t;
  return t;
}

/** How the intensity was chosen. */
export type IntensityBasis = 'user-value' | 'user-country' | 'locale-assumed' | 'world-default';

/** A grid intensity with provenance. */
export interface GridIntensity {
  g: number;
  lowG: number;
  highG: number;
  basis: IntensityBasis;
  /** Upper-case alpha-2 code, or `WORLD` / `USER`. */
  code: string;
  country: string;
  source: string;
  sourceCode: string;
  year?: number;
  assumed: boolean;
  label: string;
}

/** Inputs to the intensity choice (energy.md §4.2 lookup order). */
export interface CarbonSettings {
  /** User-entered intensity, g/kWh (e.g. from their supplier). */
  userIntensity?: number;
  /** Country the user chose (alpha-2 or alpha-3). */
  country?: string;
  /** Country from the OS locale; used only when `country` is absent, marked assumed. */
  localeCountry?: string;
  /** PUE or PSU factor; default 1.0. */
  overheadFactor?: number;
  /** Injected table (tests). */
  table?: IntensityTable;
}

/** Choose the grid intensity. Unknown codes fall to the world default with a note. */
export function resolveIntensity(s: CarbonSettings): GridIntensity {
  if (s.userIntensity !== undefined && s.userIntensity >= 0) {
    return {
      g: s.userIntensity,
      lowG: s.userIntensity,
      highG: s.userIntensity,
      basis: 'user-value',
      code: 'USER',
      country: 'user-entered',
      source: 'user',
      sourceCode: 'user',
      assumed: false,
      label: `${s.userIntensity} gCO2e/kWh (user-entered)`,
    };
  }
  const table = s.table ?? loadIntensityTable();
  const tryCode = (code: string | undefined, basis: IntensityBasis): GridIntensity | undefined => {
    if (!code) return undefined;
    const row = table.get(code.trim().toUpperCase());
    if (!row) return undefined;
    const alt = row.altG ?? row.g;
    const assumed = basis === 'locale-assumed';
    const src = SOURCE_NAMES[row.source] ?? row.source;
    return {
      g: row.g,
      lowG: Math.min(row.g, alt),
      highG: Math.max(row.g, alt),
      basis,
      code: row.alpha2,
      country: row.country,
      source: src,
      sourceCode: row.source,
      year: row.year,
      assumed,
      label:
        `${row.g} gCO2e/kWh, ${row.country} ${row.year} (${src})` +
        (assumed ? ', assumed from OS locale, please confirm' : ''),
    };
  };
  const chosen = tryCode(s.country, 'user-country') ?? tryCode(s.localeCountry, 'locale-assumed');
  if (chosen) return chosen;
  const why = s.country
    ? `unknown country code "${s.country}"`
    : s.localeCountry
      ? `unknown locale country "${s.localeCountry}"`
      : 'no country set';
  return {
    g: WORLD_DEFAULT.g,
    lowG: WORLD_DEFAULT.low,
    highG: WORLD_DEFAULT.high,
    basis: 'world-default',
    code: 'WORLD',
    country: 'world',
    source: WORLD_DEFAULT.source,
    sourceCode: 'IEA',
    year: WORLD_DEFAULT.year,
    assumed: true,
    label: `475 gCO2e/kWh world default (${WORLD_DEFAULT.source}; ${why})`,
  };
}

/** A carbon figure: grams with an interval and the intensity's provenance. */
export interface CarbonFigure {
  grams: number;
  lowG: number;
  highG: number;
  kWh: number;
  overheadFactor: number;
  intensity: GridIntensity;
  label: string;
  signature: string;
}

/** Joules → kWh. */
export const joulesToKWh = (j: number): number => j / 3.6e6;

/** Carbon for an energy figure; `country` may be a code or full settings. */
export function carbonFor(
  figure: Pick<EnergyFigure, 'joules' | 'lowJ' | 'highJ' | 'perComponent'>,
  country?: string | CarbonSettings,
): CarbonFigure {
  const s: CarbonSettings = typeof country === 'string' ? { country } : (country ?? {});
  const f = s.overheadFactor ?? 1;
  const intensity = resolveIntensity(s);
  const kWh = joulesToKWh(figure.joules);
  const grams = kWh * intensity.g * f;
  return {
    grams,
    lowG: joulesToKWh(figure.lowJ) * intensity.lowG * f,
    highG: joulesToKWh(figure.highJ) * intensity.highG * f,
    kWh,
    overheadFactor: f,
    intensity,
    label: `${grams.toPrecision(3)} gCO2e at ${intensity.label}${f !== 1 ? ` × overhead ${f}` : ''}`,
    signature: energySignature(figure, {
      code: intensity.code,
      source: intensity.sourceCode,
      year: intensity.year,
    }),
  };
}

/** Country from the OS locale environment (LC_ALL, LC_MESSAGES, LANG) or Intl; '' if none. */
export function localeCountry(env: Record<string, string | undefined> = process.env): string {
  for (const k of ['LC_ALL', 'LC_MESSAGES', 'LANG']) {
    const m = /^[a-z]{2,3}[_-]([A-Z]{2})\b/.exec(env[k] ?? '');
    if (m) return m[1];
  }
  const loc = Intl.DateTimeFormat().resolvedOptions().locale;
  return /-([A-Z]{2})\b/.exec(loc)?.[1] ?? '';
}
