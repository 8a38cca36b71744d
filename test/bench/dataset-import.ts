/**
 * Issue 2's benchmark: import a 1,000,000-line parallel text pair through the whole dataset
 * service (read, validate, write the split and its index, hash, statistics, atomic commit).
 * Goal: under 10 s and under 500 MB peak RSS on the project's 2-core machine.
 */
import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAppServices } from '../../main/app';
import { checkRegularFile } from '../../main/services/files';
import { validatedApi } from '../../main/bridge/direct';
import type { BenchSuite } from './types';

const LINES = 1_000_000;

function sentence(i: number, salt: number): string {
  const words = [
    'energy',
    'model',
    'token',
    'quality',
    'joule',
    'the',
    'a',
    'of',
    'runs',
    'small',
    'large',
    'score',
  ];
  const out: string[] = [];
  let x = (i * 2654435761 + salt) >>> 0;
  for (let w = 0; w < 9; w++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out.push(words[x % words.length]);
  }
  return `${out.join(' ')} ${i}.`;
}

export const suite: BenchSuite = async (log) => {
  const dir = await mkdtemp(join(tmpdir(), 'ecoeval-bench-import-'));
  try {
    const src = join(dir, 'src.txt');
    const ref = join(dir, 'ref.txt');
    // Written in slices so the input's own generation does not inflate the measured peak.
    const write = async (path: string, salt: number) => {
      const handle = await open(path, 'w');
      for (let start = 0; start < LINES; start += 20_000) {
        let text = '';
        for (let i = start; i < start + 20_000; i++) text += sentence(i, salt) + '\n';
        await handle.write(text);
      }
      await handle.close();
    };
    await write(src, 1);
    await write(ref, 2);
    (globalThis as { gc?: () => void }).gc?.();
    const services = await createAppServices({
      workspaceDir: join(dir, 'ws'),
      host: {
        kind: 'cli',
        maxUploadBytes: 0,
        resolveFile: async (r) => checkRegularFile('path' in r ? r.path : ''),
        exportDirectory: async (d) => d ?? dir,
        exportResult: (f) => f,
        pickFiles: async () => [],
      },
    });
    const api = validatedApi(services.handlers);
    let peak = process.memoryUsage().rss;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
    const started = performance.now();
    const manifest = await api.importDataset({
      name: 'bench',
      kind: 'translation',
      format: 'text',
      sourceFile: { path: src },
      referenceFiles: [{ path: ref }],
    });
    const seconds = (performance.now() - started) / 1000;
    clearInterval(sampler);
    peak = Math.max(peak, process.resourceUsage().maxRSS * 1024);
    const mb = peak / 1024 ** 2;
    log(
      `dataset import: ${manifest.splits[0].rows.toLocaleString('en-US')} line pairs (${(manifest.source.files[0].bytes / 1e6).toFixed(1)} MB + ${(manifest.source.files[1].bytes / 1e6).toFixed(1)} MB) in ${seconds.toFixed(2)} s, peak RSS ${mb.toFixed(0)} MB`,
    );
    return [
      {
        name: 'Dataset import, 1,000,000-line parallel text pair (wall time)',
        value: seconds,
        unit: 's',
        goal: '< 10 s',
        met: seconds < 10,
      },
      {
        name: 'Dataset import, peak RSS of the whole process',
        value: mb,
        unit: 'MB',
        goal: '< 500 MB',
        met: mb < 500,
      },
    ];
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
};
