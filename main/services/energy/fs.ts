/**
 * The narrow, synchronous file-system view every sysfs/procfs reader uses, rooted at an
 * injectable directory so tests can hand in fake powercap/hwmon/proc trees (energy.md §5: CI runs
 * as root, so permission failures must be simulated here, not with file modes).
 */
import { closeSync, openSync, readFileSync, readSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** Read-only file-system access for meters. Paths are absolute inside the (possibly fake) root. */
export interface EnergyFs {
  /** Root shown in messages; `/` on a real machine. */
  readonly root: string;
  /** Whole file as text. Throws Node-style errors (`code` = ENOENT, EACCES, EIO, ...). */
  readText(path: string): string;
  /** Directory entries; throws like `readText`. */
  list(path: string): string[];
}

/**
 * Sysfs attribute files are a few bytes; synchronous reads avoid a libuv thread-pool round trip
 * per read, which is most of the sampler's cost at 1–10 Hz.
 */
export function nodeFs(root = '/'): EnergyFs {
  // sysfs attributes are regenerated on every read at offset 0, so a kept-open descriptor read
  // with pread(…, 0) replaces open+read+close per sample (the bulk of the sampler's syscalls).
  const fds = new Map<string, number>();
  const buf = Buffer.alloc(4096);
  const preadText = (full: string): string => {
    let fd = fds.get(full);
    if (fd === undefined) {
      fd = openSync(full, 'r');
      fds.set(full, fd);
    }
    try {
      const n = readSync(fd, buf, 0, buf.length, 0);
      return buf.toString('utf8', 0, n);
    } catch (e) {
      fds.delete(full);
      closeSync(fd);
      throw e;
    }
  };
  return {
    root,
    readText: (p) => {
      const full = join(root, p);
      return p.startsWith('/sys/') ? preadText(full) : readFileSync(full, 'utf8');
    },
    list: (p) => readdirSync(join(root, p)),
  };
}

/** The errno code of a thrown fs error, or `EUNKNOWN`. */
export function errnoOf(e: unknown): string {
  return typeof e === 'object' && e !== null && 'code' in e && typeof e.code === 'string'
    ? e.code
    : 'EUNKNOWN';
}

/** Read a file, returning undefined instead of throwing. */
export function tryRead(fs: EnergyFs, path: string): string | undefined {
  try {
    return fs.readText(path);
  } catch {
    return undefined;
  }
}

/** List a directory, returning [] instead of throwing. */
export function tryList(fs: EnergyFs, path: string): string[] {
  try {
    return fs.list(path);
  } catch {
    return [];
  }
}

/** Parse a sysfs integer attribute into BigInt; throws on empty or non-numeric content. */
export function parseBigIntAttr(text: string, path: string): bigint {
  const s = text.trim();
  if (!/^\d+$/.test(s)) throw new Error(`${path}: not a counter value (${JSON.stringify(s)})`);
  return BigInt(s);
}
