// Hardening of the browser host (main/web-server.ts) beyond test/unit/bridge.test.ts: the real
// server on a free port, driven with raw HTTP so every header can be forged. It binds the loopback
// address only; every route refuses a missing, wrong or malformed token (and a malformed one never
// crashes the process); the URL token is traded for an HttpOnly SameSite=Strict cookie and dropped
// from the address; foreign Origins and non-loopback Host headers (DNS rebinding) are refused for
// HTTP and for the WebSocket upgrade; static files and exports never leave their folders, whatever
// the encoding; file-taking API calls take uploads only; bad frames close the socket without
// hurting other clients; a failed file read and a stalled request neither crash nor wedge it.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { WebSocket } from 'ws';
import { connect } from 'node:net';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { startWebServer } from '../../main/web-server';
import type { RunningWebServer } from '../../main/web-server';
import { tempDir } from '../helpers/temp';

// Real processes on a shared 2-core machine: allow well over the default 5 s per test.
vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

const SECRET = 'TOP-SECRET-7f3a9c outside the renderer folder';
let server: RunningWebServer;
let base: string;
let rendererDir: string;
let workspaceDir: string;

interface RawReply {
  status: number;
  head: string;
  body: string;
}

/** Decodes a `Transfer-Encoding: chunked` body. */
function unchunk(body: string): string {
  let out = '';
  let rest = body;
  for (;;) {
    const eol = rest.indexOf('\r\n');
    if (eol < 0) return out;
    const size = parseInt(rest.slice(0, eol), 16);
    if (!size) return out;
    out += rest.slice(eol + 2, eol + 2 + size);
    rest = rest.slice(eol + 2 + size + 2);
  }
}

/**
 * Sends `text` byte for byte (latin1, so a header may carry any byte) on a fresh TCP connection;
 * resolves with the status, head and body of the reply.
 */
function rawSend(text: string, port = server.port, waitMs = 5000): Promise<RawReply> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(text, 'latin1'));
    let data = '';
    let finished = false;
    const done = () => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      socket.destroy();
      const [head, ...rest] = data.split('\r\n\r\n');
      const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(head)?.[1] ?? 0);
      const body = rest.join('\r\n\r\n');
      resolve({
        status,
        head,
        body: /transfer-encoding: chunked/i.test(head) ? unchunk(body) : body,
      });
    };
    const timer = setTimeout(done, waitMs);
    socket.on('data', (chunk) => {
      data += chunk.toString('latin1');
      const [head, ...rest] = data.split('\r\n\r\n');
      if (!rest.length) return;
      // A switched protocol has no body; a sized body is complete at its length.
      if (/^HTTP\/1\.1 101/.test(head)) return done();
      const length = /content-length: (\d+)/i.exec(head)?.[1];
      if (
        length !== undefined &&
        Buffer.byteLength(rest.join('\r\n\r\n'), 'latin1') >= Number(length)
      )
        done();
    });
    socket.on('end', done);
    socket.on('close', done);
    socket.on('error', (error) => {
      if (data) done();
      else {
        finished = true;
        clearTimeout(timer);
        reject(error);
      }
    });
  });
}

function request(
  path: string,
  headers: Record<string, string> = {},
  options: { method?: string; body?: string; host?: string | null; port?: number } = {},
): Promise<RawReply> {
  const port = options.port ?? server.port;
  const lines = [`${options.method ?? 'GET'} ${path} HTTP/1.1`];
  if (options.host !== null) lines.push(`Host: ${options.host ?? `127.0.0.1:${port}`}`);
  for (const [k, v] of Object.entries(headers)) lines.push(`${k}: ${v}`);
  if (options.body !== undefined) lines.push(`Content-Length: ${Buffer.byteLength(options.body)}`);
  lines.push('Connection: close');
  return rawSend(`${lines.join('\r\n')}\r\n\r\n${options.body ?? ''}`, port);
}

/** The same number of characters, each outside latin1 replaced by 'é' (one byte in a header, two in UTF-8). */
const latin1 = (text: string) => [...text].map((c) => (c.charCodeAt(0) > 0xff ? 'é' : c)).join('');

