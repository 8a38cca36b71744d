// Load on the browser host (issue 8, part 5): the real host as its own process on 127.0.0.1 with
// its per-launch token (load-harness.ts). 100 WebSocket clients send 10,000 API calls (a tenth of
// them invalid, each refused cleanly) beside HTTP requests and upgrades with a wrong token; every
// valid call must succeed, the host's RSS (from /proc) must grow less than the stated bound, and it
// must still answer afterwards. A client that asks for 70 MB of replies and reads none of them is
// held back (its requests wait in TCP) instead of buffered, and gets every reply once it reads.
// Then the event stream of a long training job, with the measured
// queue churning behind it, goes to five clients — attentive, slow, and one that reads nothing
// until the job has ended: every client gets the job's final state, the stalled one without the
// host holding the whole stream for it, and the host's memory stays bounded meanwhile.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  LOAD,
  LOAD_BOUNDS,
  prepareFixtures,
  runEventStream,
  runRequestLoad,
  runUnreadReplies,
  summaryLine,
  warmUp,
} from './load-harness';
import type { EventFigures, Fixtures, LoadFigures, UnreadFigures } from './load-harness';
import { BridgeClient, RssSampler, procAvailable, startHostProcess } from './load-host';
import type { HostProcess } from './load-host';

// Real processes (the host, a trainer) on a shared 2-core machine.
vi.setConfig({ testTimeout: 180_000, hookTimeout: 180_000 });

let host: HostProcess;
let sampler: RssSampler | null = null;
let fixtures: Fixtures;
let load: LoadFigures | undefined;
let events: EventFigures | undefined;
let unread: UnreadFigures | undefined;

beforeAll(async () => {
  host = await startHostProcess();
  const setup = await BridgeClient.open(host);
  fixtures = await prepareFixtures(host, setup);
  await warmUp(setup, fixtures);
  setup.close();
  if (procAvailable) sampler = new RssSampler(host.pid);
});

afterAll(async () => {
  sampler?.stop();
  if (load && events && unread) console.log(summaryLine(load, events, unread));
  await host?.stop();
});

describe('the browser host under load', () => {
  it('answers 10,000 requests from 100 clients, refuses the invalid ones cleanly, and stays within its memory bound', async () => {
    load = await runRequestLoad(host, fixtures, sampler);
    expect(load.requests).toBe(LOAD.requests);
    expect(load.errorSamples).toEqual([]);
    expect(load.errors).toBe(0);
    expect(load.invalid).toBe(LOAD.requests / LOAD.invalidEvery);
    expect(load.http).toEqual({ ok: LOAD.http / 2, refused: LOAD.http / 2, unexpected: 0 });
    expect(load.badUpgrades).toEqual({ refused: LOAD.badUpgrades, unexpected: 0 });
    expect(load.p99Ms).toBeLessThan(LOAD_BOUNDS.p99Ms);
    if (sampler) {
      expect(load.rss.peakMb - load.rss.beforeMb).toBeLessThan(LOAD_BOUNDS.requestRssGrowthMb);
    }
    // Still answering afterwards.
    const after = await BridgeClient.open(host);
    expect(await after.call('listDatasets')).toMatchObject({ ok: true });
    after.close();
    expect((await fetch(`http://127.0.0.1:${host.port}/healthz`)).status).toBe(200);
    expect(host.output()).not.toMatch(/handler error|request failed/);
  });

  it('delivers the final state of a long job to every client, a stalled one too, with bounded memory', async () => {
    events = await runEventStream(host, fixtures, sampler);
    expect(['cancelled', 'done']).toContain(events.finalState);
    // Everyone, the slow and the stalled client included, ends with the job's final state.
    for (const [i, seen] of events.delivered.entries()) {
      expect(seen.queue, `client ${i}: the job's state in its last queue list`).toBe(
        events.finalState,
      );
      expect(seen.progress, `client ${i}: the last job:progress`).not.toBe('running');
      expect(seen.progress).toBe(events.delivered[0].progress);
    }
    expect(events.connected).toEqual(events.delivered.map(() => true));
    // The stalled client was held within the bound, well below the stream the others got: its
    // intermediate events were coalesced, not queued.
    expect(events.stalledBacklogBytes).toBeLessThan(LOAD_BOUNDS.stalledBacklogMb * 1024 ** 2);
    expect(events.streamBytes).toBeGreaterThan(2 * events.stalledBacklogBytes);
    expect(events.stalledEvents).toBeLessThan(events.events);
    if (sampler) {
      expect(events.rss.peakMb - events.rss.beforeMb).toBeLessThan(LOAD_BOUNDS.eventRssGrowthMb);
    }
    expect(host.output()).not.toMatch(/handler error|request failed|bridge client closed/);
  });

  it('holds back the requests of a client that reads none of its replies, and loses none', async () => {
    unread = await runUnreadReplies(host, fixtures, sampler);
    expect(unread.replies).toBe(unread.requests);
    if (sampler) {
      expect(unread.rss.peakMb - unread.rss.beforeMb).toBeLessThan(
        LOAD_BOUNDS.unreadRepliesRssGrowthMb,
      );
    }
    expect(host.output()).not.toMatch(/handler error|request failed|bridge client closed/);
  });
});
