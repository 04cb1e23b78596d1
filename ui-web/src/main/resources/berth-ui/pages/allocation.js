// One allocation: its timeline, live logs (stdout or stderr; follow, pause, filter, download), its
// container's cpu and memory over time, and its network.
import { get, streamText } from '../lib/api.js';
import { h, replace, badge, facts, section, fmtTime, fmtDuration, fmtCores, fmtBytes, cores, bytes, download } from '../lib/dom.js';
import { timeChart } from '../lib/chart.js';
import { live, showError } from '../app.js';

/** The allocation's status changes, oldest first; pure. */
export function timeline(a) {
  const steps = [['pending', a.createdAt, a.previous ? `created to replace ${a.previous}` : 'created, waiting for a node']];
  if (a.nodeId) steps.push(['placed', null, `placed on ${a.nodeId}`]);
  if (a.startedAt) steps.push(['running', a.startedAt, 'started']);
  if (a.stopRequested && !a.finishedAt) steps.push(['stopping', a.modifiedAt, 'stop requested']);
  if (a.finishedAt) steps.push([a.status, a.finishedAt, a.reason || a.status]);
  if (a.replacedBy) steps.push(['replaced', a.modifiedAt, `replaced by ${a.replacedBy}`]);
  return steps;
}

export async function render(root, { id }) {
  document.title = `${id} · Allocation · Berth`;
  let alloc = null;
  const head = h('div', { class: 'page-head' });
  const summary = h('div');
  const steps = h('ol', { class: 'timeline', testid: 'timeline' });
  const network = h('div', { testid: 'network' });
  const cpuFigure = h('figure'), memFigure = h('figure');
  const cpuChart = timeChart(cpuFigure, { title: 'CPU (cores)', series: [{ label: 'used', fill: true }, { label: 'asked', dash: [6, 4], colour: '#94a3b8' }], format: fmtCores, testid: 'alloc-cpu-chart' });
  const memChart = timeChart(memFigure, { title: 'Memory', series: [{ label: 'working set', fill: true, colour: '#16a34a' }, { label: 'asked', dash: [6, 4], colour: '#94a3b8' }], format: fmtBytes, testid: 'alloc-memory-chart' });
  const usageNote = h('p', { class: 'muted small', testid: 'usage-note' });

  // --- logs
  const output = h('pre', { class: 'log', testid: 'log-output', tabindex: '0', 'aria-label': 'Log output', 'aria-live': 'off' });
  const logState = h('span', { class: 'muted small', testid: 'log-state', 'aria-live': 'polite' });
  let text = '', stream = 'stdout', paused = false, follow = true, filter = '', controller = null;
  const drawLog = () => {
    if (paused) return;
    const shown = filter ? text.split('\n').filter(l => l.toLowerCase().includes(filter.toLowerCase())).join('\n') : text;
    output.textContent = shown;
    if (follow) output.scrollTop = output.scrollHeight;
  };
  const openLog = () => {
    if (controller) controller.abort();
    controller = new AbortController();
    text = '';
    drawLog();
    const running = alloc && !['complete', 'failed', 'lost', 'preempted'].includes(alloc.status);
    logState.textContent = running ? 'streaming…' : 'reading…';
    const mine = controller;
    streamText(`/v1/allocations/${encodeURIComponent(id)}/logs?stream=${stream}&follow=true`, (chunk) => {
      text += chunk;
      if (text.length > 4_000_000) text = text.slice(-2_000_000); // keep the page light on a chatty task
      drawLog();
    }, controller.signal).then(() => {
      if (mine === controller) logState.textContent = `end of ${stream}` + (text ? '' : ' (empty)');
    }, (e) => {
      if (e.name !== 'AbortError') { logState.textContent = ''; showError(e, `Cannot read ${stream}`); }
    });
  };
  const streamPick = h('fieldset', { class: 'segmented' }, h('legend', { class: 'sr-only' }, 'Stream'),
    ['stdout', 'stderr'].map(s => h('label', {}, h('input', { type: 'radio', name: 'stream', value: s, checked: s === stream, testid: `log-${s}`,
      onchange: () => { stream = s; openLog(); } }), s)));
  const pauseButton = h('button', { type: 'button', testid: 'log-pause', 'aria-pressed': 'false', onclick: () => {
    paused = !paused;
    pauseButton.setAttribute('aria-pressed', String(paused));
    pauseButton.textContent = paused ? 'Resume' : 'Pause';
    if (!paused) drawLog();
  } }, 'Pause');
  const logTools = h('div', { class: 'toolbar' }, streamPick,
    h('label', { class: 'check' }, h('input', { type: 'checkbox', checked: true, testid: 'log-follow', onchange: (e) => { follow = e.target.checked; drawLog(); } }), 'Follow'),
    pauseButton,
    h('div', { class: 'field inline' }, h('label', { for: 'log-filter' }, 'Filter'),
      h('input', { id: 'log-filter', type: 'search', placeholder: 'lines containing…', testid: 'log-filter', oninput: (e) => { filter = e.target.value; drawLog(); } })),
    h('button', { type: 'button', testid: 'log-download', onclick: () => download(`${id}.${stream}.log`, text) }, 'Download'),
    logState);

  async function loadUsage() {
    if (!alloc) return;
    try {
      const usage = await get(`/v1/allocations/${encodeURIComponent(id)}/usage`);
      const xs = usage.points.map(p => p[0]);
      const askedCpu = cores(alloc.resources && alloc.resources.cpu), askedMem = bytes(alloc.resources && alloc.resources.memory);
      cpuChart(xs, usage.points.map(p => p[1]), xs.map(() => askedCpu));
      memChart(xs, usage.points.map(p => p[2]), xs.map(() => askedMem || null));
      usageNote.textContent = usage.points.length ? `${usage.points.length} samples from the node's usage events.` : '';
    } catch (e) {
      usageNote.textContent = e.status === 503 ? e.message : '';
      if (e.status !== 503) showError(e, 'Cannot read usage');
    }
  }

  async function load() {
    try {
      const before = alloc;
      alloc = await get(`/v1/allocations/${encodeURIComponent(id)}`);
      replace(head, h('div', {}, h('p', { class: 'crumbs' }, h('a', { href: '/ui/jobs' }, 'Jobs'), ' / ',
        h('a', { href: `/ui/jobs/${encodeURIComponent(alloc.jobId)}` }, alloc.jobId), ' / '),
        h('h1', {}, h('span', { class: 'mono' }, alloc.id), ' ', badge(alloc.status, { testid: 'alloc-status', dataset: { status: alloc.status } }))));
      const ran = alloc.startedAt ? (alloc.finishedAt ? new Date(alloc.finishedAt) : new Date()) - new Date(alloc.startedAt) : NaN;
      replace(summary, facts([
        ['Job', h('a', { href: `/ui/jobs/${encodeURIComponent(alloc.jobId)}` }, alloc.jobId)],
        ['Task', `${alloc.group}[${alloc.index}] / ${alloc.task}`], ['Node', alloc.nodeId || 'not placed'],
        alloc.exitCode !== undefined && alloc.exitCode !== null ? ['Exit code', String(alloc.exitCode), 'alloc-exit'] : null,
        alloc.signal ? ['Signal', String(alloc.signal)] : null,
        alloc.reason ? ['Reason', alloc.reason, 'alloc-reason'] : null,
        ['Ran', fmtDuration(ran)], ['Attempt', String(alloc.attempt || 0)],
        alloc.previous ? ['Previous', h('a', { href: `/ui/allocations/${encodeURIComponent(alloc.previous)}`, class: 'mono' }, alloc.previous)] : null,
        alloc.replacedBy ? ['Replaced by', h('a', { href: `/ui/allocations/${encodeURIComponent(alloc.replacedBy)}`, class: 'mono' }, alloc.replacedBy)] : null,
        ['Asked', `${fmtCores(cores(alloc.resources && alloc.resources.cpu))} cpu · ${fmtBytes(bytes(alloc.resources && alloc.resources.memory))}`
          + (alloc.resources && alloc.resources.pids ? ` · ${alloc.resources.pids} pids` : '')],
      ]));
      replace(steps, timeline(alloc).map(([status, at, what]) => h('li', { class: `s-${status}` },
        h('span', { class: 'step-status' }, status), h('time', { datetime: at || '' }, at ? fmtTime(at) : ''), h('span', {}, what))));
      const net = alloc.network;
      replace(network, !net ? h('p', { class: 'muted' }, alloc.nodeId ? 'No network information from the node yet.' : 'Not placed yet.') : [
        facts([['Mode', net.mode], ['Address', net.ip ? h('span', { class: 'mono', testid: 'alloc-ip' }, net.ip) : 'none']]),
        (net.ports || []).length ? h('table', { class: 'table', testid: 'ports' },
          h('thead', {}, h('tr', {}, ['Port', 'Host port', 'Container port'].map(t => h('th', { scope: 'col' }, t)))),
          h('tbody', {}, net.ports.map(p => h('tr', {}, h('td', {}, p.name || ''), h('td', { class: 'mono' }, String(p.host)), h('td', { class: 'mono' }, String(p.to) + (p.protocol && p.protocol !== 'tcp' ? '/' + p.protocol : '')))))) : null,
      ]);
      // the log stream ends when the allocation does; open it again when a new run begins
      if (!before || (before.status !== alloc.status && alloc.status === 'running')) openLog();
      loadUsage();
    } catch (e) {
      showError(e, `Cannot load allocation ${id}`);
    }
  }

  replace(root, head, summary,
    section('Timeline', steps),
    section('Logs', logTools, output),
    section('Usage', usageNote, h('div', { class: 'charts' }, cpuFigure, memFigure)),
    section('Network', network));
  await load();
  const stopAlloc = live({ topics: 'allocations', job: alloc ? alloc.jobId : '' }, load, 300, (kind, d) => d.id === id);
  let lastUsage = 0;
  const stopUsage = alloc && alloc.nodeId ? live({ topics: 'nodes', node: alloc.nodeId }, () => {
    if (Date.now() - lastUsage > 5000 && alloc && alloc.status === 'running') { lastUsage = Date.now(); loadUsage(); }
  }, 1000) : () => {};
  return () => { stopAlloc(); stopUsage(); if (controller) controller.abort(); cpuChart.destroy(); memChart.destroy(); };
}
