import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { request } from 'node:http';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startWebServer } from '../../main/web-server';
import type { RunningWebServer } from '../../main/web-server';
import { connectWebSocket, ApiCallError } from '../../renderer/src/lib/ws-transport';
import type { Transport } from '../../shared/api/contract';
import type { JobProgress } from '../../shared/api/types';
import { tempDir } from '../helpers/temp';
import { repoRoot } from '../helpers/services';

let server: RunningWebServer;
let transport: Transport;

/** Raw HTTP request with full control of headers (fetch forbids Host and Origin). */
function raw(path: string, headers: Record<string, string> = {}, method = 'GET', body?: string) {
  return new Promise<{ status: number; body: string; headers: Record<string, unknown> }>(
    (resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port: server.port,
          path,
          method,
          headers: { host: `127.0.0.1:${server.port}`, ...headers },
        },
        (res) => {
          let text = '';
          res.on('data', (d) => (text += d));
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, body: text, headers: res.headers }),
          );
        },
      );
      req.on('error', reject);
      if (body) req.write(body);
      req.end();
    },
  );
}

function upgrade(headers: Record<string, string>, query = `?token=${server.token}`) {
  return new Promise<number>((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/bridge${query}`, { headers });
    ws.on('open', () => {
      ws.close();
      resolve(101);
    });
    ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.on('error', () => resolve(-1));
  });
}

beforeAll(async () => {
  const rendererDir = await tempDir('ecoeval-renderer-');
  await writeFile(join(rendererDir, 'index.html'), '<!doctype html><title>EcoEval</title>');
  await mkdir(join(rendererDir, 'assets'));
  await writeFile(join(rendererDir, 'assets', 'app.js'), 'console.log(1)');
  server = await startWebServer({
    port: 0,
    workspaceDir: await tempDir('ecoeval-ws-'),
    rendererDir,
    log: () => undefined,
  });
  transport = await connectWebSocket(
    `ws://127.0.0.1:${server.port}/bridge?token=${server.token}`,
    WebSocket as never,
  );
});

afterAll(async () => {
  await server.close();
});

describe('browser host bridge, end to end', () => {
  it('answers API calls and pushes job progress events', async () => {
    const caps = await transport.invoke('capabilities');
    expect(caps.host).toBe('web');
    expect(caps.onnxruntime.available).toBe(true);
    const events: JobProgress[] = [];
    const off = transport.on('job:progress', (p) => events.push(p));
    const builtins = await transport.invoke('listBuiltinDatasets');
    const lm = builtins.find((b) => b.kind === 'language-modelling')!;
    const list = await transport.invoke('installBuiltinDatasets', [lm.id]);
    off();
    expect(list.datasets.map((d) => d.id)).toEqual([lm.id]);
    expect(events.at(-1)).toMatchObject({ kind: 'builtin', state: 'done' });
    expect(repoRoot).toBeTruthy();
  });

  it('imports an uploaded file and names the uploaded file in errors', async () => {
    const upload = async (name: string, body: string) => {
      const reply = await raw(
        `/upload?name=${name}`,
        { 'x-ecoeval-token': server.token },
        'POST',
        body,
      );
      return { upload: (JSON.parse(reply.body) as { upload: string }).upload };
    };
    const src = await upload('src.txt', 'a\nb\n');
    const ref = await upload('ref.txt', 'x\ny\n');
    const manifest = await transport.invoke('importDataset', {
      name: 'uploaded',
      kind: 'translation',
      format: 'text',
      sourceFile: src,
      referenceFiles: [ref],
    });
    expect(manifest.splits[0].rows).toBe(2);
    const short = await upload('short.txt', 'only one line\n');
    const src2 = await upload('src.txt', 'a\nb\n');
    const error = await transport
      .invoke('importDataset', {
        name: 'bad',
        kind: 'translation',
        format: 'text',
        sourceFile: src2,
        referenceFiles: [short],
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiCallError);
    expect((error as ApiCallError).message).toMatch(/short\.txt/);
    expect((error as ApiCallError).message).not.toMatch(/\.uploads/);
    expect((error as ApiCallError).detail.code).toBe('bad-input');
  });

  it('refuses file paths from the browser, unknown channels and invalid arguments', async () => {
    await expect(
      transport.invoke('importDataset', {
        name: 'x',
        kind: 'translation',
        format: 'text',
        sourceFile: { path: '/etc/passwd' },
      }),
    ).rejects.toThrow(/uploaded files only/);
    await expect(
      (transport.invoke as (c: string) => Promise<unknown>)('deleteEverything'),
    ).rejects.toThrow(/unknown channel/);
    await expect(transport.invoke('getDataset', '../../etc')).rejects.toThrow(/invalid request/);
  });
});

describe('browser host security', () => {
  it('requires the per-launch token for pages, uploads and the WebSocket', async () => {
    expect((await raw('/')).status).toBe(401);
    expect((await raw('/upload?name=a.txt', {}, 'POST', 'x')).status).toBe(401);
    expect(await upgrade({}, '')).toBe(401);
    expect(await upgrade({}, '?token=wrong')).toBe(401);
    const page = await raw(`/?token=${server.token}`);
    expect(page.status).toBe(302);
    expect(String(page.headers['set-cookie'])).toMatch(/HttpOnly; SameSite=Strict/);
    const withCookie = await raw('/', { cookie: `ecoeval_token=${server.token}` });
    expect(withCookie.status).toBe(200);
    expect(String(withCookie.headers['content-security-policy'])).not.toMatch(/unsafe-eval/);
  });

  it('refuses foreign origins and DNS-rebinding Host headers', async () => {
    const cookie = `ecoeval_token=${server.token}`;
    expect((await raw('/', { cookie, origin: 'http://evil.example' })).status).toBe(403);
    expect((await raw('/', { cookie, host: `evil.example:${server.port}` })).status).toBe(421);
    expect(await upgrade({ origin: 'http://evil.example' })).toBe(403);
    expect(await upgrade({ host: `rebind.example:${server.port}` })).toBe(421);
    expect(await upgrade({ origin: `http://127.0.0.1:${server.port}` })).toBe(101);
  });

  it('does not serve files outside the renderer folder', async () => {
    const cookie = `ecoeval_token=${server.token}`;
    for (const path of [
      '/../package.json',
      '/%2e%2e/package.json',
      '/assets/..%2f..%2fpackage.json',
    ]) {
      const res = await raw(path, { cookie });
      expect(res.body).not.toMatch(/"name": "ecoeval"/);
    }
    expect((await raw('/assets/app.js', { cookie })).body).toBe('console.log(1)');
  });

  it('closes the socket on oversized messages', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/bridge?token=${server.token}`);
    await new Promise((r) => ws.on('open', r));
    const closed = new Promise<number>((r) => ws.on('close', (code) => r(code)));
    ws.send('x'.repeat(2 * 1024 * 1024));
    expect(await closed).toBe(1009);
  });
});
