// One job: its summary, allocations as a grid coloured by status, the evaluation with its reasons,
// its spec in YAML, and a stop button; follows the job's changes live.
import { get, del } from '../lib/api.js';
import { h, replace, badge, when, facts, section, fmtCores, cores, fmtBytes, bytes, download } from '../lib/dom.js';
import { live, showError, showNotice } from '../app.js';

export function allocationCard(a) {
  const net = a.network || {};
  const ports = (net.ports || []).map(p => `${p.name || p.to}: ${p.hostPort || p.host || '?'}→${p.to}${p.protocol && p.protocol !== 'tcp' ? '/' + p.protocol : ''}`);
  return h('li', { class: `alloc s-${a.status}`, testid: 'alloc-card', dataset: { allocId: a.id, status: a.status } },
    h('div', { class: 'alloc-head' }, h('a', { href: `/ui/allocations/${encodeURIComponent(a.id)}`, class: 'mono strong' }, a.id), badge(a.status)),
    facts([
      ['Task', `${a.group}[${a.index}] / ${a.task}`],
      ['Node', a.nodeId || 'not placed'],
      a.exitCode !== undefined && a.exitCode !== null ? ['Exit', String(a.exitCode) + (a.signal ? ` (signal ${a.signal})` : ''), 'alloc-exit'] : null,
      a.reason ? ['Reason', a.reason, 'alloc-reason'] : null,
      net.ip ? ['Address', net.ip] : null,
      ports.length ? ['Ports', ports.join(', ')] : null,
      a.attempt ? ['Attempt', String(a.attempt)] : null,
      a.previous ? ['Previous', h('a', { href: `/ui/allocations/${encodeURIComponent(a.previous)}`, class: 'mono' }, a.previous)] : null,
      a.replacedBy ? ['Replaced by', h('a', { href: `/ui/allocations/${encodeURIComponent(a.replacedBy)}`, class: 'mono' }, a.replacedBy)] : null,
      ['Asked', `${fmtCores(cores(a.resources && a.resources.cpu))} cpu · ${fmtBytes(bytes(a.resources && a.resources.memory))}`],
    ]));
}

