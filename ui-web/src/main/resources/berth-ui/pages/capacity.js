// Capacity: the cluster's and each node's use over time, headroom now, how many more of a spec fit,
// and right-sizing advice from the tasks' measured use.
import { get, post, specType } from '../lib/api.js';
import { h, replace, section, fmtCores, fmtBytes, usageBar, facts } from '../lib/dom.js';
import { timeChart, align } from '../lib/chart.js';
import { live, showError } from '../app.js';

const RANGES = ['15m', '1h', '6h', '1d'];
const FIT_SAMPLE = `name: probe
groups:
  - tasks:
      - image: busybox
        resources: {cpu: 500m, memory: 256Mi}
`;

export async function render(root, _params, query) {
  document.title = 'Capacity · Berth';
  let range = RANGES.includes(query.get('range')) ? query.get('range') : '1h';
  const now = h('div', { testid: 'capacity-now' });
  const figures = { cpu: h('figure'), memory: h('figure'), nodesCpu: h('figure'), nodesMemory: h('figure') };
  const clusterSeries = [{ label: 'hosts used', fill: true }, { label: 'allocated', colour: '#9333ea' }, { label: 'capacity', dash: [6, 4], colour: '#64748b' }];
  const charts = {
    cpu: timeChart(figures.cpu, { title: 'Cluster CPU (cores)', series: clusterSeries, format: fmtCores, testid: 'chart-cpu' }),
    memory: timeChart(figures.memory, { title: 'Cluster memory', series: clusterSeries, format: fmtBytes, testid: 'chart-memory' }),
  };
  let nodeCharts = null, nodeNames = '';
  const note = h('p', { class: 'muted small', testid: 'history-note' });
  const recs = h('div', { testid: 'recommendations' });
  const fitOut = h('div', { testid: 'fit-result', 'aria-live': 'polite' });
  const fitEditor = h('textarea', { id: 'fit-spec', class: 'editor small', rows: 7, spellcheck: 'false', testid: 'fit-spec' });
  fitEditor.value = FIT_SAMPLE;

  const rangePick = h('div', { class: 'segmented', role: 'group', 'aria-label': 'Range' }, RANGES.map(r =>
    h('button', { type: 'button', 'aria-pressed': String(r === range), testid: `range-${r}`, onclick: () => {
      range = r;
      history.replaceState(null, '', `/ui/capacity?range=${r}`);
      for (const b of rangePick.children) b.setAttribute('aria-pressed', String(b.textContent === r));
      loadHistory();
    } }, r)));

  async function loadNow() {
    try {
      const c = await get('/v1/capacity');
      const cl = c.cluster;
      replace(now,
        usageBar('CPU', cl.cpu.capacity, cl.cpu.allocated, cl.cpu.used, fmtCores, 'cluster-cpu'),
        usageBar('Memory', cl.memory.capacity, cl.memory.allocated, cl.memory.used, fmtBytes, 'cluster-memory'),
        facts([
          ['CPU allocatable', fmtCores(cl.cpu.headroom.allocatable), 'headroom-cpu'], ['CPU unused', fmtCores(cl.cpu.headroom.unused)],
          ['Memory allocatable', fmtBytes(cl.memory.headroom.allocatable), 'headroom-memory'], ['Memory unused', fmtBytes(cl.memory.headroom.unused)],
          ['Nodes', String(c.nodes.length)],
          c.planner ? ['Usage events read', String(c.planner.events)] : null,
        ]));
    } catch (e) { showError(e, 'Cannot read capacity'); }
  }

  async function loadHistory() {
    try {
      const [cpu, mem] = await Promise.all([get(`/v1/capacity/history?resource=cpu&range=${range}`), get(`/v1/capacity/history?resource=memory&range=${range}`)]);
      const sum = (perNode) => {
        const t = new Map();
        for (const pts of Object.values(perNode || {})) for (const [x, v] of pts) t.set(x, (t.get(x) || 0) + v);
        return [...t.entries()].sort((a, b) => a[0] - b[0]);
      };
      charts.cpu(...align([cpu.cluster, sum(cpu.allocated.nodes), sum(cpu.capacity.nodes)]));
      charts.memory(...align([mem.cluster, sum(mem.allocated.nodes), sum(mem.capacity.nodes)]));
      const names = Object.keys(cpu.nodes).sort();
      if (names.join() !== nodeNames) {
        nodeNames = names.join();
        if (nodeCharts) { nodeCharts.cpu.destroy(); nodeCharts.memory.destroy(); }
        const series = names.map(n => ({ label: n }));
        nodeCharts = {
          cpu: timeChart(figures.nodesCpu, { title: 'CPU used per node (cores)', series, format: fmtCores, testid: 'chart-nodes-cpu' }),
          memory: timeChart(figures.nodesMemory, { title: 'Memory used per node', series, format: fmtBytes, testid: 'chart-nodes-memory' }),
        };
      }
      nodeCharts.cpu(...align(names.map(n => cpu.nodes[n])));
      nodeCharts.memory(...align(names.map(n => mem.nodes[n])));
      note.textContent = `Step ${cpu.stepSeconds}s over ${range}. Used comes from the nodes' usage events (Kafka); allocated and capacity from the scheduler's state every 10 s.`;
    } catch (e) {
      note.textContent = e.status === 503 ? e.message : '';
      if (e.status !== 503) showError(e, 'Cannot read the history');
    }
  }

  async function loadRecommendations() {
    try {
      const r = await get('/v1/capacity/recommendations');
      const list = r.recommendations || [];
      replace(recs, list.length ? h('div', { class: 'table-wrap' }, h('table', { class: 'table', testid: 'recommendations-table' },
        h('thead', {}, h('tr', {}, ['Job', 'Group / task', 'CPU asked', 'CPU target (lower–upper)', 'Memory asked', 'Memory target', 'Samples'].map(t => h('th', { scope: 'col' }, t)))),
        h('tbody', {}, list.map(x => h('tr', { testid: 'recommendation' },
          h('td', {}, h('a', { href: `/ui/jobs/${encodeURIComponent(x.jobId)}` }, x.jobId)), h('td', {}, `${x.group} / ${x.task}`),
          h('td', {}, fmtCores(x.requestedCpu)), h('td', {}, `${fmtCores(x.cpu?.target)} (${fmtCores(x.cpu?.lower)}–${fmtCores(x.cpu?.upper)})`),
          h('td', {}, fmtBytes(x.requestedMemory)), h('td', {}, fmtBytes(x.memory?.target) + (x.oomKilled ? ' (OOM-killed)' : '')),
          h('td', {}, `${x.cpuSamples} over ${Math.round(x.historySeconds)} s`))))))
        : h('p', { class: 'muted' }, 'No advice yet: it needs usage samples from running tasks.'));
    } catch (e) {
      replace(recs, h('p', { class: 'muted' }, e.status === 503 ? e.message : ''));
      if (e.status !== 503) showError(e, 'Cannot read recommendations');
    }
  }

  async function fit(e) {
    e.preventDefault();
    try {
      const r = await post('/v1/capacity/fit', fitEditor.value, { contentType: specType(fitEditor.value) });
      replace(fitOut, h('table', { class: 'table', testid: 'fit-table' },
        h('thead', {}, h('tr', {}, ['Group', 'Fit now', 'Where', 'The next one'].map(t => h('th', { scope: 'col' }, t)))),
        h('tbody', {}, r.groups.map(g => h('tr', { testid: 'fit-group' }, h('td', {}, g.group), h('td', { class: 'strong', testid: 'fit-count' }, String(g.fits)),
          h('td', {}, Object.entries(g.nodes).map(([n, c]) => `${n} × ${c}`).join(', ') || '–'), h('td', {}, g.nextFails))))));
    } catch (err) {
      replace(fitOut, h('ul', { class: 'errors', testid: 'fit-errors' }, (err.errors.length ? err.errors : [{ path: '', message: err.message }])
        .map(x => h('li', {}, x.path ? h('code', {}, x.path) : null, ' ', x.message))));
    }
  }

  replace(root,
    h('div', { class: 'page-head' }, h('h1', {}, 'Capacity'), rangePick),
    section('Now', now),
    section('Over time', note, h('div', { class: 'charts' }, figures.cpu, figures.memory, figures.nodesCpu, figures.nodesMemory)),
    section('How many more fit',
      h('form', { onsubmit: fit, testid: 'fit-form' },
        h('label', { for: 'fit-spec' }, 'A job spec (YAML or JSON): how many more instances of each group fit now'),
        fitEditor, h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary', testid: 'fit-submit' }, 'How many fit?'))),
      fitOut),
    section('Right-sizing', h('p', { class: 'muted small' }, 'From measured use, in the manner of the Kubernetes VPA recommender: cpu target p90, memory from peaks, with a margin.'), recs));
  await Promise.all([loadNow(), loadHistory(), loadRecommendations()]);
  let last = 0;
  const stop = live({ topics: 'nodes' }, () => {
    loadNow();
    if (Date.now() - last > 10_000) { last = Date.now(); loadHistory(); loadRecommendations(); }
  }, 2000);
  return () => { stop(); charts.cpu.destroy(); charts.memory.destroy(); if (nodeCharts) { nodeCharts.cpu.destroy(); nodeCharts.memory.destroy(); } };
}
