// The real-process cases of concurrency-processes.test.ts (the browser host and `ecoeval`
// commands on one workspace), named here so the hardening summary can count them without
// starting any process. The test titles are these strings.
export const CONCURRENT_CASE_NAMES = [
  'a host evaluation and a CLI evaluation started together are measured one after the other',
  'dataset imports from both sides at once: all load, none partial, one name gets two clear ids',
  'CLI runs tag, rename and delete racing the host on the same runs leave a consistent workspace',
  'a measurement-slot holder killed with SIGKILL is taken over within seconds, and it is said',
  'a CLI training waits for an evaluation the host is running, then trains',
] as const;

export const CONCURRENT_CASES = CONCURRENT_CASE_NAMES.length;
