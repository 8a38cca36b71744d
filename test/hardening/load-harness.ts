/**
 * Load on the browser host (issue 8, part 5), shared by test/hardening/load-web-server.test.ts and
 * the `load` benchmark, against the host process of load-host.ts: the workspace it reads; the
 * request load (100 clients, 10,000 API calls, a tenth of them invalid, plus HTTP requests and
 * upgrades with a wrong token); a client that reads none of its replies; and the event stream of
 * a long training job read by attentive, slow and stalled clients while the measured queue churns
 * behind it. The bounds the figures must stay within are exported for the summary and the README.
 * No vitest here: the benchmark runs it with tsx.
 */
import { readFileSync } from 'node:fs';
import { WebSocket } from 'ws';
import { BridgeClient, upload } from './load-host';
import type { HostProcess, RssSampler } from './load-host';

/** The load's size, as the issue states it. */
export const LOAD = {
  clients: 100,
  requests: 10_000,
  /** Requests each client keeps outstanding: one, as `autocannon -c 100` would. */
  window: 1,
  /** Every tenth request is invalid: an unknown channel, a bad body, a missing run. */
  invalidEvery: 10,
  /** HTTP requests beside the bridge (half of them with a wrong token) and refused upgrades. */
  http: 400,
  badUpgrades: 20,
};

/** Linux's loopback socket buffers as configured here (defaults where /proc/sys is not readable). */
function stalledBacklogBoundMb(): number {
  const field = (file: string, index: number, fallback: number) => {
    try {
      const value = Number(readFileSync(file, 'utf8').trim().split(/\s+/)[index]);
      return Number.isFinite(value) && value > 0 ? value : fallback;
    } catch {
      return fallback;
    }
  };
  const kernel =
    field('/proc/sys/net/ipv4/tcp_wmem', 2, 4 * 1024 ** 2) +
    field('/proc/sys/net/ipv4/tcp_rmem', 1, 128 * 1024);
  return Math.ceil((1024 ** 2 + kernel + 2 * 1024 ** 2) / 1024 ** 2);
}

/**
 * The bounds the load must stay within (chosen after measuring; see the README's Reliability
 * section for the figures). RSS is the host process's own resident memory.
 */
export const LOAD_BOUNDS = {
  /** Host RSS growth from before the clients connect to the peak under the request load. */
  requestRssGrowthMb: 100,
  /** Host RSS growth during the event stream, with a stalled client that reads nothing. */
  eventRssGrowthMb: 100,
  /**
   * What a stalled client receives once it reads again (everything the host and the kernel held
   * for it): the host's 1 MiB event threshold, the loopback socket buffers (the sender's
   * tcp_wmem maximum and the receiver's default tcp_rmem: 4 MiB + 128 KiB on Linux by default)
   * and 2 MiB for one frame per coalesced key; far below the stream the attentive clients got.
   */
  stalledBacklogMb: stalledBacklogBoundMb(),
  /**
   * Host RSS growth while a client asks for 70 MB of replies and reads none of them (the host
   * works on 16 of its requests at a time and starts none while 4 MiB of its replies wait).
   */
  unreadRepliesRssGrowthMb: 100,
  /** 99th percentile latency of one bridge request under the full load (no starvation). */
  p99Ms: 5000,
};

/** The client that never reads: this many 1,000-row previews of the wide dataset. */
export const UNREAD_REPLIES = { requests: 100, unreadMs: 2000 };

/**
 * The event stream's size: queue churn behind the training job (jobs queued, then cancelled),
 * round after round until each client has been sent `targetBytes` (several times what the kernel
 * and the host may hold for a stalled client), at most `maxRounds`.
 */
export const EVENT_STREAM = {
  clients: 5,
  targetBytes: 20 * 1024 ** 2,
  maxRounds: 8,
  /** Systems per evaluate call (the schema's maximum) × two datasets: 128 jobs per round. */
  systems: 64,
};

