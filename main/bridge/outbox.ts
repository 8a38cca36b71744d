/**
 * What the browser host sends one WebSocket client, with bounded memory however slowly that
 * client reads. Without it, every pushed event and every reply is queued in the host for as long
 * as the client does not read: a stalled tab during a long training job grows the host without
 * limit (a few hundred bytes per event, several events a second, for hours).
 *
 * Events: while more than `eventBufferBytes` wait in the socket for this client, new events are
 * held back and coalesced — one pending frame per key, the latest payload kept in the place of the
 * first — and sent once the client has read the backlog. Progress is keyed per job (or model), so
 * intermediate progress is dropped for a slow client but the final state of every job always
 * reaches it: the last event for a key is the one kept. Events whose every instance matters (a
 * validation point of the training curve) get a key of their own. A client that falls so far
 * behind that `maxPendingEvents` keys are held is cut off (it has not read for a very long time).
 *
 * Requests: at most `maxInFlight` of a client's requests are worked on at once, and none start
 * while more than `replyBufferBytes` of replies wait for it; meanwhile its socket is paused, so a
 * client that sends requests but never reads the replies is slowed down by TCP itself instead of
 * filling the host's memory. A request still running after `longRequestMs` stops counting: calls
 * such as trainModel or importDataset answer when their job ends (minutes, hours), and a page
 * waiting on a few of them must not be frozen out of every other call.
 */

/** The parts of a `ws` WebSocket the outbox uses (a fake in unit tests). */
export interface OutboxSocket {
  readonly readyState: number;
  readonly OPEN: number;
  /** Bytes queued in the host for this client and not yet taken by the kernel. */
  readonly bufferedAmount: number;
  send(data: string): void;
  pause(): void;
  resume(): void;
  terminate(): void;
}

export interface OutboxLimits {
  /** Above this many bytes waiting for the client, events are coalesced instead of sent. */
  eventBufferBytes: number;
  /** Above this many bytes waiting for the client, none of its requests start. */
  replyBufferBytes: number;
  /** Requests of one client worked on at once. */
  maxInFlight: number;
  /** After this long a running request no longer counts against `maxInFlight` (it waits on a job). */
  longRequestMs: number;
  /** Coalesced events held for one client before it is cut off. */
  maxPendingEvents: number;
  /** How often a held-back client is checked for having read its backlog. */
  drainCheckMs: number;
}

export const OUTBOX_LIMITS: OutboxLimits = {
  eventBufferBytes: 1024 * 1024,
  replyBufferBytes: 4 * 1024 * 1024,
  maxInFlight: 16,
  longRequestMs: 1000,
  maxPendingEvents: 1000,
  drainCheckMs: 25,
};

/** A reply frame to send, or null when there is nothing to answer. */
export type RequestWork = () => Promise<string | null>;

export class Outbox {
  readonly #socket: OutboxSocket;
  readonly #limits: OutboxLimits;
  readonly #onCutOff: (reason: string) => void;
  /** Coalesced events in send order: key → latest frame (Map keeps the first insertion's place). */
  readonly #pending = new Map<string, string>();
  readonly #backlog: RequestWork[] = [];
  #inFlight = 0;
  #paused = false;
  #timer: NodeJS.Timeout | null = null;
  #unique = 0;
  #disposed = false;
  /** Events not sent because a newer one for the same key replaced them (for the host's log). */
  coalesced = 0;

  constructor(
    socket: OutboxSocket,
    options: { limits?: Partial<OutboxLimits>; onCutOff?: (reason: string) => void } = {},
  ) {
    this.#socket = socket;
    this.#limits = { ...OUTBOX_LIMITS, ...options.limits };
    this.#onCutOff = options.onCutOff ?? (() => undefined);
  }

  get pendingEvents(): number {
    return this.#pending.size;
  }

  get inFlight(): number {
    return this.#inFlight;
  }

