// The browser host's per-client outbox (main/bridge/outbox.ts) against a fake socket whose unsent
// bytes the test controls: events go straight out while the client keeps up; once it falls behind
// they are coalesced per key (the latest kept, in the first one's place) and flushed when it has
// read, so the final state of a job always arrives; curve points are never merged; a client that
// never reads is cut off at the pending-event cap; requests stop starting (and the socket is
// paused) while too many run or too many reply bytes wait, and resume when it drains; a request
// waiting on a long job stops counting against the limit.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Outbox, eventKey } from '../../main/bridge/outbox';
import type { OutboxSocket } from '../../main/bridge/outbox';

class FakeSocket implements OutboxSocket {
  readonly OPEN = 1;
  readyState = 1;
  /** Bytes "in the socket": what the client has not read. */
  bufferedAmount = 0;
  sent: string[] = [];
  paused = false;
  terminated = false;
  send(data: string): void {
    this.sent.push(data);
    this.bufferedAmount += data.length;
  }
  pause(): void {
    this.paused = true;
  }
  resume(): void {
    this.paused = false;
  }
  terminate(): void {
    this.terminated = true;
    this.readyState = 3;
  }
  /** The client reads everything sent so far. */
  read(): string[] {
    const got = this.sent;
    this.sent = [];
    this.bufferedAmount = 0;
    return got;
  }
}

const limits = {
  eventBufferBytes: 100,
  replyBufferBytes: 1000,
  maxInFlight: 2,
  longRequestMs: 50,
  maxPendingEvents: 5,
  drainCheckMs: 5,
};
const progress = (jobId: string, done: number, state = 'running') =>
  JSON.stringify({ event: 'job:progress', payload: { jobId, done, state } });

afterEach(() => {
  vi.useRealTimers();
});

describe('bridge outbox: events', () => {
  it('sends events at once while the client keeps up', () => {
    const socket = new FakeSocket();
    const outbox = new Outbox(socket, { limits });
    outbox.event('job:progress:a', progress('a', 1));
    socket.read();
    outbox.event('job:progress:a', progress('a', 2));
    expect(socket.read()).toEqual([progress('a', 2)]);
    expect(outbox.pendingEvents).toBe(0);
  });

  it('coalesces per key while the client is behind, and delivers the final state when it reads', () => {
    vi.useFakeTimers();
    const socket = new FakeSocket();
    const outbox = new Outbox(socket, { limits: { ...limits, eventBufferBytes: 1000 } });
    socket.bufferedAmount = 5000; // the client stopped reading
    for (let i = 0; i < 100; i++) outbox.event('job:progress:a', progress('a', i));
    outbox.event('queue:changed', '{"event":"queue:changed","payload":{"n":1}}');
    outbox.event(null, '{"event":"training:validation","payload":{"step":1}}');
    outbox.event(null, '{"event":"training:validation","payload":{"step":2}}');
    outbox.event('job:progress:a', progress('a', 100, 'done'));
    outbox.event('queue:changed', '{"event":"queue:changed","payload":{"n":2}}');
    expect(socket.sent).toEqual([]);
    expect(outbox.pendingEvents).toBe(4);
    expect(outbox.coalesced).toBe(101);
    vi.advanceTimersByTime(50);
    expect(socket.sent).toEqual([]);
    socket.read(); // it reads again
    vi.advanceTimersByTime(limits.drainCheckMs);
    // One frame per key, the latest payload, in the order the keys first appeared.
    expect(socket.read()).toEqual([
      progress('a', 100, 'done'),
      '{"event":"queue:changed","payload":{"n":2}}',
      '{"event":"training:validation","payload":{"step":1}}',
      '{"event":"training:validation","payload":{"step":2}}',
    ]);
    expect(outbox.pendingEvents).toBe(0);
  });

  it('flushes held events only while the client keeps up', () => {
    vi.useFakeTimers();
    const socket = new FakeSocket();
    const outbox = new Outbox(socket, { limits });
    socket.bufferedAmount = 500;
    const frame = (n: number) => `${'x'.repeat(60)}${n}`;
    for (let n = 0; n < 4; n++) outbox.event(`k${n}`, frame(n));
    socket.read();
    vi.advanceTimersByTime(limits.drainCheckMs);
    // 100 bytes allowed: two 61-byte frames go, the rest wait for the next read.
    expect(socket.read()).toEqual([frame(0), frame(1)]);
    vi.advanceTimersByTime(limits.drainCheckMs);
    expect(socket.read()).toEqual([frame(2), frame(3)]);
  });

  it('cuts off a client that reads nothing while too many events wait', () => {
    const socket = new FakeSocket();
    const reasons: string[] = [];
    const outbox = new Outbox(socket, { limits, onCutOff: (r) => reasons.push(r) });
    socket.bufferedAmount = 500;
    for (let i = 0; i < 6; i++) outbox.event(null, `{"point":${i}}`);
    expect(socket.terminated).toBe(true);
    expect(reasons[0]).toMatch(/6 events waited/);
    outbox.event(null, 'after');
    expect(socket.sent).toEqual([]);
  });
});

