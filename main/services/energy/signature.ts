/**
 * The energy signature: one line in sacreBLEU's `key:value|key:value` style that states how a
 * figure was obtained (meters, scopes, basis, grid intensity source and year, version), so a
 * reviewer can check it and a footnote can cite it.
 */
import type { ComponentFigure } from './types';

/** Version of the measurement method; bumps when arithmetic or defaults change. */
export const ENERGY_METHOD_VERSION = '0.1.0';

/** Short meter code from a meter id: `rapl:package-0` → `rapl`, `est:cpu-tdp` → `tdp`. */
function meterCode(id: string): string {
  if (id.startsWith('est:cpu')) return 'tdp';
  if (id.startsWith('est:ram')) return 'dimm';
  if (id.startsWith('hwmon:')) return 'hwmon';
  return id.split(':')[0];
}

/** Grid part of the signature, e.g. `FR.CC.2022`, `world.475`, `user`. */
export interface SignatureGrid {
  code: string;
  source: string;
  year?: number;
}

/**
 * Build a signature from a figure's components (idle devices excluded) and, when carbon was
 * computed, its grid intensity.
 */
export function buildSignature(
  components: Array<Pick<ComponentFigure, 'component' | 'meterId' | 'method' | 'scope'>>,
  basis: 'gross' | 'net',
  grid?: SignatureGrid,
  version = ENERGY_METHOD_VERSION,
): string {
  const meters = new Map<string, number>();
  const scopes = new Set<string>();
  for (const c of components) {
    const key = `${c.component}=${meterCode(c.meterId)}.${c.method}`;
    meters.set(key, (meters.get(key) ?? 0) + 1);
    scopes.add(c.scope);
  }
  const meterText =
    [...meters]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([k, n]) => (n > 1 ? `${k}x${n}` : k))
      .join(',') || 'none';
  const gridText = grid ? `${grid.code}.${grid.source}${grid.year ? `.${grid.year}` : ''}` : 'none';
  return [
    `meters:${meterText}`,
    `scope:${[...scopes].sort().join('+') || 'none'}`,
    `basis:${basis}`,
    `grid:${gridText}`,
    `version:${version}`,
  ].join('|');
}

/** The signature of a figure, optionally with the grid used for its carbon figure. */
export function energySignature(
  figure: { perComponent: ComponentFigure[]; basis?: 'gross' },
  grid?: SignatureGrid,
): string {
  return buildSignature(figure.perComponent, 'gross', grid);
}
