// Fault injection for the crash tests: loaded with NODE_OPTIONS=--import=<this file> into a spawned
// `ecoeval` and every process it forks (trainer, evaluator). ECOEVAL_CRASH_AT (JSON) names one
// moment, so a test can SIGKILL a real process exactly there instead of guessing with timers:
//
//   { "op": "rename" | "rename-after" | "write" | "enospc", "match": "<regex>", "nth": 1,
//     "marker": "/abs/file" }
//
//   rename        before fs.promises.rename(from, to) whose `to` matches: pause
//   rename-after  after that rename has happened: pause
//   write         FileHandle.writeFile / fs.promises.writeFile on a matching path: write the first
//                 half of the data, fsync it, pause (a writer killed mid-write)
//   enospc        the same half write, then fail with ENOSPC (the disk filled up)
//
// The nth matching call (default the first, counted per process) triggers. "Pause" appends a
// JSON line {pid, op, path} to `marker` and never continues: the test sees it and kills.
import { appendFileSync } from 'node:fs';
import fsp from 'node:fs/promises';
import { syncBuiltinESMExports } from 'node:module';

const spec = process.env.ECOEVAL_CRASH_AT ? JSON.parse(process.env.ECOEVAL_CRASH_AT) : null;

if (spec) {
  const pattern = new RegExp(spec.match);
  const nth = spec.nth ?? 1;
  let seen = 0;
  const hit = (op, path) => {
    if (!path || !pattern.test(String(path))) return false;
    if (op !== spec.op && !(op === 'rename' && spec.op === 'rename-after')) return false;
    seen += 1;
    return seen === nth;
  };
  const pause = (path) => {
    appendFileSync(spec.marker, `${JSON.stringify({ pid: process.pid, op: spec.op, path })}\n`);
    setInterval(() => undefined, 1 << 30);
    return new Promise(() => undefined);
  };
  const diskFull = (path) => {
    const error = new Error(`ENOSPC: no space left on device, write '${path}'`);
    Object.assign(error, { errno: -28, code: 'ENOSPC', syscall: 'write', path });
    return error;
  };
  const half = (data) =>
    typeof data === 'string'
      ? data.slice(0, Math.floor(data.length / 2))
      : data.subarray(0, Math.floor(data.byteLength / 2));

  const rename = fsp.rename;
  fsp.rename = async (from, to) => {
    const triggered = hit('rename', to);
    if (triggered && spec.op === 'rename') await pause(String(to));
    const result = await rename(from, to);
    if (triggered && spec.op === 'rename-after') await pause(String(to));
    return result;
  };

  const paths = new WeakMap();
  const open = fsp.open;
  fsp.open = async (path, ...rest) => {
    const handle = await open(path, ...rest);
    paths.set(handle, String(path));
    return handle;
  };
  const probe = await open(process.execPath, 'r');
  const FileHandle = Object.getPrototypeOf(probe);
  await probe.close();
  const writes = spec.op === 'write' || spec.op === 'enospc';
  const writable = (data) => typeof data === 'string' || data instanceof Uint8Array;
  const handleWrite = FileHandle.writeFile;
  FileHandle.writeFile = async function (data, ...rest) {
    const path = paths.get(this);
    if (writes && writable(data) && hit(spec.op, path)) {
      await handleWrite.call(this, half(data), ...rest);
      await this.sync();
      if (spec.op === 'enospc') throw diskFull(path);
      await pause(path);
    }
    return handleWrite.call(this, data, ...rest);
  };
  const writeFile = fsp.writeFile;
  fsp.writeFile = async (path, data, ...rest) => {
    if (writes && writable(data) && hit(spec.op, path)) {
      await writeFile(path, half(data), ...rest);
      if (spec.op === 'enospc') throw diskFull(String(path));
      await pause(String(path));
    }
    return writeFile(path, data, ...rest);
  };
  syncBuiltinESMExports();
}