export interface Fixtures {
  /** For the load's reads and as an evaluation target: a 50-segment test split. */
  datasets: [string, string];
  /** A 200-pair dataset with a train split, for the training job. */
  training: string;
  /** 50 hypotheses, the outputs of a system "made elsewhere". */
  hypotheses: { upload: string };
  /** A run to read (getRun, getRunSegments). */
  run: string;
  /** 1,000 long rows: a 1,000-row preview is a reply of about 0.7 MB. */
  wide: string;
}

const lines = (n: number, make: (i: number) => string) =>
  Array.from({ length: n }, (_, i) => make(i)).join('\n') + '\n';
const WORDS = ['red', 'green', 'blue', 'small', 'large', 'cat', 'dog', 'bird', 'runs', 'sleeps'];
const sentence = (i: number, shift: number, words = 5) =>
  Array.from(
    { length: words + (i % 4) },
    (_, k) => WORDS[(i * 7 + k * 3 + shift) % WORDS.length],
  ).join(' ');

/** The workspace the load reads: two small datasets, a training set and one evaluated run. */
export async function prepareFixtures(host: HostProcess, client: BridgeClient): Promise<Fixtures> {
  const importText = async (name: string, rows: number, split: string, words = 5) => {
    const source = await upload(
      host,
      `${name}.src`,
      lines(rows, (i) => sentence(i, 0, words)),
    );
    const reference = await upload(
      host,
      `${name}.ref`,
      lines(rows, (i) => sentence(i, 1, words)),
    );
    const manifest = await client.invoke<{ id: string }>('importDataset', [
      {
        name,
        kind: 'translation',
        format: 'text',
        split,
        sourceFile: source,
        referenceFiles: [reference],
      },
    ]);
    return manifest.id;
  };
  const first = await importText('load a', 50, 'test');
  const second = await importText('load b', 50, 'test');
  const training = await importText('load training', 200, 'train');
  const wide = await importText('load wide', 1000, 'test', 60);
  const hypotheses = await upload(
    host,
    'hyp.txt',
    lines(50, (i) => sentence(i, 2)),
  );
  const [job] = await client.invoke<{ jobId: string }[]>('evaluate', [
    {
      systems: [{ type: 'outputs', name: 'made elsewhere', hypotheses }],
      datasets: [{ dataset: first }],
      metrics: ['bleu'],
    },
  ]);
  let run: string | null = null;
  for (let i = 0; i < 600 && !run; i++) {
    const jobs =
      await client.invoke<{ jobId: string; state: string; runId: string | null }[]>('listJobs');
    const mine = jobs.find((j) => j.jobId === job.jobId);
    if (mine && ['failed', 'cancelled', 'interrupted'].includes(mine.state)) {
      throw new Error(`the fixture evaluation ended ${mine.state}`);
    }
    if (mine?.state === 'done') run = mine.runId;
    else await new Promise((r) => setTimeout(r, 100));
  }
  if (!run) throw new Error('the fixture evaluation did not finish within 60 s');
  return { datasets: [first, second], training, hypotheses, run, wide };
}

type Call = [channel: string, args: unknown[]];

/** The valid calls of the mix: the cheap reads a page makes. */
function validCalls(f: Fixtures): Call[] {
  return [
    ['listDatasets', []],
    ['listRuns', []],
    ['listJobs', []],
    ['getDataset', [f.datasets[0]]],
    ['getRun', [f.run]],
    ['previewDataset', [{ dataset: f.datasets[1], split: 'test', offset: 0, limit: 20 }]],
    ['listModels', []],
    ['getRunSegments', [{ run: f.run, offset: 0, limit: 50 }]],
    ['capabilities', []],
    ['listBuiltinDatasets', []],
  ];
}

/** Invalid calls, each to be refused with a clean error (never `internal`). */
function invalidCalls(f: Fixtures): Call[] {
  return [
    ['evalJs', ['process.exit()']],
    ['getDataset', ['../../etc/passwd']],
    ['listRuns', [1]],
    ['getRun', ['no-such-run']],
    ['previewDataset', [{ dataset: f.datasets[0], split: 'test', offset: -1, limit: 5 }]],
    [
      'importDataset',
      [{ name: 'x', kind: 'translation', format: 'text', sourceFile: { path: '/etc/passwd' } }],
    ],
  ];
}

