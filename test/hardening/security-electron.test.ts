// Hardening of the desktop app. The Electron binary cannot run here, so this checks it two ways:
// source assertions over main/index.ts, main/preload.ts, main/security.ts and the renderer (each
// named for the rule it guards, so a regression fails by name), and the real main process and
// preload modules run against a recording stand-in for the `electron` module — the window's
// webPreferences, navigation and window-open handlers, external links, permission handlers, the
// CSP header and every IPC handler's sender check are exercised, not just read.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { CHANNELS, EVENTS } from '../../shared/api/contract';
import { CONTENT_SECURITY_POLICY } from '../../main/security';
import { repoRoot } from '../helpers/services';
import { tempDir } from '../helpers/temp';

// ---------- source helpers ----------

/** A source file with comments removed (so a commented-out setting does not count). */
function source(path: string): string {
  return readFileSync(join(repoRoot, path), 'utf8')
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/(^|[^:'"`\\])\/\/.*$/gm, '$1');
}

function filesUnder(dir: string, extensions: RegExp): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const entry of readdirSync(d)) {
      const path = join(d, entry);
      if (entry === 'node_modules') continue;
      if (statSync(path).isDirectory()) walk(path);
      else if (extensions.test(entry)) out.push(relative(repoRoot, path));
    }
  };
  walk(join(repoRoot, dir));
  return out;
}

/** The object literal passed as `webPreferences` in main/index.ts. */
function webPreferencesSource(): string {
  const text = source('main/index.ts');
  const start = text.indexOf('webPreferences:');
  expect(start, 'main/index.ts sets webPreferences').toBeGreaterThan(0);
  const open = text.indexOf('{', start);
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    if (text[i] === '{') depth++;
    if (text[i] === '}' && --depth === 0) return text.slice(open, i + 1);
  }
  throw new Error('unbalanced webPreferences');
}

/** CSP text → directive → sources. */
function parseCsp(text: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const part of text.split(';')) {
    const [name, ...values] = part.trim().split(/\s+/);
    if (name) out.set(name.toLowerCase(), values);
  }
  return out;
}

function metaCsp(html: string): string | null {
  const match = /<meta\s+http-equiv="Content-Security-Policy"\s+content="([^"]*)"/i.exec(html);
  return match ? match[1] : null;
}

/** The rules every policy the app ships must keep. */
function expectStrictCsp(text: string, where: string): void {
  const csp = parseCsp(text);
  const all = [...csp.values()].flat();
  expect(all, `${where}: no 'unsafe-eval'`).not.toContain("'unsafe-eval'");
  expect(all, `${where}: no wildcard source`).not.toContain('*');
  expect(csp.get('default-src'), `${where}: default-src 'self'`).toEqual(["'self'"]);
  expect(csp.get('script-src'), `${where}: own scripts only`).toEqual(["'self'"]);
  expect(csp.get('object-src'), `${where}: object-src 'none'`).toEqual(["'none'"]);
  expect(csp.get('base-uri'), `${where}: base-uri 'none'`).toEqual(["'none'"]);
  for (const [directive, values] of csp) {
    for (const value of values) {
      // Remote origins: nothing but loopback WebSockets for the browser host's bridge.
      if (/^(https?|wss?):/i.test(value) || /^[\w.-]+\.[a-z]{2,}/i.test(value)) {
        expect(
          directive === 'connect-src' && /^ws:\/\/(127\.0\.0\.1|localhost):\*$/.test(value),
          `${where}: ${directive} allows ${value}`,
        ).toBe(true);
      }
      expect(value, `${where}: ${directive} allows the whole scheme`).not.toMatch(
        /^(https?|wss?|file|filesystem):$/i,
      );
    }
  }
}

