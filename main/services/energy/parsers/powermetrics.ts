/**
 * Parser for macOS `powermetrics --samplers cpu_power` text (energy.md §1.5, scenario 39), for
 * the v2 meter: CPU/GPU/ANE/Combined power in mW per sample block, and detection of the sudo
 * password prompt or superuser error, which make the meter unavailable with a reason.
 */

/** One sample block's powers in W (missing lines stay undefined, never 0). */
export interface PowermetricsSample {
  cpuW?: number;
  gpuW?: number;
  aneW?: number;
  combinedW?: number;
}

/** Why powermetrics cannot be used, if its output says so. */
export function powermetricsUnavailable(text: string): string | undefined {
  if (/^Password:|sudo: a (terminal|password) is required/m.test(text))
    return 'powermetrics needs sudo: add a sudoers line for /usr/bin/powermetrics (NOPASSWD) to enable it';
  if (/must be invoked as the superuser/i.test(text))
    return 'powermetrics must run as root; add a sudoers line for /usr/bin/powermetrics to enable it';
  return undefined;
}

/** Parse all sample blocks (separated by "*** Sampled system activity" headers). */
export function parsePowermetrics(text: string): PowermetricsSample[] {
  const blocks = text.split(/\*\*\* Sampled system activity[^\n]*\n/).slice(1);
  const field = (block: string, label: string): number | undefined => {
    const m = new RegExp(`^${label} Power(?: \\([^)]*\\))?:\\s*([\\d.]+)\\s*mW`, 'm').exec(block);
    return m ? Number(m[1]) / 1000 : undefined;
  };
  return blocks.map((b) => ({
    cpuW: field(b, 'CPU'),
    gpuW: field(b, 'GPU'),
    aneW: field(b, 'ANE'),
    combinedW: field(b, 'Combined'),
  }));
}