export interface LoadFigures {
  requests: number;
  invalid: number;
  seconds: number;
  perSecond: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  /** Valid requests that failed, and invalid ones not refused cleanly. */
  errors: number;
  errorSamples: string[];
  /** HTTP requests: healthz answered 200, wrong tokens refused 401; upgrades with a bad token. */
  http: { ok: number; refused: number; unexpected: number };
  badUpgrades: { refused: number; unexpected: number };
  rss: { beforeMb: number; peakMb: number; afterMb: number };
  /** Latency per channel (invalid calls apart), to find what a slow tail comes from. */
  byChannel: Record<string, { count: number; p50Ms: number; p99Ms: number }>;
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];

/** Every call once, so the modules they load are in memory before the baseline is read. */
export async function warmUp(client: BridgeClient, fixtures: Fixtures): Promise<void> {
  for (const [channel, args] of [...validCalls(fixtures), ...invalidCalls(fixtures)]) {
    await client.call(channel, args);
  }
}

/** 100 clients, 10,000 requests (a tenth invalid), plus HTTP requests and refused upgrades. */
export async function runRequestLoad(
  host: HostProcess,
  fixtures: Fixtures,
  sampler: RssSampler | null,
): Promise<LoadFigures> {
  const valid = validCalls(fixtures);
  const invalid = invalidCalls(fixtures);
  const beforeMb = sampler?.reset() ?? 0;
  const clients = await Promise.all(
    Array.from({ length: LOAD.clients }, () => BridgeClient.open(host)),
  );
  const perClient = LOAD.requests / LOAD.clients;
  const latencies: number[] = [];
  const perChannel: Record<string, number[]> = {};
  const errorSamples: string[] = [];
  let errors = 0;
  let invalidCount = 0;
  const started = performance.now();

  const drive = async (client: BridgeClient, c: number) => {
    let next = 0;
    const worker = async () => {
      while (next < perClient) {
        const i = c * perClient + next++;
        const bad = i % LOAD.invalidEvery === LOAD.invalidEvery - 1;
        const [channel, args] = bad
          ? invalid[Math.floor(i / LOAD.invalidEvery) % invalid.length]
          : valid[i % valid.length];
        const t0 = performance.now();
        const reply = await client.call(channel, args);
        const ms = performance.now() - t0;
        latencies.push(ms);
        const name = bad ? `${channel} (invalid)` : channel;
        (perChannel[name] ??= []).push(ms);
        if (bad) invalidCount++;
        const clean = bad ? !reply.ok && reply.error?.code !== 'internal' : reply.ok;
        if (!clean) {
          errors++;
          if (errorSamples.length < 5) errorSamples.push(`${channel}: ${JSON.stringify(reply)}`);
        }
      }
    };
    await Promise.all(Array.from({ length: LOAD.window }, worker));
  };

  const http = { ok: 0, refused: 0, unexpected: 0 };
  const httpLoad = async () => {
    for (let i = 0; i < LOAD.http; i++) {
      const wrong = i % 2 === 1;
      const response = await fetch(
        `http://127.0.0.1:${host.port}/${wrong ? '' : 'healthz'}`,
        wrong ? { headers: { 'x-ecoeval-token': 'wrong' } } : {},
      );
      await response.arrayBuffer();
      if (response.status === (wrong ? 401 : 200)) {
        if (wrong) http.refused++;
        else http.ok++;
      } else http.unexpected++;
    }
  };
  const badUpgrades = { refused: 0, unexpected: 0 };
  const upgradeLoad = async () => {
    for (let i = 0; i < LOAD.badUpgrades; i++) {
      const status = await new Promise<number>((resolve) => {
        const ws = new WebSocket(`ws://127.0.0.1:${host.port}/bridge?token=${'0'.repeat(32)}`);
        ws.once('unexpected-response', (_req, res) => {
          resolve(res.statusCode ?? 0);
          ws.terminate();
        });
        ws.once('open', () => {
          resolve(101);
          ws.close();
        });
        ws.once('error', () => resolve(0));
      });
      if (status === 401) badUpgrades.refused++;
      else badUpgrades.unexpected++;
    }
  };

  await Promise.all([...clients.map(drive), httpLoad(), upgradeLoad()]);
  const seconds = (performance.now() - started) / 1000;
  for (const client of clients) client.close();
  await Promise.all(
    clients.map(
      (client) =>
        new Promise<void>((resolve) =>
          client.closed ? resolve() : client.ws.once('close', () => resolve()),
        ),
    ),
  );
  const peakMb = sampler?.peak ?? 0;
  await new Promise((r) => setTimeout(r, 1000));
  const afterMb = sampler?.sample() ?? 0;
  latencies.sort((a, b) => a - b);
  const byChannel: LoadFigures['byChannel'] = {};
  for (const [name, values] of Object.entries(perChannel)) {
    values.sort((a, b) => a - b);
    byChannel[name] = {
      count: values.length,
      p50Ms: percentile(values, 50),
      p99Ms: percentile(values, 99),
    };
  }
  return {
    byChannel,
    requests: latencies.length,
    invalid: invalidCount,
    seconds,
    perSecond: latencies.length / seconds,
    p50Ms: percentile(latencies, 50),
    p95Ms: percentile(latencies, 95),
    p99Ms: percentile(latencies, 99),
    errors,
    errorSamples,
    http,
    badUpgrades,
    rss: { beforeMb, peakMb, afterMb },
  };
}

