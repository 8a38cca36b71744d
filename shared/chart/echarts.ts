/**
 * The one place EcoEval sets up ECharts: only the charts, components and renderers its charts
 * use are registered (from `echarts/core`, so bundles stay small), plus the error-bar shape the
 * accuracy–energy chart draws. The renderer's interactive chart and the Node SVG reports both
 * import this module, so they render the same option the same way.
 */
import * as echarts from 'echarts/core';
import { CustomChart, LineChart, ScatterChart } from 'echarts/charts';
import {
  DataZoomComponent,
  GridComponent,
  LegendComponent,
  TitleComponent,
  TooltipComponent,
} from 'echarts/components';
import { CanvasRenderer, SVGRenderer } from 'echarts/renderers';
import type { EChartsOption } from 'echarts';

echarts.use([
  ScatterChart,
  LineChart,
  CustomChart,
  GridComponent,
  LegendComponent,
  TitleComponent,
  TooltipComponent,
  DataZoomComponent,
  SVGRenderer,
  CanvasRenderer,
]);

/** Custom-series element type for many error bars in one path. */
export const ERROR_BARS_SHAPE = 'ecoevalErrorBars';

/**
 * One path of disjoint segments: `points` holds x1, y1, x2, y2 per segment, in pixels.
 * A single element per series keeps 10,000 runs' bars cheap to lay out and to write as SVG.
 */
const ErrorBars = echarts.graphic.extendShape({
  type: ERROR_BARS_SHAPE,
  shape: { points: [] as readonly number[] },
  buildPath(ctx, shape: { points: readonly number[] }) {
    const p = shape.points;
    for (let i = 0; i + 3 < p.length; i += 4) {
      ctx.moveTo(p[i], p[i + 1]);
      ctx.lineTo(p[i + 2], p[i + 3]);
    }
  },
});
echarts.graphic.registerShape(ERROR_BARS_SHAPE, ErrorBars);

export { echarts };
export type { EChartsOption };

/** What `initChart` accepts; the element type stays ECharts' own so shared/ needs no DOM. */
export type ChartHost = Parameters<typeof echarts.init>[0];
export type ChartInitOptions = Parameters<typeof echarts.init>[2];

/** An ECharts instance on `host` (the renderer's chart element) with EcoEval's registrations. */
export function initChart(host: ChartHost, options?: ChartInitOptions): echarts.ECharts {
  return echarts.init(host, null, options);
}

/**
 * Renders an option to an SVG string without a DOM (ECharts server-side rendering).
 * Animation is switched off so the string is the final frame.
 */
export function renderOptionToSvg(
  option: EChartsOption,
  size: { width: number; height: number },
): string {
  const chart = echarts.init(null, null, {
    renderer: 'svg',
    ssr: true,
    width: size.width,
    height: size.height,
  });
  try {
    chart.setOption({ ...option, animation: false });
    return chart.renderToSVGString();
  } finally {
    chart.dispose();
  }
}
