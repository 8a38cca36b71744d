/**
 * The browser host under load (issue 8, part 5), the same scenarios as
 * test/hardening/load-web-server.test.ts: the host as its own process; 100 WebSocket clients
 * sending 10,000 API calls (a tenth invalid); a client reading none of 70 MB of replies; the event
 * stream of a training job to five clients, one stalled. Reports throughput, latency percentiles,
 * the host's RSS growth (from /proc) and what was held for the stalled client, against the bounds
 * the test enforces.
 */
import {
  LOAD,
  LOAD_BOUNDS,
  prepareFixtures,
  runEventStream,
  runRequestLoad,
  runUnreadReplies,
  summaryLine,
  warmUp,
} from '../hardening/load-harness';
import { BridgeClient, RssSampler, procAvailable, startHostProcess } from '../hardening/load-host';
import type { BenchFigure, BenchSuite } from './types';

export const suite: BenchSuite = async (log) => {
  const host = await startHostProcess();
  const sampler = procAvailable ? new RssSampler(host.pid) : null;
  try {
    const setup = await BridgeClient.open(host);
    const fixtures = await prepareFixtures(host, setup);
    await warmUp(setup, fixtures);
    setup.close();
    const load = await runRequestLoad(host, fixtures, sampler);
    const events = await runEventStream(host, fixtures, sampler);
    const unread = await runUnreadReplies(host, fixtures, sampler);
    log(summaryLine(load, events, unread));
    const growth = load.rss.peakMb - load.rss.beforeMb;
    const eventGrowth = events.rss.peakMb - events.rss.beforeMb;
    const unreadGrowth = unread.rss.peakMb - unread.rss.beforeMb;
    const figures: BenchFigure[] = [
      {
        name: `bridge requests/s, ${LOAD.clients} clients × one outstanding, ${LOAD.requests} calls (${load.errors} errors)`,
        value: load.perSecond,
        unit: 'req/s',
      },
      { name: 'bridge request latency p50', value: load.p50Ms, unit: 'ms' },
      { name: 'bridge request latency p95', value: load.p95Ms, unit: 'ms' },
      {
        name: 'bridge request latency p99',
        value: load.p99Ms,
        unit: 'ms',
        goal: `< ${LOAD_BOUNDS.p99Ms} ms`,
        met: load.p99Ms < LOAD_BOUNDS.p99Ms,
      },
      {
        name: 'event stream to a stalled client: bytes held for it (host + kernel)',
        value: events.stalledBacklogBytes / 1024 ** 2,
        unit: 'MB',
        reference: {
          label: 'stream sent to attentive clients',
          value: events.streamBytes / 1024 ** 2,
          unit: 'MB',
        },
        goal: `< ${LOAD_BOUNDS.stalledBacklogMb} MB`,
        met: events.stalledBacklogBytes < LOAD_BOUNDS.stalledBacklogMb * 1024 ** 2,
      },
    ];
    if (sampler) {
      figures.push(
        {
          name: 'host RSS growth under the request load',
          value: growth,
          unit: 'MB',
          goal: `< ${LOAD_BOUNDS.requestRssGrowthMb} MB`,
          met: growth < LOAD_BOUNDS.requestRssGrowthMb,
        },
        {
          name: 'host RSS growth, a client reading none of its replies',
          value: unreadGrowth,
          unit: 'MB',
          goal: `< ${LOAD_BOUNDS.unreadRepliesRssGrowthMb} MB`,
          met: unreadGrowth < LOAD_BOUNDS.unreadRepliesRssGrowthMb,
        },
        {
          name: 'host RSS growth during the event stream with a stalled client',
          value: eventGrowth,
          unit: 'MB',
          goal: `< ${LOAD_BOUNDS.eventRssGrowthMb} MB`,
          met: eventGrowth < LOAD_BOUNDS.eventRssGrowthMb,
        },
      );
    }
    return figures;
  } finally {
    sampler?.stop();
    await host.stop();
  }
};