export interface EventFigures {
  clients: number;
  /** Events the attentive clients received (the most any got). */
  events: number;
  /** Bytes of events an attentive client received, and its largest frame. */
  streamBytes: number;
  largestFrameBytes: number;
  /** Events the stalled client received in all, and bytes once it read again. */
  stalledEvents: number;
  stalledBacklogBytes: number;
  /** Events the slow client received. */
  slowEvents: number;
  /** The training job and its final state as listJobs reports it. */
  jobId: string;
  finalState: string;
  /** Each client's last job:progress state for the job and the job's state in its last queue list. */
  delivered: { progress: string | null; queue: string | null }[];
  /** Whether each client was still connected at the end. */
  connected: boolean[];
  rss: { beforeMb: number; peakMb: number };
  seconds: number;
  /** Seconds at each step: the job stepping, the churn done, the job ended, everyone caught up. */
  marks: Record<string, number>;
}

const TERMINAL = ['done', 'cancelled', 'failed', 'interrupted'];

/** The job's state in a client's last queue list, and its last job:progress state. */
function finalSeen(
  client: BridgeClient,
  jobId: string,
): { progress: string | null; queue: string | null } {
  let progress: string | null = null;
  let queue: string | null = null;
  for (const e of client.events) {
    if (e.event === 'job:progress' && e.payload.jobId === jobId) progress = String(e.payload.state);
    if (e.event === 'queue:changed') {
      const job = (e.payload.jobs as { jobId: string; state: string }[]).find(
        (j) => j.jobId === jobId,
      );
      if (job) queue = job.state;
    }
  }
  return { progress, queue };
}

/**
 * A long training job and its event stream to five clients: three read attentively, one reads
 * in short bursts (slow), one reads nothing until the job has ended (stalled). While the job runs
 * the measured queue churns behind it — 128 evaluations queued, then cancelled, until about
 * 20 MB of `queue:changed` lists were sent to every client; then the job is cancelled. Afterwards
 * the stalled client reads again and must receive every job's final state.
 */
