/**
 * electron-vite build of the three parts: main (the Electron entry plus the Node entries that
 * share its services: the browser host, the CLI, the energy sampler process), the sandboxed
 * preload (CommonJS: sandboxed renderers accept nothing else), and the Svelte renderer.
 * Runtime `dependencies` (native or runtime-loaded) stay external; devDependencies are bundled.
 */
import { defineConfig } from 'electron-vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

const root = import.meta.dirname;
const mainEntries: Record<string, string> = {
  index: resolve(root, 'main/index.ts'),
  'web-server': resolve(root, 'main/web-server.ts'),
  cli: resolve(root, 'main/cli/index.ts'),
};
// Child-process entries (forked by the services), present as their features land.
const childEntries: Record<string, string> = {
  'energy-sampler': 'main/services/energy/sampler-process.ts',
  'model-trainer': 'main/services/model/trainer-process.ts',
  'model-shard-worker': 'main/services/model/shard-worker.ts',
  'run-evaluator': 'main/services/runs/evaluator-process.ts',
};
for (const [name, file] of Object.entries(childEntries)) {
  if (existsSync(resolve(root, file))) mainEntries[name] = resolve(root, file);
}

export default defineConfig({
  main: {
    build: {
      outDir: 'out/main',
      rolldownOptions: {
        input: mainEntries,
        output: { format: 'es', entryFileNames: '[name].js' },
      },
    },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      rolldownOptions: {
        input: { preload: resolve(root, 'main/preload.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve(root, 'renderer'),
    base: './',
    plugins: [svelte()],
    worker: { format: 'es' },
    build: {
      outDir: resolve(root, 'out/renderer'),
      emptyOutDir: true,
      minify: true,
      rolldownOptions: { input: resolve(root, 'renderer/index.html') },
    },
  },
});
