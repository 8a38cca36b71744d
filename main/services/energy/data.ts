/**
 * Locates and parses the two shipped tables (`data/cpu-tdp.csv`, `data/carbon-intensity.csv`).
 * The sampler runs from TypeScript sources (tests, tsx) and from a built bundle
 * (`out/main/energy-sampler.js`), so the folder is found from a list of candidates; callers that
 * package the app pass `dataDir` explicitly.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';

/** Find the data folder: explicit option, `ECOEVAL_ENERGY_DATA`, next to this module, or the repo. */
export function resolveDataDir(explicit?: string): string {
  const candidates = [
    explicit,
    process.env.ECOEVAL_ENERGY_DATA,
    fileURLToPath(new URL('./data/', import.meta.url)),
    // Built bundle in out/main/: the build may copy the tables to out/main/energy-data/.
    fileURLToPath(new URL('./energy-data/', import.meta.url)),
    fileURLToPath(new URL('../../main/services/energy/data/', import.meta.url)),
    // Shared chunks of the bundle (out/main/chunks/) sit one folder deeper.
    fileURLToPath(new URL('../../../main/services/energy/data/', import.meta.url)),
    join(process.cwd(), 'main/services/energy/data'),
  ];
  for (const c of candidates) {
    if (c && existsSync(join(c, 'cpu-tdp.csv'))) return c;
  }
  throw new Error(
    `energy data tables not found (looked in ${candidates.filter(Boolean).join(', ')}); pass dataDir`,
  );
}

/** Parse a CSV with a header into records of strings; every field is text (Namibia is `NA`). */
export function readCsvRecords(path: string): Array<Record<string, string>> {
  return parse(readFileSync(path, 'utf8'), {
    columns: true,
    skip_empty_lines: true,
    relax_column_count: true,
  }) as Array<Record<string, string>>;
}
