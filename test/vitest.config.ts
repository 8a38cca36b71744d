// Two vitest projects: `node` (services, metrics, bridge, CLI) and `dom` (Svelte components in jsdom).
import { defineConfig } from 'vitest/config';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

export default defineConfig({
  root,
  test: {
    reporters: ['default', 'json'],
    outputFile: { json: 'reports/vitest.json' },
    projects: [
      {
        test: {
          name: 'node',
          root,
          include: ['test/unit/**/*.test.ts', 'test/hardening/**/*.test.ts'],
          exclude: ['test/unit/**/*.dom.test.ts'],
          environment: 'node',
          pool: 'forks',
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        plugins: [svelte()],
        resolve: { conditions: ['browser'] },
        test: {
          name: 'dom',
          root,
          include: ['test/unit/**/*.dom.test.ts'],
          environment: 'jsdom',
        },
      },
    ],
  },
});