describe('bridge outbox: requests', () => {
  const deferred = () => {
    let resolve!: (v: string | null) => void;
    const promise = new Promise<string | null>((r) => (resolve = r));
    return { promise, resolve };
  };
  const tick = () => new Promise((r) => setImmediate(r));

  it('runs at most maxInFlight requests and pauses the socket until one ends', async () => {
    const socket = new FakeSocket();
    const outbox = new Outbox(socket, { limits });
    const works = [deferred(), deferred(), deferred()];
    const started: number[] = [];
    works.forEach((w, i) =>
      outbox.request(() => {
        started.push(i);
        return w.promise;
      }),
    );
    expect(started).toEqual([0, 1]);
    expect(socket.paused).toBe(true);
    works[0].resolve('r0');
    await tick();
    expect(started).toEqual([0, 1, 2]);
    expect(socket.sent).toEqual(['r0']);
    works[1].resolve('r1');
    works[2].resolve(null);
    await tick();
    expect(socket.sent).toEqual(['r0', 'r1']);
    expect(socket.paused).toBe(false);
    expect(outbox.inFlight).toBe(0);
  });

  it('stops counting a request that waits on a long job, so the client is not frozen out', async () => {
    const socket = new FakeSocket();
    const outbox = new Outbox(socket, { limits });
    const never = () => new Promise<string | null>(() => undefined);
    outbox.request(never);
    outbox.request(never);
    let ran = false;
    outbox.request(async () => {
      ran = true;
      return 'quick';
    });
    expect(ran).toBe(false);
    await new Promise((r) => setTimeout(r, limits.longRequestMs + 30));
    expect(ran).toBe(true);
    expect(socket.sent).toEqual(['quick']);
    expect(socket.paused).toBe(false);
    outbox.dispose();
  });

  it('starts no request while too many reply bytes wait, and resumes once the client reads', async () => {
    const socket = new FakeSocket();
    const outbox = new Outbox(socket, { limits });
    socket.bufferedAmount = 5000;
    let ran = 0;
    outbox.request(async () => {
      ran++;
      return 'reply';
    });
    expect(ran).toBe(0);
    expect(socket.paused).toBe(true);
    await new Promise((r) => setTimeout(r, 30));
    expect(ran).toBe(0);
    socket.read();
    await new Promise((r) => setTimeout(r, 30));
    expect(ran).toBe(1);
    expect(socket.sent).toEqual(['reply']);
    expect(socket.paused).toBe(false);
  });

  it('answers a request whose work throws with nothing, and keeps going', async () => {
    const socket = new FakeSocket();
    const outbox = new Outbox(socket, { limits });
    outbox.request(() => Promise.reject(new Error('boom')));
    outbox.request(async () => 'ok');
    await tick();
    expect(socket.sent).toEqual(['ok']);
  });
});

describe('bridge outbox: event keys', () => {
  it('keys progress per job and model, never merges curve points, and merges list events', () => {
    expect(eventKey('job:progress', { jobId: 'j1' })).toBe('job:progress:j1');
    expect(eventKey('training:progress', { modelId: 'm1' })).toBe('training:progress:m1');
    expect(eventKey('training:validation', { modelId: 'm1', step: 3 })).toBeNull();
    expect(eventKey('queue:changed', { jobs: [] })).toBe('queue:changed');
    expect(eventKey('runs:changed', { reason: 'x', run: 'r' })).toBe('runs:changed');
  });
});
