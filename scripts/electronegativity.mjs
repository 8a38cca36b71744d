// Electronegativity (Doyensec's Electron security scanner, a pinned devDependency) over the app's
// own sources, as one step of `npm test` (`npm test -- electronegativity` runs it alone).
//
//   node scripts/electronegativity.mjs [PATH...] [--json FILE] [--quiet]
//
// PATHs default to the Electron app: main/ (main process, preload, services), renderer/ (the
// page and its CSP meta tag, the Svelte UI), shared/ and package.json (Electron version, npm
// scripts). They are staged into a temporary folder first, because the tool reads only .js, .jsx,
// .ts, .tsx, .html, .htm and package.json: .mjs/.cjs/.mts/.cts files get a .js/.ts suffix and each
// .svelte file becomes a markup file (.html) and a script file (.ts), both line-for-line with the
// original, so findings and `eng-disable` annotations keep their lines. TypeScript is parsed by
// the tool's Babel parser (typescript plugin), which reads current TypeScript syntax.
//
// Prints `Electronegativity: N findings above informational (M informational) in K files,
// version X` and exits 1 when N > 0 or when the tool could not parse a file; 2 when it crashed.
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import Module, { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const require = createRequire(import.meta.url);

// Checks left out, each with the reason. Everything else runs, at every severity.
const EXCLUDED_CHECKS = {
  // Downloads Electron's release list from raw.githubusercontent.com at every run: CI has no
  // route to GitHub, and the answer would change from day to day. Electron's version is pinned
  // in package.json (a devDependency, for which the check only reports INFORMATIONAL anyway).
  AvailableSecurityFixesGlobalCheck: 'needs github.com; Electron is pinned in package.json',
};

// With that check left out, the tool's one remaining network use is a download of "updated
// translations" of its messages from GitHub at every run (3 s of retries here, where GitHub is
// unreachable; a different text wherever it is reachable). Its bundled English messages are
// what we want, so the tool's copy of `got` is replaced by one that fails at once.
function offline() {
  const toolRequire = createRequire(require.resolve('@doyensec/electronegativity/package.json'));
  const path = toolRequire.resolve('got');
  const stub = new Module(path);
  stub.filename = path;
  stub.loaded = true;
  stub.exports = async () => {
    throw new Error('network disabled by scripts/electronegativity.mjs');
  };
  require.cache[path] = stub;
}
const OFFLINE_NOTICE = 'Could not retrieve updated translations for the current locale';

const DEFAULT_TARGETS = ['main', 'renderer', 'shared', 'package.json'];
const SCANNED = /\.(js|jsx|ts|tsx|html|htm)$/;
const RENAMED = { '.mjs': '.js', '.cjs': '.js', '.mts': '.ts', '.cts': '.ts' };

function parseArgs(argv) {
  const options = {
    targets: [],
    json: join(root, 'reports', 'electronegativity.json'),
    quiet: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--json') options.json = resolve(argv[++i]);
    else if (arg === '--quiet') options.quiet = true;
    else if (arg === '--help' || arg === '-h') {
      process.stdout.write(
        'usage: node scripts/electronegativity.mjs [PATH...] [--json FILE] [--quiet]\n',
      );
      process.exit(0);
    } else if (arg.startsWith('-')) {
      process.stderr.write(`unknown option ${arg}\n`);
      process.exit(2);
    } else options.targets.push(resolve(arg));
  }
  if (options.targets.length === 0) options.targets = DEFAULT_TARGETS.map((t) => join(root, t));
  return options;
}

/** Blank every character except newlines (keeps line and column numbers). */
const blank = (text) => text.replace(/[^\n]/g, ' ');
const BLOCK = /(<(script|style)\b(?:[^>"']|"[^"]*"|'[^']*')*>)([\s\S]*?)<\/\2\s*>/g;

/** A .svelte file as markup only (script and style blanked) and script only (the rest blanked). */
function splitSvelte(text) {
  let markup = '';
  let script = '';
  let at = 0;
  let hasScript = false;
  for (const match of text.matchAll(BLOCK)) {
    const [whole, open, tag, body] = match;
    const before = text.slice(at, match.index);
    markup += before + blank(whole);
    if (tag === 'script') {
      hasScript = true;
      script += blank(before) + blank(open) + body + blank(whole.slice(open.length + body.length));
    } else script += blank(before) + blank(whole);
    at = match.index + whole.length;
  }
  markup += text.slice(at);
  script += blank(text.slice(at));
  return { markup, script: hasScript ? script : null };
}

/** Copies what the tool can read into `stage`; returns staged path → original path. */
function stageTargets(targets, stage) {
  const origin = new Map();
  const put = (stagedRel, originalRel, content) => {
    const path = join(stage, stagedRel);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, content);
    origin.set(stagedRel.split(sep).join('/'), originalRel.split(sep).join('/'));
  };
  const visit = (path, rel) => {
    const info = statSync(path);
    if (info.isDirectory()) {
      for (const entry of readdirSync(path).sort()) {
        if (entry === 'node_modules' || entry.startsWith('.')) continue;
        visit(join(path, entry), join(rel, entry));
      }
      return;
    }
    const name = basename(path);
    const ext = name.slice(name.lastIndexOf('.'));
    if (name === 'package.json' || SCANNED.test(name)) put(rel, rel, readFileSync(path));
    else if (RENAMED[ext]) put(rel + RENAMED[ext], rel, readFileSync(path));
    else if (ext === '.svelte') {
      const { markup, script } = splitSvelte(readFileSync(path, 'utf8'));
      put(`${rel}.markup.html`, rel, markup);
      if (script !== null) put(`${rel}.script.ts`, rel, script);
    }
  };
  for (const target of targets) {
    const rel = relative(root, target);
    visit(target, rel.startsWith('..') || isAbsolute(rel) ? basename(target) : rel);
  }
  return origin;
}

function electronVersion() {
  try {
    return require('electron/package.json').version;
  } catch {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
    return (pkg.devDependencies?.electron ?? pkg.dependencies?.electron ?? '').replace(/^\D*/, '');
  }
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  const toolVersion = require('@doyensec/electronegativity/package.json').version;
  offline();
  const run = require('@doyensec/electronegativity');
  const stage = mkdtempSync(join(tmpdir(), 'ecoeval-electronegativity-'));
  // The tool logs through console (the translation notice above, version warnings): keep those
  // lines apart, and print them indented before the findings.
  const toolLines = [];
  const saved = { log: console.log, warn: console.warn, info: console.info };
  let result;
  let origin;
  try {
    origin = stageTargets(options.targets, stage);
    for (const name of Object.keys(saved))
      console[name] = (...args) => toolLines.push(args.map(String).join(' '));
    result = await run({
      input: stage,
      isRelative: true,
      electronVersionOverride: electronVersion(),
      excludeFromScan: Object.keys(EXCLUDED_CHECKS).map((c) => c.toLowerCase()),
      // Lowest thresholds: every finding comes back, and we count them by severity ourselves.
      severitySet: 'informational',
      confidenceSet: 'tentative',
    });
  } finally {
    Object.assign(console, saved);
    rmSync(stage, { recursive: true, force: true });
  }

  const where = (file) => (file === 'N/A' ? 'N/A' : (origin.get(file) ?? file));
  const issues = result.issues.map((issue) => ({
    id: issue.id,
    severity: issue.severity.name,
    confidence: issue.confidence.name,
    manualReview: Boolean(issue.manualReview),
    file: where(issue.file),
    line: issue.location?.line ?? 0,
    column: issue.location?.column ?? 0,
    sample: issue.sample ?? null,
    description: issue.description,
    url: `https://github.com/doyensec/electronegativity/wiki/${issue.id}`,
  }));
  const errors = result.errors.map((e) => ({
    file: where(relative(stage, e.file)),
    message: e.message,
    tolerable: e.tolerable,
  }));
  const above = issues.filter((i) => i.severity !== 'INFORMATIONAL');
  const informational = issues.length - above.length;
  const files = new Set(origin.values()).size;

  mkdirSync(dirname(options.json), { recursive: true });
  writeFileSync(
    options.json,
    JSON.stringify(
      {
        tool: '@doyensec/electronegativity',
        version: toolVersion,
        electron: electronVersion(),
        targets: options.targets.map((t) => relative(root, t) || '.'),
        files,
        checks: { global: result.globalChecks, atomic: result.atomicChecks },
        excluded: EXCLUDED_CHECKS,
        issues,
        errors,
      },
      null,
      2,
    ) + '\n',
  );

  const out = (line) => process.stdout.write(`${line}\n`);
  if (!options.quiet)
    for (const line of toolLines) if (line !== OFFLINE_NOTICE) out(`  (tool) ${line}`);
  for (const i of issues) {
    if (options.quiet && i.severity === 'INFORMATIONAL') continue;
    out(`${i.severity} ${i.confidence} ${i.id} ${i.file}:${i.line}:${i.column}`);
    if (i.sample) out(`    ${i.sample.slice(0, 160)}`);
    out(`    ${i.description} ${i.url}`);
  }
  for (const e of errors) out(`PARSE ERROR ${e.file}: ${e.message}`);
  out(
    `${result.globalChecks + result.atomicChecks} checks (${Object.keys(EXCLUDED_CHECKS).join(', ')} left out); report: ${relative(root, options.json) || options.json}`,
  );
  out(
    `Electronegativity: ${above.length} findings above informational (${informational} informational) in ${files} files, version ${toolVersion}`,
  );
  if (errors.length) out(`Electronegativity could not parse ${errors.length} file(s).`);
  return above.length > 0 || errors.length > 0 || files === 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    process.stderr.write(`Electronegativity failed: ${error?.stack ?? error}\n`);
    process.exit(2);
  },
);