export async function render(root, { id }) {
  document.title = `${id} · Jobs · Berth`;
  const head = h('div', { class: 'page-head' });
  const summary = h('div', { testid: 'job-summary' });
  const grid = h('ul', { class: 'alloc-grid', testid: 'alloc-grid' });
  const evaluation = h('div', { testid: 'evaluation' });
  const spec = h('pre', { class: 'code', testid: 'job-spec', tabindex: '0' }, 'loading…');
  const legend = h('p', { class: 'muted small', testid: 'alloc-legend' });
  let confirming = false;

  async function stop() {
    try {
      await del(`/v1/jobs/${encodeURIComponent(id)}`);
      showNotice(`Job ${id} is stopping: its allocations get SIGTERM, then SIGKILL after their kill timeout.`);
      confirming = false;
      load();
    } catch (e) { showError(e, 'Cannot stop the job'); }
  }

  function drawHead(j) {
    const actions = j.stoppedAt ? h('span', { class: 'muted' }, `stopped ${new Date(j.stoppedAt).toLocaleString()}`)
      : confirming ? h('div', { class: 'actions', role: 'group', 'aria-label': 'Confirm stop' },
        h('span', {}, 'Stop every allocation of this job?'),
        h('button', { type: 'button', class: 'danger', testid: 'stop-confirm', onclick: stop }, 'Stop job'),
        h('button', { type: 'button', testid: 'stop-cancel', onclick: () => { confirming = false; drawHead(j); } }, 'Cancel'))
        : h('button', { type: 'button', class: 'danger', testid: 'stop-job', onclick: () => { confirming = true; drawHead(j); head.querySelector('[data-testid=stop-confirm]').focus(); } }, 'Stop…');
    replace(head, h('div', {}, h('p', { class: 'crumbs' }, h('a', { href: '/ui/jobs' }, 'Jobs'), ' / '),
      h('h1', {}, j.name, ' ', badge(j.status, { testid: 'job-status', dataset: { status: j.status } }))), actions);
  }

  async function load() {
    try {
      const [j, allocs] = await Promise.all([get(`/v1/jobs/${encodeURIComponent(id)}`), get(`/v1/jobs/${encodeURIComponent(id)}/allocations`)]);
      drawHead(j);
      replace(summary, facts([
        ['Id', h('span', { class: 'mono' }, j.id)], ['Type', j.type], ['Priority', String(j.priority)],
        ['Queue', j.spec.queue + (j.spec.preemptible === false ? ' (not preemptible)' : '')],
        ['Submitted', when(j.submittedAt)], ['Evaluation', h('span', { class: 'mono' }, j.evaluationId)],
        j.parent ? ['Parent', h('a', { href: `/ui/jobs/${encodeURIComponent(j.parent)}`, class: 'mono', testid: 'job-parent' }, j.parent)] : null,
        j.periodic ? ['Schedule', `${j.spec.periodic.cron} (${j.spec.periodic.timeZone}, overlap ${j.spec.periodic.overlap})`] : null,
        j.periodic ? ['Next run', j.periodic.nextRun ? when(j.periodic.nextRun) : 'none (stopped or disabled)', 'next-run'] : null,
        j.spec.parameterized ? ['Dispatch', `payload ${j.spec.parameterized.payload}; meta ${[...j.spec.parameterized.metaRequired, ...j.spec.parameterized.metaOptional.map(k => k + '?')].join(', ') || 'none'}`] : null,
        j.children ? ['Runs', j.children.length ? h('ul', { class: 'plain', testid: 'job-children' }, j.children.slice(-20).reverse().map(c =>
          h('li', {}, h('a', { href: `/ui/jobs/${encodeURIComponent(c)}`, class: 'mono' }, c)))) : 'none yet'] : null,
        (j.spec.dependsOn || []).length ? ['Depends on', h('ul', { class: 'plain', testid: 'depends-on' }, j.spec.dependsOn.map(d =>
          h('li', {}, h('a', { href: `/ui/jobs/${encodeURIComponent(d.job)}`, class: 'mono' }, d.job), ` (${d.condition})`)))] : null,
      ]));
      const counts = Object.entries(j.allocations || {}).filter(([, n]) => n > 0).map(([s, n]) => `${n} ${s}`);
      legend.textContent = counts.length ? counts.join(' · ') : 'no allocations';
      const order = (a) => ['running', 'pending', 'failed', 'lost', 'preempted', 'complete'].indexOf(a.status);
      allocs.sort((a, b) => a.group.localeCompare(b.group) || a.index - b.index || order(a) - order(b));
      replace(grid, allocs.length ? allocs.map(allocationCard) : h('li', { class: 'empty' }, 'No allocations.'));
      if (j.evaluationId) drawEvaluation(await get(`/v1/evaluations/${encodeURIComponent(j.evaluationId)}`), allocs);
    } catch (e) {
      showError(e, `Cannot load job ${id}`);
    }
  }

  function drawEvaluation(ev, allocs) {
    const failures = Object.entries(ev.failures || {});
    const waiting = allocs.filter(a => a.status === 'pending' && !a.nodeId && a.reason);
    replace(evaluation,
      facts([['Triggered by', ev.triggeredBy], ['Status', ev.status], ['Placed', String(ev.placed)], ['Unplaced', String(ev.unplaced)],
        ['Completed', ev.completedAt ? when(ev.completedAt) : 'not yet']]),
      failures.length ? h('div', {}, h('h3', {}, 'Why not'), h('table', { class: 'table', testid: 'eval-failures' },
        h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Reason'), h('th', { scope: 'col' }, 'Nodes'))),
        h('tbody', {}, failures.map(([reason, n]) => h('tr', {}, h('td', {}, reason), h('td', {}, String(n))))))) : null,
      waiting.length ? h('div', {}, h('h3', {}, 'Waiting now'), h('ul', { testid: 'waiting-reasons' },
        waiting.map(a => h('li', {}, h('span', { class: 'mono' }, `${a.group}[${a.index}]`), ': ', a.reason)))) : null);
  }

  replace(root, head, summary,
    section('Allocations', legend, grid),
    section('Evaluation', evaluation),
    section('Spec', h('div', { class: 'actions' }, h('p', { class: 'muted small' }, 'As stored, in YAML, defaults filled in.'),
      h('button', { type: 'button', testid: 'spec-download', onclick: () => download(`${id}.yaml`, spec.textContent, 'application/yaml') }, 'Download')), spec));
  await load();
  get(`/v1/jobs/${encodeURIComponent(id)}/spec`).then(text => { spec.textContent = text; }, e => { spec.textContent = ''; showError(e, 'Cannot read the spec'); });
  return live({ job: id, topics: 'jobs,allocations,evaluations' }, load, 300);
}
