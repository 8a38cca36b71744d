/**
 * sacreBLEU-format reproducibility signatures (`metrics/base.py` `Signature` and the per-metric
 * subclasses of sacreBLEU 2.6.0). Field order and short keys match sacreBLEU; only `version`
 * differs: `ecoeval-<METRICS_VERSION>+sacrebleu-<SACREBLEU_VERSION>`, so no output pretends to
 * come from sacreBLEU itself.
 */
import { METRICS_VERSION, SACREBLEU_VERSION } from './base';

/** One `key:value` pair with its short (`-sh`) key. */
export interface SignaturePair {
  key: string;
  short: string;
  value: string;
}

/** The value of every signature's `version` field. */
export const SIGNATURE_VERSION = `ecoeval-${METRICS_VERSION}+sacrebleu-${SACREBLEU_VERSION}`;

/** Statistical-test fields sacreBLEU inserts right after `nrefs`, in this order. */
export interface SignatureExtras {
  /** Bootstrap resamples (`bs`). */
  bs?: number;
  /** Approximate-randomization trials (`ar`). */
  ar?: number;
  /** RNG seed (`seed`, short `rs`). */
  seed?: string;
}

/** A signature with the global fields in sacreBLEU's order: nrefs, bs, ar, seed, metric..., version. */
export function buildSignature(
  nrefs: number | 'var',
  metricPairs: readonly SignaturePair[],
  extras: SignatureExtras = {},
): SignaturePair[] {
  const pairs: SignaturePair[] = [{ key: 'nrefs', short: '#', value: String(nrefs) }];
  if (extras.bs !== undefined) pairs.push({ key: 'bs', short: 'bs', value: String(extras.bs) });
  if (extras.ar !== undefined) pairs.push({ key: 'ar', short: 'ar', value: String(extras.ar) });
  if (extras.seed !== undefined) pairs.push({ key: 'seed', short: 'rs', value: extras.seed });
  pairs.push(...metricPairs, { key: 'version', short: 'v', value: SIGNATURE_VERSION });
  return pairs;
}

/** `key:value|...` in long form, or with the short keys when `short` is true. */
export function formatSignature(pairs: readonly SignaturePair[], short = false): string {
  return pairs.map((p) => `${short ? p.short : p.key}:${p.value}`).join('|');
}

/** Python's bool rendering in signatures (`yes`/`no`). */
export function yesNo(flag: boolean): string {
  return flag ? 'yes' : 'no';
}

/**
 * Adds statistical-test fields to a long-form signature string produced by any `CorpusMetric`
 * (used by the CLI for `-ci` and paired tests, which sacreBLEU reports in the signature).
 */
export function withExtras(signature: string, extras: SignatureExtras): string {
  const parts = signature.split('|');
  const head = parts[0].startsWith('nrefs:') ? [parts.shift()!] : [];
  const extra: string[] = [];
  if (extras.bs !== undefined) extra.push(`bs:${extras.bs}`);
  if (extras.ar !== undefined) extra.push(`ar:${extras.ar}`);
  if (extras.seed !== undefined) extra.push(`seed:${extras.seed}`);
  return [...head, ...extra, ...parts].join('|');
}

// Short keys for the global fields and, per metric family, the metric's own fields.
const GLOBAL_SHORT: Record<string, string> = {
  nrefs: '#',
  bs: 'bs',
  ar: 'ar',
  seed: 'rs',
  test: 't',
  lang: 'l',
  origlang: 'o',
  subset: 'S',
  version: 'v',
};
const FAMILY_SHORT: Record<string, Record<string, string>> = {
  bleu: { case: 'c', eff: 'e', tok: 'tok', smooth: 's' },
  chrf: { case: 'c', eff: 'e', nc: 'nc', nw: 'nw', space: 's' },
  ter: { case: 'c', tok: 't', norm: 'nr', punct: 'pn', asian: 'as' },
};

/**
 * Shortens a long-form signature string (`-sh`). `family` picks the metric's key table
 * (`bleu`, `chrf`, `ter`); unknown keys keep their long name.
 */
export function shortenSignature(signature: string, family: string): string {
  const table = FAMILY_SHORT[family] ?? {};
  return signature
    .split('|')
    .map((pair) => {
      const colon = pair.indexOf(':');
      const key = pair.slice(0, colon);
      return `${table[key] ?? GLOBAL_SHORT[key] ?? key}${pair.slice(colon)}`;
    })
    .join('|');
}
