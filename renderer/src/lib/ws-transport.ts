/**
 * Transport over the browser host's WebSocket bridge: numbered requests, replies matched by id,
 * pushed events fanned out to listeners. The per-launch token travels in the HttpOnly cookie the
 * server set when the page was opened with ?token=...
 */
import type {
  Channel,
  EventName,
  Transport,
  WorkbenchApi,
  WorkbenchEvents,
} from '../../../shared/api/contract';
import type { ApiError } from '../../../shared/api/types';

/** An API failure as the UI sees it: the message to show, plus file and line when known. */
export class ApiCallError extends Error {
  constructor(readonly detail: ApiError) {
    super(detail.message);
    this.name = 'ApiCallError';
  }
}

type SocketLike = {
  readyState: number;
  send(data: string): void;
  close(): void;
  addEventListener(type: string, listener: (event: { data?: unknown }) => void): void;
};

export function connectWebSocket(
  url: string,
  SocketClass: new (url: string) => SocketLike = WebSocket as never,
): Promise<Transport> {
  return new Promise((resolve, reject) => {
    const socket = new SocketClass(url);
    let nextId = 1;
    let closed = false;
    const pending = new Map<
      number,
      { resolve: (v: unknown) => void; reject: (e: Error) => void }
    >();
    const listeners = new Map<string, Set<(payload: unknown) => void>>();

    socket.addEventListener('message', (event) => {
      const message = JSON.parse(String(event.data)) as
        | { id: number; ok: true; result: unknown }
        | { id: number; ok: false; error: ApiError }
        | { event: string; payload: unknown };
      if ('event' in message) {
        for (const listener of listeners.get(message.event) ?? []) listener(message.payload);
        return;
      }
      const waiter = pending.get(message.id);
      if (!waiter) return;
      pending.delete(message.id);
      if (message.ok) waiter.resolve(message.result);
      else waiter.reject(new ApiCallError(message.error));
    });
    socket.addEventListener('close', () => {
      closed = true;
      for (const waiter of pending.values()) {
        waiter.reject(
          new ApiCallError({
            code: 'internal',
            message: 'The connection to the EcoEval host closed; reload the page.',
          }),
        );
      }
      pending.clear();
    });
    socket.addEventListener('error', () => {
      if (nextId === 1) reject(new Error(`cannot connect to ${url.replace(/\?.*/, '')}`));
    });
    socket.addEventListener('open', () => {
      const transport: Transport = {
        kind: 'websocket',
        invoke<C extends Channel>(channel: C, ...args: Parameters<WorkbenchApi[C]>) {
          return new Promise((res, rej) => {
            if (closed) {
              rej(
                new ApiCallError({ code: 'internal', message: 'Not connected; reload the page.' }),
              );
              return;
            }
            const id = nextId++;
            pending.set(id, { resolve: res as (v: unknown) => void, reject: rej });
            socket.send(JSON.stringify({ id, channel, args }));
          }) as ReturnType<WorkbenchApi[C]>;
        },
        on<E extends EventName>(event: E, listener: (payload: WorkbenchEvents[E]) => void) {
          const set = listeners.get(event) ?? new Set();
          set.add(listener as (payload: unknown) => void);
          listeners.set(event, set);
          return () => set.delete(listener as (payload: unknown) => void);
        },
      };
      resolve(transport);
    });
  });
}
