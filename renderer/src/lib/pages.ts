/** The app's pages, in navigation order. `run` (Run details) is reached from Results and Chart. */
export const PAGES = [
  { id: 'datasets', title: 'Datasets' },
  { id: 'train', title: 'Train' },
  { id: 'evaluate', title: 'Evaluate' },
  { id: 'results', title: 'Results' },
  { id: 'chart', title: 'Chart' },
  { id: 'compare', title: 'Compare' },
  { id: 'run', title: 'Run details' },
  { id: 'score', title: 'Score files' },
] as const;

export type Page = (typeof PAGES)[number]['id'];
