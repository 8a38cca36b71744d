/**
 * The browser host: serves the built renderer over HTTP and the API over a WebSocket at
 * /bridge, bound to 127.0.0.1 only. Every request needs the per-launch token (from the URL it
 * prints, kept in an HttpOnly SameSite=Strict cookie), a loopback Host header (DNS rebinding) and,
 * when a browser sends one, our own Origin — so no other page or local process can drive it.
 * What a client has not read yet is bounded per client (bridge/outbox.ts): a stalled tab cannot
 * grow the host, and it still gets every job's final state once it reads again.
 *
 * Usage: node out/main/web-server.js [--port 5178] [--workspace DIR]
 */
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rm, stat, readdir } from 'node:fs/promises';
import { basename, extname, join, normalize, resolve, sep } from 'node:path';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import { WebSocketServer } from 'ws';
import type { WebSocket } from 'ws';
import { appRoot, createAppServices } from './app';
import type { AppServices } from './app';
import type { HostAdapter } from './handlers';
import { dispatch } from './bridge/dispatch';
import { Outbox, eventKey } from './bridge/outbox';
import { resolveUpload } from './services/files';
import { BadRequestError } from './services/errors';
import { resolveWorkspaceDir } from './services/workspace/workspace';
import { CONTENT_SECURITY_POLICY } from './security';

export const MAX_UPLOAD_BYTES = 2 * 1024 ** 3;
const MAX_MESSAGE_BYTES = 1024 * 1024;
const COOKIE = 'ecoeval_token';

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

export interface WebServerOptions {
  port: number;
  workspaceDir: string;
  rendererDir: string;
  token?: string;
  log?: (line: string) => void;
}

export interface RunningWebServer {
  url: string;
  token: string;
  port: number;
  services: AppServices;
  close(): Promise<void>;
}

function sameToken(a: string | undefined | null, b: string): boolean {
  if (!a) return false;
  // Compare bytes: a string of the same length may encode to more bytes (timingSafeEqual throws).
  const given = Buffer.from(a);
  const expected = Buffer.from(b);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** The request target as a URL, or null when it cannot be parsed (refused, never thrown). */
function requestUrl(req: IncomingMessage): URL | null {
  try {
    return new URL(req.url ?? '/', 'http://127.0.0.1');
  } catch {
    return null;
  }
}

/** decodeURIComponent that gives null for a malformed escape instead of throwing. */
function decodePath(text: string): string | null {
  try {
    return decodeURIComponent(text);
  } catch {
    return null;
  }
}

function cookieToken(req: IncomingMessage): string | undefined {
  const header = req.headers.cookie ?? '';
  for (const part of header.split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === COOKIE) return rest.join('=');
  }
  return undefined;
}

