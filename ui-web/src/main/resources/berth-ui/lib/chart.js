// Time-series charts with uPlot (served from its WebJar, no CDN). A chart redraws in place when its
// data changes and follows its container's width. data-points on the figure says how many points
// it draws, for people reading the markup and for the browser tests.
import uPlot from '/ui/vendor/uplot/uPlot.esm.js';
import { h, replace } from './dom.js';

const COLOURS = ['#2563eb', '#16a34a', '#9333ea', '#ea580c', '#0891b2', '#db2777', '#65a30d', '#475569'];

/**
 * A chart in `figure`. series: [{label, colour?, dash?}]; format(value) for the axis and legend.
 * Returns update(xs, ...ys) — xs in epoch seconds.
 */
export function timeChart(figure, { title, series, format, height = 220, testid }) {
  let plot = null;
  const holder = h('div', { class: 'chart-holder' });
  const empty = h('p', { class: 'muted empty' }, 'No data yet: usage arrives with the nodes\' events every few seconds.');
  replace(figure, h('figcaption', {}, title), holder, empty);
  figure.classList.add('chart');
  if (testid) figure.dataset.testid = testid;
  figure.dataset.points = '0';
  const width = () => Math.max(280, holder.clientWidth || figure.clientWidth || 600);
  const observer = new ResizeObserver(() => { if (plot) plot.setSize({ width: width(), height }); });
  observer.observe(figure);

  const update = (xs, ...ys) => {
    figure.dataset.points = String(xs.length);
    empty.hidden = xs.length > 0;
    holder.hidden = xs.length === 0;
    if (!xs.length) return;
    const data = [xs, ...ys];
    if (plot && plot.series.length === data.length) { plot.setData(data); return; }
    if (plot) plot.destroy();
    plot = new uPlot({
      width: width(), height,
      scales: { x: { time: true }, y: { range: (u, min, max) => [0, max > 0 ? max * 1.1 : 1] } },
      axes: [{}, { values: (u, vals) => vals.map(format), size: 70 }],
      series: [{}, ...series.map((s, i) => ({
        label: s.label, stroke: s.colour || COLOURS[i % COLOURS.length], width: 2, dash: s.dash,
        value: (u, v) => v === null || v === undefined ? '–' : format(v),
        fill: s.fill ? (s.colour || COLOURS[i % COLOURS.length]) + '22' : undefined,
      }))],
    }, data, holder);
  };
  update.destroy = () => { observer.disconnect(); if (plot) plot.destroy(); };
  return update;
}

/** Aligns several [t, v] series on one time axis (nulls where a series has no point). */
export function align(seriesList) {
  const times = [...new Set(seriesList.flatMap(s => s.map(p => p[0])))].sort((a, b) => a - b);
  const index = new Map(times.map((t, i) => [t, i]));
  const ys = seriesList.map(s => {
    const y = new Array(times.length).fill(null);
    for (const [t, v] of s) y[index.get(t)] = v;
    return y;
  });
  return [times, ...ys];
}
