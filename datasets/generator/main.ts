/**
 * Command-line entry of the dataset generator:
 * `npx tsx datasets/generator/main.ts [--out DIR]` (default: the repository's `datasets/` folder).
 * Prints one line per written data file.
 */
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatBytes } from './dataset';
import { generateAll } from './generate';

/** The `datasets/` folder this script lives in. */
const DEFAULT_OUT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function parseArgs(argv: readonly string[]): { out: string } {
  let out = DEFAULT_OUT;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--out' && i + 1 < argv.length) out = resolve(argv[++i]);
    else if (arg.startsWith('--out=')) out = resolve(arg.slice('--out='.length));
    else throw new Error(`unknown argument "${arg}"; usage: main.ts [--out DIR]`);
  }
  return { out };
}

const { out } = parseArgs(process.argv.slice(2));
let total = 0;
for (const dataset of generateAll(out)) {
  for (const file of dataset.files) {
    total += file.bytes;
    console.log(
      `${relative(process.cwd(), file.path)}\t${file.lines} lines\t${formatBytes(file.bytes)}`,
    );
  }
}
console.log(`total data: ${formatBytes(total)} in ${out}`);