const cookie = () => ({ Cookie: `ecoeval_token=${server.token}` });

/** A WebSocket handshake with forged headers; the HTTP status (101 when upgraded). */
async function upgrade(path: string, headers: Record<string, string> = {}): Promise<number> {
  const reply = await request(path, {
    Connection: 'Upgrade',
    Upgrade: 'websocket',
    'Sec-WebSocket-Version': '13',
    'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==',
    ...headers,
  });
  return reply.status;
}

/** The server still answers: a request that must succeed. */
async function alive(): Promise<void> {
  expect((await request('/healthz')).status).toBe(200);
  expect((await request('/', cookie())).status).toBe(200);
}

function openSocket(): Promise<WebSocket> {
  const ws = new WebSocket(`${base.replace('http', 'ws')}/bridge?token=${server.token}`);
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

function call(ws: WebSocket, id: number, channel: string, args: unknown[]): Promise<unknown> {
  return new Promise((resolve) => {
    const onMessage = (data: Buffer) => {
      const reply = JSON.parse(data.toString()) as { id: number };
      if (reply.id !== id) return;
      ws.off('message', onMessage);
      resolve(reply);
    };
    ws.on('message', onMessage);
    ws.send(JSON.stringify({ id, channel, args }));
  });
}

beforeAll(async () => {
  const parent = await tempDir('ecoeval-hardening-web-');
  rendererDir = join(parent, 'renderer');
  workspaceDir = join(parent, 'workspace');
  await mkdir(join(rendererDir, 'assets'), { recursive: true });
  await writeFile(join(rendererDir, 'index.html'), '<!doctype html><title>EcoEval</title>');
  await writeFile(join(rendererDir, 'assets', 'app.js'), 'console.log(1)');
  // Targets a traversal would reach: beside the renderer folder, and a sibling with its prefix.
  await writeFile(join(parent, 'secret.txt'), SECRET);
  await mkdir(join(parent, 'renderer-evil'));
  await writeFile(join(parent, 'renderer-evil', 'secret.txt'), SECRET);
  server = await startWebServer({ port: 0, workspaceDir, rendererDir, log: () => undefined });
  base = `http://127.0.0.1:${server.port}`;
  await writeFile(join(workspaceDir, 'secret.txt'), SECRET);
});

afterAll(async () => {
  await server?.close();
});

describe('listening address', () => {
  it('binds 127.0.0.1 only', async () => {
    expect(server.url.startsWith(`http://127.0.0.1:${server.port}/`)).toBe(true);
    if (existsSync('/proc/net/tcp')) {
      // Linux: the listening socket of our port, from the kernel's table.
      const hexPort = server.port.toString(16).toUpperCase().padStart(4, '0');
      const listening = (file: string) =>
        existsSync(file)
          ? readFileSync(file, 'utf8')
              .split('\n')
              .slice(1)
              .map((l) => l.trim().split(/\s+/))
              .filter((f) => f[1]?.endsWith(`:${hexPort}`) && f[3] === '0A')
              .map((f) => f[1].split(':')[0])
          : [];
      expect(listening('/proc/net/tcp')).toEqual(['0100007F']);
      expect(listening('/proc/net/tcp6')).toEqual([]);
    }
    // Any other address of this machine is refused.
    const external = Object.values(networkInterfaces())
      .flat()
      .filter((a) => a && !a.internal && a.family === 'IPv4')
      .map((a) => a!.address);
    for (const address of external.slice(0, 2)) {
      const outcome = await new Promise<string>((resolve) => {
        const socket = connect(server.port, address);
        socket.once('connect', () => {
          socket.destroy();
          resolve('connected');
        });
        socket.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
        socket.setTimeout(2000, () => {
          socket.destroy();
          resolve('timeout');
        });
      });
      expect(outcome, `connecting to ${address}:${server.port}`).not.toBe('connected');
    }
  });
});

describe('per-launch token', () => {
  const wrong = () => [
    '',
    'wrong',
    server.token.slice(0, -1),
    `${server.token}0`,
    server.token.replace(/.$/, (c) => (c === '0' ? '1' : '0')),
    server.token.toUpperCase() === server.token ? 'X'.repeat(32) : server.token.toUpperCase(),
    // Same number of characters, more bytes: must be refused, never crash the comparison.
    `é${server.token.slice(1)}`,
    `${'€'.repeat(server.token.length)}`,
  ];

  it('refuses pages, files, uploads and exports without a valid token', async () => {
    for (const path of ['/', '/index.html', '/assets/app.js', '/export/x.jsonl']) {
      expect((await request(path)).status, path).toBe(401);
    }
    expect((await request('/upload?name=a.txt', {}, { method: 'POST', body: 'x' })).status).toBe(
      401,
    );
    for (const token of wrong()) {
      const q = encodeURIComponent(token);
      expect((await request(`/?token=${q}`)).status, `?token=${token}`).toBe(401);
      // Headers carry the token as sent (latin1 bytes); the query string is percent-decoded.
      const h = latin1(token);
      expect((await request('/', { Cookie: `ecoeval_token=${h}` })).status).toBe(401);
      expect(
        (
          await request(
            '/upload?name=a.txt',
            { 'X-EcoEval-Token': h },
            { method: 'POST', body: 'x' },
          )
        ).status,
      ).toBe(401);
      expect((await request(`/export/x.jsonl?token=${q}`)).status).toBe(401);
    }
    for (const method of ['PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD']) {
      expect((await request('/', {}, { method })).status, method).toBe(401);
    }
    // The right value under another cookie name is not the token.
    expect((await request('/', { Cookie: `other=${server.token}` })).status).toBe(401);
    const uploads = join(workspaceDir, '.uploads');
    expect(existsSync(uploads) ? readdirSync(uploads) : []).toEqual([]);
    await alive();
  });

  it('refuses the WebSocket without a valid token, and a malformed one never crashes the host', async () => {
    expect(await upgrade('/bridge')).toBe(401);
    for (const token of wrong()) {
      expect(await upgrade(`/bridge?token=${encodeURIComponent(token)}`), token).toBe(401);
      expect(await upgrade('/bridge', { 'X-EcoEval-Token': latin1(token) })).toBe(401);
      expect(await upgrade('/bridge', { Cookie: `ecoeval_token=${latin1(token)}` })).toBe(401);
    }
    await alive();
  });

  it('trades the URL token for an HttpOnly SameSite=Strict cookie and drops it from the address', async () => {
    const first = await request(`/assets/app.js?token=${server.token}&x=1`);
    expect(first.status).toBe(302);
    const setCookie = /set-cookie: (.*)/i.exec(first.head)?.[1] ?? '';
    expect(setCookie).toMatch(new RegExp(`^ecoeval_token=${server.token};`));
    expect(setCookie).toMatch(/; HttpOnly/);
    expect(setCookie).toMatch(/; SameSite=Strict/);
    expect(setCookie).toMatch(/; Path=\//);
    const location = /location: (.*)/i.exec(first.head)?.[1] ?? '';
    expect(location).toBe('/assets/app.js');
    expect(first.head).toMatch(/cache-control: no-store/i);
    // Only GET navigations are traded: an upload with the token in the URL sets no cookie.
    const upload = await request(
      `/upload?name=t.txt&token=${server.token}`,
      {},
      { method: 'POST', body: 'x' },
    );
    expect(upload.status).toBe(200);
    expect(upload.head).not.toMatch(/set-cookie/i);
    // The 401 page does not echo what was sent.
    const refused = await request('/?token=%3Cscript%3E');
    expect(refused.body).not.toContain('<script>');
  });
});

describe('Origin and Host checks', () => {
  const foreignOrigins = () => [
    'http://evil.example',
    'null',
    `http://127.0.0.1:${server.port + 1 > 65535 ? 1 : server.port + 1}`,
    `https://127.0.0.1:${server.port}`,
    `http://127.0.0.1.evil.example:${server.port}`,
    `http://evil.example:${server.port}`,
  ];
  const foreignHosts = () => [
    `evil.example:${server.port}`,
    `127.0.0.1.evil.example:${server.port}`,
    `localhost.evil.example:${server.port}`,
    '127.0.0.1',
    `127.0.0.1:${server.port + 1 > 65535 ? 1 : server.port + 1}`,
    `0.0.0.0:${server.port}`,
    `[::1]:${server.port}`,
  ];

  it('refuses a foreign Origin on pages, uploads, exports and the WebSocket', async () => {
    for (const origin of foreignOrigins()) {
      expect((await request('/', { ...cookie(), Origin: origin })).status, origin).toBe(403);
      expect(
        (
          await request(
            '/upload?name=csrf.txt',
            { ...cookie(), Origin: origin },
            { method: 'POST', body: 'x' },
          )
        ).status,
      ).toBe(403);
      expect((await request('/export/a.jsonl', { ...cookie(), Origin: origin })).status).toBe(403);
      expect(await upgrade('/bridge', { ...cookie(), Origin: origin }), origin).toBe(403);
    }
    for (const origin of [`http://127.0.0.1:${server.port}`, `http://localhost:${server.port}`]) {
      expect((await request('/', { ...cookie(), Origin: origin })).status).toBe(200);
      expect(await upgrade('/bridge', { ...cookie(), Origin: origin })).toBe(101);
    }
  });

  it('refuses a Host header other than the loopback address and port (DNS rebinding)', async () => {
    for (const host of foreignHosts()) {
      expect((await request('/', cookie(), { host })).status, host).toBe(421);
      expect(
        (await request('/upload?name=r.txt', cookie(), { host, method: 'POST', body: 'x' })).status,
      ).toBe(421);
      expect(
        (
          await request(
            `/bridge?token=${server.token}`,
            {
              Connection: 'Upgrade',
              Upgrade: 'websocket',
              'Sec-WebSocket-Version': '13',
              'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==',
            },
            { host },
          )
        ).status,
        `upgrade with Host ${host}`,
      ).toBe(421);
    }
    // HTTP/1.0 without any Host header.
    const noHost = await rawSend(`GET / HTTP/1.0\r\nCookie: ecoeval_token=${server.token}\r\n\r\n`);
    expect(noHost.status).toBe(421);
    // An absolute-form request target naming another host does not bypass the check.
    const absolute = await request(`http://evil.example:${server.port}/`, cookie(), {
      host: `evil.example:${server.port}`,
    });
    expect(absolute.status).toBe(421);
  });

  it('refuses an unparsable request target on the WebSocket upgrade without crashing', async () => {
    for (const target of ['http://[', 'http://%zz/', '//[::1']) {
      const status = await upgrade(`${target}?token=${server.token}`, cookie());
      expect(status, target).toBeGreaterThanOrEqual(400);
      expect(status).toBeLessThan(500);
    }
    const status = (await request('http://[', cookie())).status;
    expect(status).toBeGreaterThanOrEqual(400);
    expect(status).toBeLessThan(500);
    await alive();
  });
});

describe('static files and exports stay inside their folders', () => {
  const traversals = (name: string) => [
    `/../${name}`,
    `/../../${name}`,
    `/%2e%2e/${name}`,
    `/%2e%2e%2f${name}`,
    `/%2E%2E%2F${name}`,
    `/assets/..%2f..%2f${name}`,
    `/assets/%2e%2e/%2e%2e/${name}`,
    `/..%5c${name}`,
    `/%5c..%5c${name}`,
    `/assets/..%5c..%5c${name}`,
    `/..%255c${name}`,
    `/%252e%252e/${name}`,
    `/..%c0%af${name}`,
    `/.%2e/${name}`,
    `/../renderer-evil/${name}`,
    `/%2e%2e/renderer-evil/${name}`,
    `/assets/../../renderer-evil/${name}`,
  ];

  it('never serves a file outside the renderer folder, whatever the encoding', async () => {
    const parent = join(rendererDir, '..');
    const absolute = [
      `/${join(parent, 'secret.txt')}`,
      `/${encodeURIComponent(join(parent, 'secret.txt'))}`,
      `//${join(parent, 'secret.txt').slice(1)}`,
      `/${join(parent, 'secret.txt').replace(/\//g, '%5c')}`,
      `/C:%5c${join(parent, 'secret.txt').slice(1).replace(/\//g, '%5c')}`,
      `/file:${join(parent, 'secret.txt')}`,
      '/etc/passwd',
      '/%2fetc%2fpasswd',
      '/secret.txt%00.js',
    ];
    for (const path of [...traversals('secret.txt'), ...absolute]) {
      const reply = await request(path, cookie());
      expect(reply.body, path).not.toContain(SECRET);
      expect(reply.body).not.toMatch(/root:.*:0:0:/);
      expect(reply.status, path).not.toBe(500);
      expect([200, 400, 404], path).toContain(reply.status);
    }
    // Inside the folder files are served, and unknown paths fall back to the app page.
    expect((await request('/assets/app.js', cookie())).body).toBe('console.log(1)');
    expect((await request('/no/such/page', cookie())).body).toContain('<title>EcoEval</title>');
  });

  it('refuses malformed percent-encoding with 400, not a server error', async () => {
    for (const path of ['/%E0%A4%A', '/%', '/assets/%ZZ.js', '/export/%E0%A4%A', '/export/%']) {
      expect((await request(path, cookie())).status, path).toBe(400);
    }
    await alive();
  });

  it('serves exports only from the workspace exports folder', async () => {
    await mkdir(join(workspaceDir, 'exports'), { recursive: true });
    await writeFile(join(workspaceDir, 'exports', 'ok.jsonl'), '{"source":"a"}\n');
    expect((await request('/export/ok.jsonl', cookie())).body).toBe('{"source":"a"}\n');
    for (const path of [
      ...traversals('secret.txt').map((p) => `/export${p}`),
      '/export/..',
      '/export/.',
      '/export/',
      '/export/%2e%2e',
      `/export/${encodeURIComponent(join(workspaceDir, 'secret.txt'))}`,
      '/export/..%2fworkspace.json',
    ]) {
      const reply = await request(path, cookie());
      expect(reply.body, path).not.toContain(SECRET);
      expect(reply.body).not.toContain('"app": "ecoeval"');
      // `/export/../x` is normalised by URL parsing to `/x`: a page, answered with the app.
      if (reply.status === 200) expect(reply.body, path).toContain('<title>EcoEval</title>');
      else expect([400, 404], path).toContain(reply.status);
    }
  });

  it('keeps uploads inside their own folder whatever name is given', async () => {
    const names = [
      '../../escaped.txt',
      '..%2f..%2fescaped2.txt',
      '/tmp/escaped3.txt',
      '..',
      '.env',
    ];
    for (const name of names) {
      const reply = await request(`/upload?name=${encodeURIComponent(name)}`, cookie(), {
        method: 'POST',
        body: 'payload',
      });
      expect([200, 400], name).toContain(reply.status);
    }
    const parent = join(workspaceDir, '..');
    expect(readdirSync(parent).filter((f) => f.startsWith('escaped'))).toEqual([]);
    expect(readdirSync(workspaceDir).filter((f) => f.startsWith('escaped'))).toEqual([]);
    expect(existsSync('/tmp/escaped3.txt')).toBe(false);
    for (const id of readdirSync(join(workspaceDir, '.uploads'))) {
      for (const f of readdirSync(join(workspaceDir, '.uploads', id))) {
        expect(f, 'stored name').toMatch(/^[\w][\w.\- ]*$/);
      }
    }
  });
});

describe('the WebSocket bridge takes uploads only and survives bad frames', () => {
  it('refuses file paths in every file-taking call, and exports only into its own folder', async () => {
    const ws = await openSocket();
    try {
      const paths = ['../../etc/passwd', '/etc/passwd', join(workspaceDir, 'secret.txt')];
      let id = 1;
      for (const path of paths) {
        const replies = [
          await call(ws, id++, 'importDataset', [
            { name: 'x', kind: 'translation', format: 'text', sourceFile: { path } },
          ]),
          await call(ws, id++, 'importDataset', [
            {
              name: 'x',
              kind: 'translation',
              format: 'text',
              sourceFile: { upload: 'a'.repeat(32) },
              referenceFiles: [{ path }],
            },
          ]),
          await call(ws, id++, 'importDataset', [
            { name: 'x', kind: 'translation', format: 'jsonl', file: { path } },
          ]),
          await call(ws, id++, 'listColumns', [{ file: { path }, format: 'csv' }]),
        ];
        for (const reply of replies) {
          expect(reply, path).toMatchObject({ ok: false });
          expect(JSON.stringify(reply)).not.toContain('root:');
          expect(JSON.stringify(reply)).not.toContain(SECRET);
        }
      }
      // Upload ids are 32 hex digits: anything else is refused before a service sees it.
      for (const upload of ['../../etc/passwd', `${'a'.repeat(31)}/`, '..', 'A'.repeat(32)]) {
        const reply = await call(ws, id++, 'importDataset', [
          { name: 'x', kind: 'translation', format: 'text', sourceFile: { upload } },
        ]);
        expect(reply, upload).toMatchObject({ ok: false, error: { code: 'bad-request' } });
      }
      // A dataset to evaluate against and to export, from uploads.
      const upload = async (name: string, body: string) => {
        const r = await request(`/upload?name=${name}`, cookie(), { method: 'POST', body });
        return { upload: (JSON.parse(r.body) as { upload: string }).upload };
      };
      const imported = (await call(ws, id++, 'importDataset', [
        {
          name: 'export me',
          kind: 'translation',
          format: 'text',
          sourceFile: await upload('s.txt', 'a\nb\n'),
          referenceFiles: [await upload('r.txt', 'x\ny\n')],
        },
      ])) as { ok: boolean; result: { id: string } };
      expect(imported.ok).toBe(true);
      // Evaluating outputs "produced elsewhere" by path is refused the same way.
      for (const spec of [
        { hypotheses: { path: '/etc/passwd' } },
        { hypotheses: await upload('h.txt', 'a\nb\n'), logprobs: { path: '/etc/passwd' } },
      ]) {
        const evaluate = await call(ws, id++, 'evaluate', [
          {
            systems: [{ type: 'outputs', name: 'x', ...spec }],
            datasets: [{ dataset: imported.result.id }],
            metrics: ['bleu'],
          },
        ]);
        expect(evaluate).toMatchObject({ ok: false, error: { code: 'bad-request' } });
        expect(JSON.stringify(evaluate)).toMatch(/upload/);
        expect(JSON.stringify(evaluate)).not.toContain('root:');
      }
      // An energy report is read when the job runs (a bad one fails that task, not the request):
      // a path there fails the job, and no run is made from it.
      const queued = (await call(ws, id++, 'evaluate', [
        {
          systems: [
            {
              type: 'outputs',
              name: 'x',
              hypotheses: await upload('h.txt', 'a\nb\n'),
              energy: { format: 'codecarbon', file: { path: '../../etc/passwd' } },
            },
          ],
          datasets: [{ dataset: imported.result.id }],
          metrics: ['bleu'],
        },
      ])) as { ok: boolean; result?: { jobId: string }[] };
      if (queued.ok) {
        const jobId = queued.result![0].jobId;
        let job: { state: string; message?: string } | undefined;
        for (let i = 0; i < 200 && !['failed', 'done'].includes(job?.state ?? ''); i++) {
          await new Promise((r) => setTimeout(r, 25));
          const jobs = (await call(ws, id++, 'listJobs', [])) as {
            result: { jobId: string; state: string; message?: string }[];
          };
          job = jobs.result.find((j) => j.jobId === jobId);
        }
        expect(job).toMatchObject({ state: 'failed', message: expect.stringMatching(/upload/) });
        expect(await call(ws, id++, 'listRuns', [])).toMatchObject({
          ok: true,
          result: { runs: [] },
        });
      } else {
        expect(JSON.stringify(queued)).toMatch(/upload/);
      }

      // An export names a directory: the browser host ignores it and writes into exports/.
      const outside = join(workspaceDir, '..', 'outside-export');
      const exported = (await call(ws, id++, 'exportDataset', [
        { dataset: imported.result.id, split: 'test', format: 'jsonl', directory: outside },
      ])) as { ok: boolean; result: { files: string[] } };
      expect(exported.ok).toBe(true);
      expect(exported.result.files).toEqual([`/export/${imported.result.id}.test.jsonl`]);
      expect(existsSync(outside)).toBe(false);
      expect(existsSync(join(workspaceDir, 'exports', `${imported.result.id}.test.jsonl`))).toBe(
        true,
      );
      expect(await call(ws, id++, 'pickFiles', [{ multiple: false, title: 'x' }])).toMatchObject({
        ok: false,
      });
    } finally {
      ws.close();
    }
  });

  it('closes a socket on oversized, binary or malformed frames; other clients carry on', async () => {
    const bystander = await openSocket();
    const cases: [string, (ws: WebSocket) => void, number][] = [
      ['oversized', (ws) => ws.send('x'.repeat(1024 * 1024 + 1)), 1009],
      ['binary', (ws) => ws.send(Buffer.from('{"id":1}')), 1003],
      ['not JSON', (ws) => ws.send('{"id":1,'), 1007],
    ];
    for (const [what, act, code] of cases) {
      const ws = await openSocket();
      const closed = new Promise<number>((r) => ws.on('close', (c) => r(c)));
      ws.on('error', () => undefined);
      act(ws);
      expect(await closed, what).toBe(code);
    }
    // Valid JSON of the wrong shape gets an error reply, not a crash.
    for (const frame of ['null', '[]', '"x"', '{"id":5,"channel":"listDatasets","args":{}}']) {
      const ws = await openSocket();
      const reply = await new Promise<unknown>((resolve) => {
        ws.once('message', (d: Buffer) => resolve(JSON.parse(d.toString())));
        ws.send(frame);
      });
      expect(reply, frame).toMatchObject({ ok: false, error: { code: 'bad-request' } });
      ws.close();
    }
    expect(await call(bystander, 99, 'listDatasets', [])).toMatchObject({ ok: true });
    bystander.close();
  });
});

describe('failures do not crash or wedge the host', () => {
  it('answers a failed file read with an error page and keeps serving', async () => {
    // A renderer folder that was never built (or whose index.html vanished): no page to send.
    const parent = await tempDir('ecoeval-hardening-web-empty-');
    const empty = await startWebServer({
      port: 0,
      workspaceDir: join(parent, 'ws'),
      rendererDir: join(parent, 'renderer'),
      log: () => undefined,
    });
    try {
      const headers = { Cookie: `ecoeval_token=${empty.token}` };
      const reply = await request('/', headers, { port: empty.port });
      expect(reply.status).toBeGreaterThanOrEqual(400);
      expect(reply.status).not.toBe(0);
      expect((await request('/healthz', {}, { port: empty.port })).status).toBe(200);
    } finally {
      await empty.close();
    }
  });

  it('closes promptly while a client stalls mid-upload', async () => {
    const parent = await tempDir('ecoeval-hardening-web-stall-');
    const other = await startWebServer({
      port: 0,
      workspaceDir: join(parent, 'ws'),
      rendererDir,
      log: () => undefined,
    });
    const socket = connect(other.port, '127.0.0.1');
    await new Promise((r) => socket.once('connect', r));
    socket.on('error', () => undefined);
    socket.write(
      `POST /upload?name=big.txt HTTP/1.1\r\nHost: 127.0.0.1:${other.port}\r\nX-EcoEval-Token: ${other.token}\r\nContent-Length: 100000\r\n\r\npartial`,
    );
    await new Promise((r) => setTimeout(r, 200));
    const outcome = await Promise.race([
      other.close().then(() => 'closed'),
      new Promise((r) => setTimeout(() => r('still waiting after 5 s'), 5000)),
    ]);
    socket.destroy();
    expect(outcome).toBe('closed');
    // The half-received upload was not kept.
    expect(readdirSync(join(parent, 'ws', '.uploads'))).toEqual([]);
  });
});