describe('Electron main process (source)', () => {
  it('webPreferences: sandbox, context isolation, no Node integration, web security on', () => {
    const prefs = webPreferencesSource();
    expect(prefs).toMatch(/\bsandbox:\s*true\b/);
    expect(prefs).toMatch(/\bcontextIsolation:\s*true\b/);
    expect(prefs).toMatch(/\bnodeIntegration:\s*false\b/);
    expect(prefs).not.toMatch(/\bwebSecurity:\s*false\b/);
    for (const risky of [
      'nodeIntegrationInWorker',
      'nodeIntegrationInSubFrames',
      'allowRunningInsecureContent',
      'experimentalFeatures',
      'enableBlinkFeatures',
      'webviewTag',
      'enableRemoteModule',
    ]) {
      expect(prefs, `webPreferences must not set ${risky}`).not.toMatch(
        new RegExp(`\\b${risky}:\\s*(true|['"])`),
      );
    }
    expect(source('main/index.ts')).toMatch(/\bapp\.enableSandbox\(\)/);
    // A middle click on a link opens no window (Electronegativity's AUXCLICK_JS_CHECK).
    expect(prefs).toMatch(/\bdisableBlinkFeatures:\s*'Auxclick'/);
  });

  it('no remote module anywhere', () => {
    for (const file of [
      ...filesUnder('main', /\.ts$/),
      ...filesUnder('renderer/src', /\.(ts|svelte)$/),
      ...filesUnder('shared', /\.ts$/),
    ]) {
      const text = source(file);
      expect(text, `${file} imports @electron/remote`).not.toMatch(/@electron\/remote/);
      expect(text, `${file} uses electron's remote`).not.toMatch(
        /import\s*\{[^}]*\bremote\b[^}]*\}\s*from\s*['"]electron['"]|require\(['"]electron['"]\)\.remote/,
      );
    }
  });

  it('navigation, new windows and webviews are blocked; external links go to allow-listed https hosts only', () => {
    const text = source('main/index.ts');
    expect(text).toMatch(/'will-navigate',\s*\(event\)\s*=>\s*event\.preventDefault\(\)/);
    expect(text).toMatch(/'will-attach-webview',\s*\(event\)\s*=>\s*event\.preventDefault\(\)/);
    const handler = text.slice(text.indexOf('setWindowOpenHandler'));
    expect(handler).toMatch(/return \{ action: 'deny' \}/);
    expect(handler).not.toMatch(/action: 'allow'/);
    // Every openExternal call sits behind the https + allow-list check.
    const calls = [...text.matchAll(/shell\.openExternal\(/g)];
    expect(calls.length).toBeLessThanOrEqual(1);
    for (const call of calls) {
      const before = text.slice(Math.max(0, call.index - 200), call.index);
      expect(before).toMatch(/protocol === 'https:' && EXTERNAL_ALLOW\.has\(parsed\.hostname\)/);
    }
    const allow = /EXTERNAL_ALLOW = new Set\(\[([^\]]*)\]\)/.exec(text)?.[1] ?? '';
    for (const host of allow.match(/'[^']*'/g) ?? []) {
      expect(host, 'allow-list entries are bare host names').toMatch(/^'[a-z0-9.-]+\.[a-z]{2,}'$/);
    }
  });

  it('permission requests and checks are denied', () => {
    const text = source('main/index.ts');
    expect(text).toMatch(
      /setPermissionRequestHandler\(\(_wc, _permission, callback\) =>\s*callback\(false\)/,
    );
    expect(text).toMatch(/setPermissionCheckHandler\(\(\) => false\)/);
  });

  it('every IPC handler checks its sender', () => {
    const text = source('main/index.ts');
    const handlers = [...text.matchAll(/ipcMain\.(handle|on|once|handleOnce)\(/g)];
    expect(handlers.length).toBeGreaterThan(0);
    for (const h of handlers) {
      const body = text.slice(h.index, h.index + 300);
      expect(body, `IPC handler at offset ${h.index}`).toMatch(/if \(!isOurPage\(event\)/);
    }
    expect(text).not.toMatch(/ipcMain\.on\(/);
  });
});

describe('Content-Security-Policy', () => {
  it('the policy the session and the browser host send is strict', () => {
    expectStrictCsp(CONTENT_SECURITY_POLICY, 'main/security.ts');
    const csp = parseCsp(CONTENT_SECURITY_POLICY);
    expect(csp.get('frame-ancestors')).toEqual(["'none'"]);
    expect(csp.get('form-action')).toEqual(["'none'"]);
    expect(source('main/index.ts')).toMatch(
      /'Content-Security-Policy': \[CONTENT_SECURITY_POLICY\]/,
    );
  });

  it('the page carries the same policy in a meta tag (pages from file:// get no response headers)', () => {
    const pages = ['renderer/index.html', 'out/renderer/index.html'].filter((p) =>
      existsSync(join(repoRoot, p)),
    );
    expect(pages).toContain('renderer/index.html');
    const shared = parseCsp(CONTENT_SECURITY_POLICY);
    // frame-ancestors is ignored in a meta tag; the browser host sends it as a header.
    shared.delete('frame-ancestors');
    for (const page of pages) {
      const text = metaCsp(readFileSync(join(repoRoot, page), 'utf8'));
      expect(text, `${page} has a CSP meta tag`).not.toBeNull();
      expectStrictCsp(text!, page);
      expect(Object.fromEntries(parseCsp(text!)), `${page} meta CSP = main/security.ts`).toEqual(
        Object.fromEntries(shared),
      );
    }
  });

  it('the renderer never injects HTML or evaluates strings', () => {
    for (const file of [
      ...filesUnder('renderer/src', /\.(ts|svelte)$/),
      ...filesUnder('shared', /\.ts$/),
    ]) {
      const text = source(file);
      expect(text, `${file}: {@html}`).not.toMatch(/\{@html\b/);
      expect(text, `${file}: innerHTML`).not.toMatch(
        /\.(innerHTML|outerHTML)\s*=|insertAdjacentHTML/,
      );
      expect(text, `${file}: eval`).not.toMatch(/\beval\(|new Function\(/);
    }
  });
});

// ---------- the real main process and preload against a recording electron ----------

interface Handlers {
  whenReady: { resolve: () => void };
  ipc: Map<string, (event: unknown, ...args: unknown[]) => unknown>;
  appOn: Map<string, (...args: unknown[]) => void>;
  windows: Array<{
    options: { webPreferences: Record<string, unknown> };
    webContents: Record<string, unknown> & {
      handlers: Map<string, (...args: unknown[]) => void>;
      openHandler?: (details: { url: string }) => { action: string };
    };
    loaded?: string;
  }>;
  headers?: (details: unknown, callback: (r: unknown) => void) => void;
  permissionRequest?: (wc: unknown, permission: string, callback: (ok: boolean) => void) => void;
  permissionCheck?: (...args: unknown[]) => boolean;
  openExternal: ReturnType<typeof vi.fn>;
  enableSandbox: ReturnType<typeof vi.fn>;
  exposed: Map<string, unknown>;
  rendererInvoke: ReturnType<typeof vi.fn>;
  pathForFile: ReturnType<typeof vi.fn>;
}

const h = vi.hoisted(() => {
  let resolveReady!: () => void;
  const ready = new Promise<void>((r) => (resolveReady = r));
  const state = {
    whenReady: { resolve: () => resolveReady() },
    ready,
    ipc: new Map(),
    appOn: new Map(),
    windows: [] as unknown[],
    exposed: new Map(),
  } as unknown as Handlers & { ready: Promise<void> };
  return state;
});

vi.mock('electron', () => {
  h.openExternal = vi.fn(async () => undefined);
  h.enableSandbox = vi.fn();
  h.rendererInvoke = vi.fn(async () => ({ ok: true, result: 'from main' }));
  h.pathForFile = vi.fn(() => '');
  class BrowserWindow {
    webContents: Handlers['windows'][number]['webContents'];
    options: Handlers['windows'][number]['options'];
    loaded?: string;
    constructor(options: Handlers['windows'][number]['options']) {
      this.options = options;
      const handlers = new Map<string, (...args: unknown[]) => void>();
      this.webContents = {
        handlers,
        on: (name: string, fn: (...args: unknown[]) => void) => void handlers.set(name, fn),
        setWindowOpenHandler: (fn: (d: { url: string }) => { action: string }) => {
          this.webContents.openHandler = fn;
        },
        send: () => undefined,
      };
      (h.windows as unknown[]).push(this);
    }
    once() {}
    show() {}
    async loadURL(url: string) {
      this.loaded = url;
    }
    static getAllWindows() {
      return h.windows;
    }
  }
  return {
    app: {
      enableSandbox: h.enableSandbox,
      on: (name: string, fn: (...args: unknown[]) => void) => void h.appOn.set(name, fn),
      whenReady: () => h.ready,
      isPackaged: false,
      getAppPath: () => repoRootForMock(),
      exit: () => undefined,
      quit: () => undefined,
    },
    BrowserWindow,
    dialog: { showOpenDialog: vi.fn(async () => ({ canceled: true, filePaths: [] })) },
    ipcMain: {
      handle: (channel: string, fn: (event: unknown, ...args: unknown[]) => unknown) =>
        void h.ipc.set(channel, fn),
    },
    session: {
      defaultSession: {
        webRequest: {
          onHeadersReceived: (fn: Handlers['headers']) => void (h.headers = fn),
        },
        setPermissionRequestHandler: (fn: Handlers['permissionRequest']) =>
          void (h.permissionRequest = fn),
        setPermissionCheckHandler: (fn: Handlers['permissionCheck']) =>
          void (h.permissionCheck = fn),
      },
    },
    shell: { openExternal: h.openExternal },
    contextBridge: {
      exposeInMainWorld: (key: string, value: unknown) => void h.exposed.set(key, value),
    },
    ipcRenderer: {
      invoke: h.rendererInvoke,
      on: () => undefined,
      removeListener: () => undefined,
    },
    webUtils: { getPathForFile: h.pathForFile },
  };
});

function repoRootForMock(): string {
  return join(import.meta.dirname, '..', '..');
}

let win: Handlers['windows'][number];
let ourPage: string;
const savedWorkspace = process.env.ECOEVAL_WORKSPACE;

beforeAll(async () => {
  process.env.ECOEVAL_WORKSPACE = await tempDir('ecoeval-hardening-electron-');
  await import('../../main/index');
  h.whenReady.resolve();
  for (let i = 0; i < 400 && !(h.windows[0] as { loaded?: string } | undefined)?.loaded; i++) {
    await new Promise((r) => setTimeout(r, 25));
  }
  win = h.windows[0];
  expect(win?.loaded, 'the main window loaded its page').toBeTruthy();
  ourPage = win.loaded!;
  await import('../../main/preload');
});

afterAll(() => {
  if (savedWorkspace === undefined) delete process.env.ECOEVAL_WORKSPACE;
  else process.env.ECOEVAL_WORKSPACE = savedWorkspace;
});

describe('Electron main process (behaviour)', () => {
  it('creates its one window sandboxed, isolated, without Node', () => {
    expect(h.enableSandbox).toHaveBeenCalled();
    expect(h.windows).toHaveLength(1);
    const prefs = win.options.webPreferences;
    expect(prefs).toMatchObject({ sandbox: true, contextIsolation: true, nodeIntegration: false });
    expect(prefs.webSecurity).not.toBe(false);
    expect(prefs.nodeIntegrationInWorker ?? false).toBe(false);
    expect(prefs.nodeIntegrationInSubFrames ?? false).toBe(false);
    expect(prefs.webviewTag ?? false).toBe(false);
    expect(prefs.allowRunningInsecureContent ?? false).toBe(false);
    expect(prefs.disableBlinkFeatures).toBe('Auxclick');
    expect(String(prefs.preload)).toMatch(/preload\.cjs$/);
    expect(ourPage.startsWith('file://') || ourPage.startsWith('http://localhost')).toBe(true);
  });

  it('blocks every navigation and webview', () => {
    for (const url of ['https://evil.example/', 'file:///etc/passwd', ourPage]) {
      const event = { preventDefault: vi.fn() };
      win.webContents.handlers.get('will-navigate')!(event, url);
      expect(event.preventDefault, url).toHaveBeenCalled();
    }
    const contents = { on: vi.fn() };
    h.appOn.get('web-contents-created')!({}, contents);
    const [name, handler] = contents.on.mock.calls[0] as [string, (e: unknown) => void];
    expect(name).toBe('will-attach-webview');
    const event = { preventDefault: vi.fn() };
    handler(event);
    expect(event.preventDefault).toHaveBeenCalled();
  });

  it('denies every new window and opens only allow-listed https links outside', () => {
    const open = win.webContents.openHandler!;
    const refused = [
      'http://github.com/ecoeval',
      'https://github.com.evil.example/',
      'https://evil.example/?https://github.com/',
      'https://evil.example/#github.com',
      'javascript:alert(1)',
      'file:///etc/passwd',
      'data:text/html,<script>alert(1)</script>',
      'smb://github.com/share',
      'not a url',
      '',
    ];
    for (const url of refused) {
      h.openExternal.mockClear();
      expect(open({ url }), url).toEqual({ action: 'deny' });
      expect(h.openExternal, url).not.toHaveBeenCalled();
    }
    for (const url of ['https://github.com/ecoeval/issues', 'https://codecarbon.io/']) {
      h.openExternal.mockClear();
      expect(open({ url })).toEqual({ action: 'deny' });
      expect(h.openExternal).toHaveBeenCalledWith(url);
    }
    // What is opened is the URL as checked (the parser's serialisation), not the page's string.
    for (const [url, opened] of [
      ['https://GitHub.com/a b', 'https://github.com/a%20b'],
      ['https://github.com\\@evil.example/', 'https://github.com/@evil.example/'],
    ]) {
      h.openExternal.mockClear();
      expect(open({ url })).toEqual({ action: 'deny' });
      expect(h.openExternal).toHaveBeenCalledWith(opened);
    }
  });

  it('denies permission requests and checks', () => {
    for (const permission of [
      'media',
      'geolocation',
      'notifications',
      'openExternal',
      'clipboard-read',
    ]) {
      const callback = vi.fn();
      h.permissionRequest!({}, permission, callback);
      expect(callback).toHaveBeenCalledWith(false);
      expect(h.permissionCheck!({}, permission, 'file://')).toBe(false);
    }
  });

  it('sends the strict CSP with every response', () => {
    const callback = vi.fn();
    h.headers!({ responseHeaders: { 'X-Other': ['1'] } }, callback);
    expect(callback).toHaveBeenCalledWith({
      responseHeaders: { 'X-Other': ['1'], 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] },
    });
  });

  it('answers IPC only from its own page in its own window', async () => {
    expect([...h.ipc.keys()].sort()).toEqual([...CHANNELS, 'file-dropped'].sort());
    const frame = (url: string) => ({ sender: win.webContents, senderFrame: { url } });
    const folder = new URL('.', ourPage).href;
    const strangers = [
      { sender: {}, senderFrame: { url: ourPage } },
      { sender: win.webContents, senderFrame: null },
      frame('https://evil.example/index.html'),
      frame('file:///etc/passwd'),
      // Same prefix, another folder: must not pass for our page.
      frame(`${folder.replace(/\/$/, '')}-evil/index.html`),
      frame(`${folder.replace(/\/$/, '')}.html`),
    ];
    for (const event of strangers) {
      for (const channel of ['listDatasets', 'importDataset', 'deleteRun']) {
        const reply = await h.ipc.get(channel)!(event, {});
        expect(reply, `${channel} from ${JSON.stringify(event.senderFrame)}`).toEqual({
          ok: false,
          error: { code: 'bad-request', message: 'unknown sender' },
        });
      }
      expect(await h.ipc.get('file-dropped')!(event, '/etc/passwd')).toBe(false);
    }
    // Our page (and its routes) is answered.
    for (const url of [ourPage, `${ourPage}#/datasets`]) {
      expect(await h.ipc.get('listDatasets')!(frame(url))).toMatchObject({ ok: true });
    }
  });

  it('imports only files the user chose (dialog or drop), never a path the page names', async () => {
    const ours = { sender: win.webContents, senderFrame: { url: ourPage } };
    const file = join(await tempDir('ecoeval-hardening-electron-files-'), 'src.txt');
    const { writeFile } = await import('node:fs/promises');
    await writeFile(file, 'a\nb\n');
    const request = (path: string) => ({
      name: 'picked',
      kind: 'language-modelling',
      format: 'text',
      sourceFile: { path },
    });
    for (const path of ['/etc/passwd', file, '../../etc/passwd']) {
      const reply = (await h.ipc.get('importDataset')!(ours, request(path))) as {
        ok: boolean;
        error?: { message: string };
      };
      expect(reply.ok, path).toBe(false);
    }
    expect(await h.ipc.get('file-dropped')!(ours, file)).toBe(true);
    expect(await h.ipc.get('importDataset')!(ours, request(file))).toMatchObject({ ok: true });
  });
});

describe('preload', () => {
  it('exposes one object of plain functions and values, never ipcRenderer', () => {
    expect([...h.exposed.keys()]).toEqual(['workbench']);
    const api = h.exposed.get('workbench') as Record<string, unknown>;
    expect(Object.keys(api).sort()).toEqual(['droppedFilePath', 'invoke', 'kind', 'on']);
    for (const [key, value] of Object.entries(api)) {
      expect(['function', 'string'], key).toContain(typeof value);
    }
  });

  it('forwards only the contract channels and events', async () => {
    const api = h.exposed.get('workbench') as {
      invoke: (channel: string, ...args: unknown[]) => Promise<unknown>;
      on: (event: string, fn: () => void) => () => void;
      droppedFilePath: (file: unknown) => Promise<string | null>;
    };
    h.rendererInvoke.mockClear();
    for (const channel of ['file-dropped', 'deleteEverything', '__proto__', 'constructor']) {
      await expect(api.invoke(channel, '/etc/passwd'), channel).rejects.toThrow(/unknown channel/);
    }
    expect(h.rendererInvoke).not.toHaveBeenCalled();
    expect(() => api.on('ipc-message', () => undefined)).toThrow(/unknown event/);
    expect(typeof api.on(EVENTS[0], () => undefined)).toBe('function');
    await expect(api.invoke(CHANNELS[0])).resolves.toBe('from main');
    // A File that is not from disk has no path: nothing is registered.
    h.rendererInvoke.mockClear();
    expect(await api.droppedFilePath({})).toBeNull();
    expect(h.rendererInvoke).not.toHaveBeenCalled();
  });
});
