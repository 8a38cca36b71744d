// `ecoeval` as a real process without a build (node --import tsx test/hardening/cli-entry.ts ...),
// for the bad-input cases that need one (see spawnCli in harness.ts).
import { main } from '../../main/cli/index';

await main();
