#!/usr/bin/env node
// `npx ecoeval`: runs the built CLI (out/main/cli.js; `npm install` builds it via `prepare`).
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const cli = fileURLToPath(new URL('../out/main/cli.js', import.meta.url));
if (!existsSync(cli)) {
  console.error(
    'ecoeval: the CLI is not built yet. Run `npm run build` (npm install does it) and retry.',
  );
  process.exit(1);
}
const { main } = await import(pathToFileURL(cli).href);
await main();
