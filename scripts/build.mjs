// Builds main, preload and renderer with electron-vite (no Electron binary needed).
// `--if-stale` skips the build when out/ is newer than every source file (fast `npm run web`).
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync, existsSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const sources = ['main', 'renderer', 'shared', 'electron.config.ts', 'package.json'];

function newest(path) {
  if (!existsSync(path)) return 0;
  const info = statSync(path);
  if (!info.isDirectory()) return info.mtimeMs;
  let max = info.mtimeMs;
  for (const entry of readdirSync(path)) max = Math.max(max, newest(join(path, entry)));
  return max;
}

if (process.argv.includes('--if-stale')) {
  const built = join(root, 'out/main/cli.js');
  if (existsSync(built)) {
    const builtAt = statSync(built).mtimeMs;
    if (sources.every((s) => newest(join(root, s)) < builtAt)) process.exit(0);
  }
}
const bin = join(root, 'node_modules/electron-vite/bin/electron-vite.js');
if (!existsSync(bin)) {
  console.error('electron-vite is not installed; run `npm install` first.');
  process.exit(1);
}
const result = spawnSync(process.execPath, [bin, 'build', '--config', 'electron.config.ts'], {
  cwd: root,
  stdio: [
    'ignore',
    process.env.ECOEVAL_BUILD_VERBOSE ? 'inherit' : 'pipe',
    process.env.ECOEVAL_BUILD_VERBOSE ? 'inherit' : 'pipe',
  ],
});
if (result.status !== 0) {
  if (result.stdout) process.stdout.write(result.stdout);
  if (result.stderr) process.stderr.write(result.stderr);
  console.error('Build failed.');
  process.exit(result.status ?? 1);
}
