/**
 * A MessagePort-like transport between the energy client and the sampler, with adapters for a
 * `child_process.fork` child (CLI, browser host, tests), an Electron utility process (the lead
 * wires it: `utilityProcess.fork` on the client side, `process.parentPort` in the child), and an
 * in-process pair for tests. Messages are plain objects; BigInt travels as decimal strings
 * because fork's default JSON serialisation cannot carry it.
 */
import type { ChildProcess } from 'node:child_process';

/** The minimal port both sides use. */
export interface MessagePortLike {
  postMessage(message: unknown): void;
  onMessage(handler: (message: unknown) => void): void;
  /** Called once when the other side goes away (crash, exit). */
  onClose(handler: (reason: string) => void): void;
  close(): void;
}

/** Client side of a forked child. */
export function childProcessPort(child: ChildProcess): MessagePortLike {
  const closers: Array<(r: string) => void> = [];
  let closed = false;
  const fire = (reason: string): void => {
    if (closed) return;
    closed = true;
    for (const c of closers) c(reason);
  };
  child.on('exit', (code, signal) => fire(`sampler exited (${signal ?? code})`));
  child.on('error', (e) => fire(`sampler failed: ${e.message}`));
  return {
    postMessage: (m) => {
      if (!closed && child.connected) child.send(m as object);
    },
    onMessage: (h) => void child.on('message', h),
    onClose: (h) => void closers.push(h),
    close: () => {
      if (child.connected) child.disconnect();
    },
  };
}

/** Child side inside a forked process (`process.send`). */
export function parentProcessPort(proc: NodeJS.Process = process): MessagePortLike {
  return {
    postMessage: (m) => {
      if (proc.connected) proc.send?.(m as object);
    },
    onMessage: (h) => void proc.on('message', h),
    onClose: (h) => void proc.on('disconnect', () => h('parent disconnected')),
    close: () => {
      if (proc.connected) proc.disconnect?.();
    },
  };
}

/** Electron's `process.parentPort` shape inside a utility process (no electron import here). */
export interface ParentPortLike {
  on(event: 'message', listener: (e: { data: unknown }) => void): unknown;
  postMessage(message: unknown): void;
}

/** Child side inside an Electron utility process. */
export function electronParentPort(pp: ParentPortLike): MessagePortLike {
  return {
    postMessage: (m) => pp.postMessage(m),
    onMessage: (h) => void pp.on('message', (e) => h(e.data)),
    onClose: () => undefined,
    close: () => undefined,
  };
}

/** Electron's `UtilityProcess` shape on the client side. */
export interface UtilityProcessLike {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (m: unknown) => void): unknown;
  on(event: 'exit', listener: (code: number) => void): unknown;
  kill(): boolean;
}

/** Client side of an Electron utility process. */
export function utilityProcessPort(child: UtilityProcessLike): MessagePortLike {
  const closers: Array<(r: string) => void> = [];
  child.on('exit', (code: number) => closers.forEach((c) => c(`sampler exited (${code})`)));
  return {
    postMessage: (m) => child.postMessage(m),
    onMessage: (h) => void child.on('message', h),
    onClose: (h) => void closers.push(h),
    close: () => void child.kill(),
  };
}

/** Two connected ports in one process (tests, `--in-process`); delivery is asynchronous. */
export function inProcessPair(): [MessagePortLike, MessagePortLike] {
  type Side = { handlers: Array<(m: unknown) => void>; closers: Array<(r: string) => void> };
  const a: Side = { handlers: [], closers: [] };
  const b: Side = { handlers: [], closers: [] };
  let closed = false;
  const make = (self: Side, other: Side): MessagePortLike => ({
    postMessage: (m) => {
      if (closed) return;
      // Structured clone mimics the process boundary: nothing shared by reference.
      const copy = structuredClone(m);
      queueMicrotask(() => other.handlers.forEach((h) => h(copy)));
    },
    onMessage: (h) => void self.handlers.push(h),
    onClose: (h) => void self.closers.push(h),
    close: () => {
      if (closed) return;
      closed = true;
      other.closers.forEach((c) => c('port closed'));
    },
  });
  return [make(a, b), make(b, a)];
}