export async function startWebServer(options: WebServerOptions): Promise<RunningWebServer> {
  const token = options.token ?? randomBytes(16).toString('hex');
  const log = options.log ?? ((line: string) => console.log(line));
  let port = options.port;
  const exportsDir = join(resolve(options.workspaceDir), 'exports');

  const host: HostAdapter = {
    kind: 'web',
    maxUploadBytes: MAX_UPLOAD_BYTES,
    async resolveFile(ref) {
      if ('upload' in ref) return resolveUpload(services.workspace.uploadsDir, ref.upload);
      // The browser cannot name files on this machine; only the CLI and desktop take paths.
      throw new BadRequestError(
        'The browser host takes uploaded files only; upload the file instead.',
      );
    },
    async exportDirectory() {
      return exportsDir;
    },
    exportResult: (files) => files.map((f) => `/export/${encodeURIComponent(basename(f))}`),
    async pickFiles() {
      throw new BadRequestError('The browser host has no file dialog; upload the file instead.');
    },
  };
  const services = await createAppServices({ workspaceDir: options.workspaceDir, host });
  const rendererRoot = resolve(options.rendererDir);

  const allowedHosts = () => [`127.0.0.1:${port}`, `localhost:${port}`];
  const allowedOrigins = () => allowedHosts().map((h) => `http://${h}`);
  const hostOk = (req: IncomingMessage) => allowedHosts().includes(req.headers.host ?? '');
  const originOk = (req: IncomingMessage) =>
    req.headers.origin === undefined || allowedOrigins().includes(req.headers.origin);
  const authorised = (req: IncomingMessage, url: URL) =>
    sameToken(cookieToken(req), token) ||
    sameToken(url.searchParams.get('token'), token) ||
    sameToken(req.headers['x-ecoeval-token'] as string | undefined, token);

  const send = (
    res: ServerResponse,
    status: number,
    body: string,
    type = 'text/plain; charset=utf-8',
  ) => {
    res.writeHead(status, {
      'content-type': type,
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
    });
    res.end(body);
  };

  /** Streams a file; a read that fails (gone, unreadable) is a 404, never an uncaught error. */
  function sendFile(res: ServerResponse, file: string, headers: Record<string, string>): void {
    const stream = createReadStream(file);
    stream.once('open', () => {
      res.writeHead(200, headers);
      stream.pipe(res);
    });
    stream.once('error', () => {
      if (!res.headersSent) send(res, 404, 'Not found');
      else res.destroy();
    });
  }

  async function serveStatic(res: ServerResponse, pathname: string): Promise<void> {
    const decoded = decodePath(pathname);
    if (decoded === null) return send(res, 400, 'Bad request');
    const relative = normalize(decoded).replace(/^([/\\])+/, '');
    const file = resolve(rendererRoot, relative || 'index.html');
    if (file !== rendererRoot && !file.startsWith(rendererRoot + sep))
      return send(res, 404, 'Not found');
    const info = await stat(file).catch(() => null);
    const target = info?.isFile() ? file : join(rendererRoot, 'index.html');
    const isIndex = target.endsWith('index.html');
    sendFile(res, target, {
      'content-type': MIME[extname(target)] ?? 'application/octet-stream',
      'cache-control': isIndex ? 'no-store' : 'public, max-age=3600',
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'x-frame-options': 'DENY',
      ...(isIndex ? { 'content-security-policy': CONTENT_SECURITY_POLICY } : {}),
    });
  }

  async function receiveUpload(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const name = basename(url.searchParams.get('name') ?? '').replace(/[^\w.\- ]/g, '_');
    if (!name || name.startsWith('.')) return send(res, 400, 'Upload needs ?name=<file name>');
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > MAX_UPLOAD_BYTES)
      return send(res, 413, `File is over the ${MAX_UPLOAD_BYTES} byte upload limit.`);
    const id = randomBytes(16).toString('hex');
    const dir = join(services.workspace.uploadsDir, id);
    await mkdir(dir, { recursive: true });
    let received = 0;
    req.on('data', (chunk: Buffer) => {
      received += chunk.length;
      if (received > MAX_UPLOAD_BYTES) req.destroy(new Error('upload too large'));
    });
    try {
      await pipeline(req, createWriteStream(join(dir, name)));
    } catch {
      await rm(dir, { recursive: true, force: true });
      if (!res.headersSent) send(res, 413, 'Upload failed or was over the size limit.');
      return;
    }
    send(res, 200, JSON.stringify({ upload: id, name, bytes: received }), 'application/json');
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = requestUrl(req);
    if (!url) return send(res, 400, 'Bad request');
    if (url.pathname === '/healthz') return send(res, 200, 'ok');
    if (!hostOk(req))
      return send(res, 421, 'Misdirected request: use the 127.0.0.1 address printed at start.');
    if (!originOk(req)) return send(res, 403, 'Forbidden origin.');
    if (!authorised(req, url)) {
      return send(
        res,
        401,
        'EcoEval: this server needs its per-launch token. Open the URL printed by `npm run web` (it ends in ?token=...).',
      );
    }
    if (
      url.searchParams.has('token') &&
      req.method === 'GET' &&
      !url.pathname.startsWith('/export/')
    ) {
      // Trade the token in the URL for a cookie, then drop it from the address bar.
      res.writeHead(302, {
        'set-cookie': `${COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/`,
        location: url.pathname,
        'cache-control': 'no-store',
      });
      return void res.end();
    }
    if (url.pathname === '/upload' && req.method === 'POST') return receiveUpload(req, res, url);
    if (url.pathname.startsWith('/export/') && req.method === 'GET') {
      const decoded = decodePath(url.pathname.slice('/export/'.length));
      if (decoded === null) return send(res, 400, 'Bad request');
      const name = basename(decoded);
      const file = join(exportsDir, name);
      const info = await stat(file).catch(() => null);
      if (!info?.isFile()) return send(res, 404, 'No such export.');
      return sendFile(res, file, {
        'content-type': 'application/octet-stream',
        'content-disposition': `attachment; filename="${name.replace(/"/g, '')}"`,
        'cache-control': 'no-store',
      });
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'Method not allowed');
    return serveStatic(res, url.pathname);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      log(`request failed: ${(error as Error).message}`);
      if (!res.headersSent) send(res, 500, 'Internal error');
      else res.end();
    });
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });
  server.on('upgrade', (req, socket, head) => {
    const url = requestUrl(req);
    const refuse = (status: number, text: string) => {
      socket.write(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\n\r\n`);
      socket.destroy();
    };
    if (!url) return refuse(400, 'Bad Request');
    if (url.pathname !== '/bridge') return refuse(404, 'Not Found');
    if (!hostOk(req)) return refuse(421, 'Misdirected Request');
    if (!originOk(req)) return refuse(403, 'Forbidden');
    if (!authorised(req, url)) return refuse(401, 'Unauthorized');
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });

  // One outbox per client: what it has not read yet stays bounded (main/bridge/outbox.ts).
  const sockets = new Map<WebSocket, Outbox>();
  const unsubscribe = services.subscribe((event, payload) => {
    const frame = JSON.stringify({ event, payload });
    const key = eventKey(event, payload);
    for (const outbox of sockets.values()) outbox.event(key, frame);
  });
  wss.on('connection', (ws: WebSocket) => {
    const outbox = new Outbox(ws, {
      onCutOff: (reason) => log(`bridge client closed: ${reason}`),
    });
    sockets.set(ws, outbox);
    ws.on('close', () => {
      sockets.delete(ws);
      outbox.dispose();
    });
    // Oversized or malformed frames: ws closes the socket (1009/1002); log, never crash.
    ws.on('error', (error) => log(`bridge socket closed: ${error.message}`));
    ws.on('message', (data, isBinary) => {
      if (isBinary) return ws.close(1003, 'text frames only');
      let message: { id?: unknown; channel?: unknown; args?: unknown };
      try {
        message = JSON.parse(data.toString()) as typeof message;
      } catch {
        return ws.close(1007, 'invalid JSON');
      }
      // `null` is valid JSON: read fields only from an object.
      if (typeof message !== 'object' || message === null) message = {};
      const id = typeof message.id === 'number' ? message.id : -1;
      const { channel, args } = message;
      outbox.request(async () => {
        const reply = await dispatch(services.handlers, channel, args ?? [], (e) =>
          log(`handler error: ${(e as Error)?.stack ?? String(e)}`),
        );
        return JSON.stringify({ id, ...reply });
      });
    });
  });

  await new Promise<void>((resolvePromise, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => resolvePromise());
  });
  const address = server.address();
  port = typeof address === 'object' && address ? address.port : options.port;
  const url = `http://127.0.0.1:${port}/?token=${token}`;
  return {
    url,
    token,
    port,
    services,
    async close() {
      unsubscribe();
      for (const ws of sockets.keys()) ws.terminate();
      wss.close();
      // Drop open connections first: a stalled request would keep server.close() waiting forever.
      const closed = new Promise<void>((r) => server.close(() => r()));
      server.closeAllConnections();
      await closed;
      await cleanUploads(services.workspace.uploadsDir);
    },
  };
}

/** Uploads are staging copies; the imported dataset is what is kept. */
async function cleanUploads(dir: string): Promise<void> {
  for (const entry of await readdir(dir).catch(() => [] as string[])) {
    await rm(join(dir, entry), { recursive: true, force: true });
  }
}

function parseArgs(argv: string[]): { port: number; workspace?: string } {
  let port = 5178;
  let workspace: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--port') port = Number(argv[++i]);
    else if (argv[i] === '--workspace') workspace = argv[++i];
    else if (argv[i] === '--help' || argv[i] === '-h') {
      console.log('Usage: node out/main/web-server.js [--port 5178] [--workspace DIR]');
      process.exit(0);
    }
  }
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error('--port needs a number between 0 and 65535');
    process.exit(2);
  }
  return { port, ...(workspace ? { workspace } : {}) };
}

/** Entry point when run as a script. */
export async function main(argv = process.argv.slice(2), reason?: string): Promise<void> {
  const args = parseArgs(argv);
  const root = appRoot();
  const server = await startWebServer({
    port: args.port,
    workspaceDir: resolveWorkspaceDir(args.workspace),
    rendererDir: join(root, 'out', 'renderer'),
    ...(process.env.ECOEVAL_BRIDGE_TOKEN ? { token: process.env.ECOEVAL_BRIDGE_TOKEN } : {}),
  }).catch((error: NodeJS.ErrnoException) => {
    console.error(
      error.code === 'EADDRINUSE'
        ? `Port ${args.port} is in use; pass --port N (or 0 for any free port).`
        : `Could not start the web host: ${error.message}`,
    );
    process.exit(1);
  });
  if (reason) console.log(reason);
  console.log(`EcoEval is serving the workbench at ${server.url}`);
  console.log(`Workspace: ${server.services.workspace.root}`);
  const stop = () => void server.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

if (process.argv[1] && /web-server\.(js|ts)$/.test(process.argv[1])) void main();