export async function runEventStream(
  host: HostProcess,
  fixtures: Fixtures,
  sampler: RssSampler | null,
): Promise<EventFigures> {
  const driver = await BridgeClient.open(host);
  const clients = await Promise.all(
    Array.from({ length: EVENT_STREAM.clients }, () => BridgeClient.open(host, true)),
  );
  const [reader, , , slow, stalled] = clients;
  const beforeMb = sampler?.reset() ?? 0;
  const started = performance.now();
  const marks: Record<string, number> = {};
  const mark = (name: string) => (marks[name] = (performance.now() - started) / 1000);
  stalled.ws.pause();
  // The slow client reads for 110 ms, then not for 110 ms, over and over.
  let slowPaused = false;
  const slowTimer = setInterval(() => {
    slowPaused = !slowPaused;
    if (slowPaused) slow.ws.pause();
    else slow.ws.resume();
  }, 110);

  const training = driver.call('trainModel', [
    { dataset: fixtures.training, preset: 'tiny', steps: 100_000, evalEvery: 100_000 },
  ]);
  let jobId = '';
  await reader.until((e) => {
    if (e.event !== 'queue:changed') return false;
    const job = (e.payload.jobs as { jobId: string; state: string }[]).find(
      (j) => j.jobId.startsWith('train-') && j.state === 'running',
    );
    if (job) jobId = job.jobId;
    return Boolean(job);
  }, 'running training job');

  mark('running');
  const longName = (i: number) => `system ${String(i).padStart(3, '0')} ${'x'.repeat(100)}`;
  const streamStart = reader.bytes;
  for (
    let round = 0;
    round < EVENT_STREAM.maxRounds && reader.bytes - streamStart < EVENT_STREAM.targetBytes;
    round++
  ) {
    const queued = await driver.invoke<{ jobId: string; state: string }[]>('evaluate', [
      {
        systems: Array.from({ length: EVENT_STREAM.systems }, (_, i) => ({
          type: 'outputs',
          name: longName(i),
          hypotheses: fixtures.hypotheses,
        })),
        datasets: fixtures.datasets.map((dataset) => ({ dataset })),
        metrics: ['bleu'],
        force: true,
      },
    ]);
    const notQueued = queued.filter((j) => j.state !== 'queued');
    if (notQueued.length)
      throw new Error(`not queued behind the training: ${JSON.stringify(notQueued[0])}`);
    await Promise.all(queued.map((j) => driver.invoke('cancelJob', [j.jobId])));
  }
  mark('churned');
  // The trainer must be stepping (its own progress events) before it is cancelled.
  await reader.until(
    (e) => e.event === 'job:progress' && e.payload.jobId === jobId && Number(e.payload.done) >= 2,
    'training progress',
    90_000,
  );
  mark('stepping');
  await driver.invoke('cancelJob', [jobId]);
  const reply = await training;
  mark('ended');
  if (!reply.ok) throw new Error(`trainModel: ${JSON.stringify(reply.error)}`);
  const jobs = await driver.invoke<{ jobId: string; state: string }[]>('listJobs');
  const finalState = jobs.find((j) => j.jobId === jobId)?.state ?? 'missing';
  const ended = (client: BridgeClient) => {
    const seen = finalSeen(client, jobId);
    return (
      seen.queue !== null &&
      TERMINAL.includes(seen.queue) &&
      seen.progress !== null &&
      seen.progress !== 'running'
    );
  };
  const waitEnded = async (client: BridgeClient, timeoutMs: number) => {
    const deadline = Date.now() + timeoutMs;
    while (!ended(client) && !client.closed && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  for (const client of clients.slice(0, 3)) await waitEnded(client, 30_000);
  const peakMb = sampler?.peak ?? 0;

  // The slow and the stalled client read again: whatever was held for them arrives now.
  clearInterval(slowTimer);
  slow.ws.resume();
  const stalledBefore = stalled.bytes;
  stalled.ws.resume();
  await waitEnded(slow, 30_000);
  await waitEnded(stalled, 30_000);
  mark('caught up');
  // A moment for anything still in flight, so the counts below are final.
  await new Promise((r) => setTimeout(r, 300));
  const figures: EventFigures = {
    clients: clients.length,
    events: Math.max(...clients.slice(0, 3).map((c) => c.events.length)),
    streamBytes: reader.bytes,
    largestFrameBytes: reader.largest,
    stalledEvents: stalled.events.length,
    stalledBacklogBytes: stalled.bytes - stalledBefore,
    slowEvents: slow.events.length,
    jobId,
    finalState,
    delivered: clients.map((c) => finalSeen(c, jobId)),
    connected: clients.map((c) => !c.closed),
    rss: { beforeMb, peakMb },
    seconds: (performance.now() - started) / 1000,
    marks,
  };
  for (const client of [driver, ...clients]) client.close();
  return figures;
}

export interface UnreadFigures {
  requests: number;
  /** Bytes of replies the client asked for, and received once it read again. */
  replyBytes: number;
  replies: number;
  rss: { beforeMb: number; peakMb: number };
}

/**
 * A client that sends 100 requests with 0.7 MB replies and reads none of them for two seconds: the host must hold back (not buffer) what it cannot send; then the client reads, and
 * every reply must arrive.
 */
export async function runUnreadReplies(
  host: HostProcess,
  fixtures: Fixtures,
  sampler: RssSampler | null,
): Promise<UnreadFigures> {
  const client = await BridgeClient.open(host);
  const beforeMb = sampler?.reset() ?? 0;
  client.ws.pause();
  const replies = Array.from({ length: UNREAD_REPLIES.requests }, () =>
    client.call('previewDataset', [
      { dataset: fixtures.wide, split: 'test', offset: 0, limit: 1000 },
    ]),
  );
  await new Promise((r) => setTimeout(r, UNREAD_REPLIES.unreadMs));
  const peakMb = sampler?.peak ?? 0;
  client.ws.resume();
  const got = await Promise.all(replies);
  const figures: UnreadFigures = {
    requests: UNREAD_REPLIES.requests,
    replyBytes: client.bytes,
    replies: got.filter((r) => r.ok && (r.result as { rows: unknown[] }).rows.length === 1000)
      .length,
    rss: { beforeMb, peakMb },
  };
  client.close();
  return figures;
}

/** The summary line the test prints (and the README quotes). */
export function summaryLine(
  load: LoadFigures,
  events: EventFigures,
  unread: UnreadFigures,
): string {
  const mb = (v: number) => v.toFixed(0);
  return (
    `Load: ${load.requests} requests from ${LOAD.clients} clients in ${load.seconds.toFixed(1)} s ` +
    `(${load.perSecond.toFixed(0)} req/s), p50 ${load.p50Ms.toFixed(0)} ms, p95 ${load.p95Ms.toFixed(0)} ms, ` +
    `p99 ${load.p99Ms.toFixed(0)} ms, ${load.errors} errors (${load.invalid} invalid refused cleanly, ` +
    `${load.http.refused + load.badUpgrades.refused} bad-token HTTP/upgrade refused); ` +
    `RSS ${mb(load.rss.beforeMb)} → peak ${mb(load.rss.peakMb)} MB (+${mb(load.rss.peakMb - load.rss.beforeMb)} MB, ` +
    `bound ${LOAD_BOUNDS.requestRssGrowthMb} MB); event stream: ${events.events} events ` +
    `(${(events.streamBytes / 1024 ** 2).toFixed(1)} MB) to ${events.clients} clients, final state delivered to all; ` +
    `stalled client got ${events.stalledEvents} events, ${(events.stalledBacklogBytes / 1024).toFixed(0)} KB ` +
    `held for it (bound ${LOAD_BOUNDS.stalledBacklogMb} MB); RSS +${mb(events.rss.peakMb - events.rss.beforeMb)} MB ` +
    `(bound ${LOAD_BOUNDS.eventRssGrowthMb} MB); a client that read none of ${(unread.replyBytes / 1024 ** 2).toFixed(0)} MB ` +
    `of replies: RSS +${mb(unread.rss.peakMb - unread.rss.beforeMb)} MB (bound ${LOAD_BOUNDS.unreadRepliesRssGrowthMb} MB), ` +
    `all ${unread.replies} replies delivered once it read`
  );
}
