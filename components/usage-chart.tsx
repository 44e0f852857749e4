import React, { useEffect, useMemo, useRef, useState } from 'react';
import uPlot from 'uplot';

/** usageSeries (src/domain/usage-reports/usage-charts.ts), as JSON. */
export interface UsageSeries {
  days: string[];
  models: { id: string | null; name: string; tokens: number[]; requests: number[] }[];
}

// Mid-tone colours: readable on the light and the dark theme alike.
export const PALETTE = ['#4268F6', '#27AE60', '#F2994A', '#9B51E0', '#EB5757', '#2D9CDB', '#F2C94C', '#6FCF97', '#8C8C99'];
const compact = new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 1 });
const DAY_S = 86_400;

// uPlot's layout rules (its uPlot.min.css, trimmed): the panel serves no third-party CSS file.
const UPLOT_CSS = `.uplot,.uplot *{box-sizing:border-box}.uplot{width:min-content;line-height:1.5}.u-wrap{position:relative;user-select:none}.u-over,.u-under{position:absolute}.u-under{overflow:hidden}.uplot canvas{display:block;position:relative;width:100%;height:100%}.u-axis{position:absolute}.u-select{background:rgba(128,128,128,.15);position:absolute;pointer-events:none}.u-cursor-x,.u-cursor-y{position:absolute;left:0;top:0;pointer-events:none}.u-hz .u-cursor-x{height:100%;border-right:1px dashed rgba(128,128,128,.6)}.u-hz .u-cursor-y{width:100%;border-bottom:1px dashed rgba(128,128,128,.6)}.u-cursor-pt{position:absolute;top:0;left:0;border-radius:50%;border:0 solid;pointer-events:none}.u-axis.u-off,.u-select.u-off,.u-cursor-x.u-off,.u-cursor-y.u-off,.u-cursor-pt.u-off{display:none}`;
function ensureCss(): void {
  if (document.getElementById('realmgate-uplot-css')) return;
  const style = document.createElement('style');
  style.id = 'realmgate-uplot-css';
  style.textContent = UPLOT_CSS;
  document.head.appendChild(style);
}

/**
 * Tokens (or requests) per day, stacked by model (uPlot, canvas). Each model
 * is drawn as the running total up to it, largest first, so the bars stack.
 * Axis text and grid take the theme's text colour, so light and dark both read.
 */
export const UsageChart: React.FC<{ series: UsageSeries; metric: 'tokens' | 'requests'; height?: number }> = ({ series, metric, height = 260 }) => {
  const box = useRef<HTMLDivElement>(null);
  const [hover, setHover] = useState<number | null>(null);
  const stacked = useMemo(() => {
    const running = series.days.map(() => 0);
    return series.models.map((m) => m[metric].map((v, i) => (running[i] = running[i]! + (v ?? 0))));
  }, [series, metric]);

  useEffect(() => {
    const el = box.current;
    if (!el || !series.models.length) return;
    ensureCss();
    const text = getComputedStyle(el).color || '#888';
    const xs = series.days.map((d) => Date.parse(`${d}T00:00:00Z`) / 1000);
    const order = series.models.map((_, j) => j).reverse(); // the highest stack first, then the lower ones over it
    const bars = uPlot.paths.bars!({ size: [0.7, 40], align: 0 });
    const axis = { stroke: text, grid: { stroke: 'rgba(128,128,128,0.18)', width: 1 }, ticks: { stroke: 'rgba(128,128,128,0.3)', width: 1 } };
    const plot = new uPlot(
      {
        width: el.clientWidth || 600,
        height,
        legend: { show: false },
        cursor: { points: { show: false } },
        scales: { x: { time: true, range: (_u, min, max) => [min - DAY_S / 2, max + DAY_S / 2] }, y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.05 : 1] } },
        axes: [
          { ...axis, values: (_u, ticks) => ticks.map((t) => new Date(t * 1000).toISOString().slice(5, 10)) },
          { ...axis, size: 56, values: (_u, ticks) => ticks.map((t) => compact.format(t)) },
        ],
        series: [{}, ...order.map((j) => ({ label: series.models[j]!.name, fill: PALETTE[j % PALETTE.length], stroke: PALETTE[j % PALETTE.length], width: 0, paths: bars, points: { show: false } }))],
        hooks: { setCursor: [(u) => setHover(u.cursor.idx ?? null)] },
      },
      [xs, ...order.map((j) => stacked[j]!)],
      el,
    );
    const resize = new ResizeObserver(() => plot.setSize({ width: el.clientWidth || 600, height }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      plot.destroy();
    };
  }, [series, metric, height, stacked]);

  if (!series.models.length) return <div style={{ padding: 24, opacity: 0.7 }} data-testid="usage-chart-empty">No usage in this period.</div>;
  const at = hover ?? series.days.length - 1;
  return (
    <div data-testid="usage-chart" data-metric={metric} data-series={series.models.length}>
      <div ref={box} style={{ width: '100%', minHeight: height }} />
      <div style={{ display: 'flex', flexWrap: 'wrap', gap: '4px 16px', fontSize: 12, marginTop: 8 }}>
        <span style={{ opacity: 0.7 }}>{series.days[at]}</span>
        {series.models.map((m, j) => (
          <span key={`${m.id}${j}`} style={{ display: 'inline-flex', alignItems: 'center', gap: 4 }}>
            <span style={{ width: 10, height: 10, borderRadius: 2, background: PALETTE[j % PALETTE.length], display: 'inline-block' }} />
            {m.name}: {(m[metric][at] ?? 0).toLocaleString('en-US')}
          </span>
        ))}
      </div>
    </div>
  );
};

export default UsageChart;
