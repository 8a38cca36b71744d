/**
 * Colours and marker shapes of EcoEval's charts, for the light and dark themes. The system
 * palette is Okabe–Ito (distinguishable with the common colour-vision deficiencies); the light
 * theme drops its yellow and the dark theme its dark blue, which are unreadable on those
 * backgrounds. Neutrals follow the app's CSS tokens (renderer/src/app.css).
 */

export type Grade = 'A' | 'B' | 'C' | 'D';

/** Marker shape per energy grade; the chart's note explains them. */
export const GRADE_SYMBOLS: Record<Grade, 'circle' | 'rect' | 'triangle' | 'diamond'> = {
  A: 'circle',
  B: 'rect',
  C: 'triangle',
  D: 'diamond',
};

export interface ChartTheme {
  background: string;
  /** Tooltip panel. */
  panel: string;
  text: string;
  muted: string;
  axis: string;
  grid: string;
  /** Legend entries switched off. */
  inactive: string;
  /** The Pareto frontier line (no system uses it). */
  frontier: string;
  /** The selected window of a zoom slider. */
  zoomFill: string;
  palette: readonly string[];
  fontFamily: string;
}

// No double quotes: ECharts writes the family unescaped into SVG style attributes.
const FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif";

export const CHART_THEMES: Record<'light' | 'dark', ChartTheme> = {
  light: {
    background: '#ffffff',
    panel: '#ffffff',
    text: '#1c2420',
    muted: '#5d6a63',
    axis: '#8a968f',
    grid: '#e6eae4',
    inactive: '#b5bdb8',
    frontier: '#2b3530',
    zoomFill: 'rgba(0, 114, 178, 0.15)',
    palette: ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9'],
    fontFamily: FONT,
  },
  dark: {
    background: '#1b201d',
    panel: '#232a26',
    text: '#e4ebe6',
    muted: '#9aa8a0',
    axis: '#65716a',
    grid: '#2b332e',
    inactive: '#4d5852',
    frontier: '#dfe7e2',
    zoomFill: 'rgba(86, 180, 233, 0.2)',
    palette: ['#56B4E9', '#E69F00', '#009E73', '#F0E442', '#CC79A7', '#D55E00'],
    fontFamily: FONT,
  },
};