  /**
   * Pushes an event frame. `key` names what the frame is the latest state of (null: a frame that
   * must never be replaced by a later one).
   */
  event(key: string | null, frame: string): void {
    if (this.#disposed || !this.#open()) return;
    if (this.#pending.size === 0 && this.#socket.bufferedAmount <= this.#limits.eventBufferBytes) {
      this.#socket.send(frame);
      return;
    }
    const slot = key ?? `\0${this.#unique++}`;
    if (this.#pending.has(slot)) this.coalesced++;
    this.#pending.set(slot, frame);
    this.#flush();
    if (this.#pending.size > this.#limits.maxPendingEvents) {
      this.#cutOff(
        `it read nothing while ${this.#pending.size} events waited (${this.#socket.bufferedAmount} bytes unsent)`,
      );
    } else if (this.#pending.size > 0) this.#schedule();
  }

  /** Runs a request of this client's (in order, within the limits) and sends its reply. */
  request(work: RequestWork): void {
    if (this.#disposed) return;
    this.#backlog.push(work);
    this.#pump();
  }

  /** Stops timers and drops what is held (the socket closed). */
  dispose(): void {
    this.#disposed = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    this.#pending.clear();
    this.#backlog.length = 0;
  }

  #open(): boolean {
    return this.#socket.readyState === this.#socket.OPEN;
  }

  #pump(): void {
    while (
      this.#backlog.length > 0 &&
      this.#inFlight < this.#limits.maxInFlight &&
      this.#socket.bufferedAmount <= this.#limits.replyBufferBytes
    ) {
      const work = this.#backlog.shift()!;
      this.#inFlight++;
      let counted = true;
      const release = () => {
        if (!counted) return false;
        counted = false;
        this.#inFlight--;
        return true;
      };
      const long = setTimeout(() => {
        if (release() && !this.#disposed) this.#pump();
      }, this.#limits.longRequestMs);
      long.unref?.();
      void work()
        .catch(() => null)
        .then((reply) => {
          clearTimeout(long);
          release();
          if (reply !== null && !this.#disposed && this.#open()) this.#socket.send(reply);
          if (!this.#disposed) this.#pump();
        });
    }
    // Stop reading this client while it is over its limits; TCP holds what it sends meanwhile.
    const blocked =
      this.#backlog.length > 0 ||
      this.#inFlight >= this.#limits.maxInFlight ||
      this.#socket.bufferedAmount > this.#limits.replyBufferBytes;
    if (blocked && !this.#paused) {
      this.#paused = true;
      this.#socket.pause();
    } else if (!blocked && this.#paused) {
      this.#paused = false;
      this.#socket.resume();
    }
    // Held back by unread replies (not by in-flight work, whose completion pumps again): only
    // the drain check notices the client has read them.
    if (this.#paused && this.#inFlight < this.#limits.maxInFlight) this.#schedule();
  }

  /** Sends held events, in order, while the client keeps up. */
  #flush(): void {
    for (const [key, frame] of this.#pending) {
      if (this.#socket.bufferedAmount > this.#limits.eventBufferBytes) break;
      this.#pending.delete(key);
      this.#socket.send(frame);
    }
  }

  #schedule(): void {
    if (this.#timer || this.#disposed) return;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      if (this.#disposed || !this.#open()) return;
      this.#flush();
      this.#pump();
      if (this.#pending.size > 0) this.#schedule();
    }, this.#limits.drainCheckMs);
    this.#timer.unref?.();
  }

  #cutOff(reason: string): void {
    this.#onCutOff(reason);
    this.dispose();
    // A close handshake would wait behind the unread backlog; free it now.
    this.#socket.terminate();
  }
}

/**
 * The coalescing key of a pushed event: progress per job or model (the latest is the state),
 * one key for "re-read the list" events, and none for training curve points (each is data).
 */
export function eventKey(event: string, payload: unknown): string | null {
  const field = (name: string) =>
    typeof payload === 'object' && payload !== null
      ? String((payload as Record<string, unknown>)[name])
      : '';
  switch (event) {
    case 'job:progress':
      return `${event}:${field('jobId')}`;
    case 'training:progress':
      return `${event}:${field('modelId')}`;
    case 'training:validation':
      return null;
    default:
      return event;
  }
}
