// The report SVG must be well-formed XML (browsers refuse to show a broken standalone .svg):
// parsed here with the DOM's XML parser, in both themes and with awkward run names.
import { describe, expect, it } from 'vitest';
import { renderChartSvg } from '../../../shared/chart/accuracy-energy';
import type { ChartSettings } from '../../../shared/chart/accuracy-energy';
import { makeRun } from '../evaluation/run-factory';

const settings = (theme: 'light' | 'dark'): ChartSettings => ({
  metric: 'BLEU',
  theme,
  interactive: false,
  title: 'BLEU & energy <"quoted">',
  energy: { unit: 'gCO2e', scale: 'total', includeTraining: false, amortiseOver: 1e6 },
});

describe('renderChartSvg output', () => {
  it.each(['light', 'dark'] as const)('parses as SVG XML (%s theme)', (theme) => {
    const runs = [
      makeRun('a', { system: 'sys <a> & "b"', joules: 100, bleu: 20 }),
      makeRun('b', { system: "it's", joules: 900, bleu: 30, kind: 'imported' }),
    ];
    const svg = renderChartSvg(runs, settings(theme), { width: 640, height: 400 });
    const doc = new DOMParser().parseFromString(svg, 'image/svg+xml');
    expect(doc.getElementsByTagName('parsererror')).toHaveLength(0);
    expect(doc.documentElement.nodeName).toBe('svg');
    expect(doc.documentElement.getAttribute('width')).toBe('640');
    expect(doc.documentElement.textContent).toContain('BLEU & energy <"quoted">');
  });
});
