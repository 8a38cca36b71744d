/**
 * The report page's stylesheet, inlined into report.html so the file is complete on its own:
 * system fonts, print-friendly, colour never the only carrier of meaning (badges say their word).
 */
export const REPORT_CSS = `
:root {
  --text: #1c2420; --muted: #5d6a63; --line: #d9dfda; --soft: #f3f6f3; --accent: #0072b2;
  --measured: #0b6b43; --measured-bg: #e2f4ea; --estimated: #7a4a00; --estimated-bg: #fff1d6;
  --imported: #124f86; --imported-bg: #e3eef9; --bad: #9b1c1c; --bad-bg: #fde8e8;
  font-family: system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif;
  color: var(--text); background: #fff; line-height: 1.45;
}
body { margin: 0; }
main { max-width: 1280px; margin: 0 auto; padding: 28px 32px 64px; }
h1 { font-size: 1.75rem; margin: 0 0 6px; }
h2 { font-size: 1.3rem; margin: 40px 0 12px; padding-bottom: 6px; border-bottom: 2px solid var(--line); }
h3 { font-size: 1.05rem; margin: 24px 0 8px; }
p, li { max-width: 80ch; }
.meta { color: var(--muted); margin: 0; font-size: 0.92rem; }
nav { margin: 18px 0 0; display: flex; flex-wrap: wrap; gap: 6px 16px; font-size: 0.92rem; }
nav a { color: var(--accent); text-decoration: none; }
nav a:hover { text-decoration: underline; }
.note { background: var(--soft); border-left: 4px solid var(--accent); padding: 10px 14px; margin: 16px 0; max-width: none; }
.note p { margin: 4px 0; }
.warn { border-left-color: var(--estimated); background: var(--estimated-bg); }
.fail { border-left-color: var(--bad); background: var(--bad-bg); }
.card { border: 1px solid var(--line); border-radius: 8px; padding: 12px 16px; margin: 12px 0; }
.card .table-wrap { margin: 6px 0 8px; }
.card p { margin: 6px 0 0; font-size: 0.9rem; }
.card h3 { margin: 0 0 6px; font-size: 1rem; }
figure { margin: 16px 0 28px; }
figure svg { max-width: 100%; height: auto; border: 1px solid var(--line); border-radius: 6px; }
figcaption { color: var(--muted); font-size: 0.88rem; margin-top: 6px; max-width: 100ch; }
.table-wrap { overflow-x: auto; margin: 8px 0 20px; }
table { border-collapse: collapse; font-size: 0.88rem; }
th, td { border-bottom: 1px solid var(--line); padding: 6px 10px; text-align: left; vertical-align: top; }
th { background: var(--soft); font-weight: 600; white-space: nowrap; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.num .small { font-size: 0.76rem; }
tr.baseline td { background: #f6f9ff; }
.sys { font-weight: 600; }
.small { font-size: 0.8rem; color: var(--muted); }
code, .sig { font-family: ui-monospace, 'SFMono-Regular', Menlo, Consolas, monospace; font-size: 0.8rem; }
.sig { word-break: break-all; color: #33403a; }
.badge { display: inline-block; border-radius: 10px; padding: 0 7px; font-size: 0.72rem; font-weight: 600; letter-spacing: 0.02em; white-space: nowrap; border: 1px solid transparent; }
.k-measured { color: var(--measured); background: var(--measured-bg); border-color: #9fd3b6; }
.k-estimated, .k-mixed { color: var(--estimated); background: var(--estimated-bg); border-color: #e8c27a; }
.k-imported { color: var(--imported); background: var(--imported-bg); border-color: #9cc0e4; }
.k-frontier { color: #fff; background: #2b3530; }
.k-baseline { color: var(--accent); background: #e5f1fa; border-color: #9cc0e4; }
.k-sig { color: #fff; background: var(--measured); }
.k-nsig { color: var(--muted); background: var(--soft); border-color: var(--line); }
.grade { display: inline-block; width: 1.5em; text-align: center; border-radius: 4px; font-weight: 700; font-size: 0.8rem; }
.g-A { background: #d5f0df; color: #0b5e3a; } .g-B { background: #e6f2cf; color: #3d5b07; }
.g-C { background: #fbe9c8; color: #7a4a00; } .g-D { background: #fbd9d2; color: #8a1f0b; }
details { border: 1px solid var(--line); border-radius: 8px; padding: 8px 14px; margin: 10px 0; }
details > summary { cursor: pointer; font-weight: 600; }
details[open] > summary { margin-bottom: 8px; }
dl.kv { display: grid; grid-template-columns: max-content 1fr; gap: 3px 14px; font-size: 0.88rem; margin: 6px 0; }
dl.kv dt { color: var(--muted); }
dl.kv dd { margin: 0; word-break: break-word; }
footer { margin-top: 48px; color: var(--muted); font-size: 0.82rem; border-top: 1px solid var(--line); padding-top: 12px; }
@media print {
  main { max-width: none; padding: 0; }
  nav { display: none; }
  details { break-inside: avoid; }
  figure { break-inside: avoid; }
}
`;
