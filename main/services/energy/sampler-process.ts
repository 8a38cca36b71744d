/**
 * Entry point of the sampler process. Forked with `child_process.fork` (CLI, browser host,
 * tests: the .ts file with `--import tsx`) or started as an Electron utility process from the
 * built bundle `out/main/energy-sampler.js`. Picks the matching port and serves one client.
 */
import { runSamplerHost } from './sampler-host';
import { electronParentPort, parentProcessPort } from './transport';
import type { ParentPortLike } from './transport';

const pp = (process as unknown as { parentPort?: ParentPortLike }).parentPort;
const port = pp ? electronParentPort(pp) : parentProcessPort();
runSamplerHost(port, { onClosed: () => setTimeout(() => process.exit(0), 10) });
// An orphaned sampler must not outlive its client.
process.on('disconnect', () => process.exit(0));
