// Jobs: every job with its status and its allocations counted by status; filter and sort live in the
// address, so a filtered view can be shared; the list follows the cluster without a reload.
import { get } from '../lib/api.js';
import { h, replace, badge, when } from '../lib/dom.js';
import { live, showError } from '../app.js';

const SORTS = {
  submitted: (a, b) => a.submittedAt.localeCompare(b.submittedAt),
  name: (a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id),
  priority: (a, b) => a.priority - b.priority,
  status: (a, b) => a.status.localeCompare(b.status),
};

/** The jobs the controls keep, in their order; pure, for the page and its tests. */
export function view(jobs, { q = '', status = '', type = '', sort = 'submitted', dir = 'desc' }) {
  const needle = q.trim().toLowerCase();
  const kept = jobs.filter(j => (!needle || j.id.toLowerCase().includes(needle) || j.name.toLowerCase().includes(needle))
    && (!status || j.status === status) && (!type || j.type === type));
  const by = SORTS[sort] || SORTS.submitted;
  kept.sort((a, b) => (dir === 'asc' ? 1 : -1) * by(a, b));
  return kept;
}

export async function render(root, _params, query) {
  document.title = 'Jobs · Berth';
  const state = {
    q: query.get('q') || '', status: query.get('status') || '', type: query.get('type') || '',
    sort: query.get('sort') || 'submitted', dir: query.get('dir') || 'desc',
  };
  let jobs = [];
  const body = h('tbody', { testid: 'jobs-body' });
  const count = h('p', { class: 'muted', testid: 'jobs-count', 'aria-live': 'polite' });

  const keep = () => {
    const p = new URLSearchParams();
    for (const [k, v] of Object.entries(state)) if (v && !(k === 'sort' && v === 'submitted') && !(k === 'dir' && v === 'desc')) p.set(k, v);
    history.replaceState(null, '', '/ui/jobs' + (p.toString() ? '?' + p : ''));
    draw();
  };
  const control = (label, el, key) => {
    el.value = state[key];
    el.addEventListener('input', () => { state[key] = el.value; keep(); });
    el.id = 'jobs-' + key;
    return h('div', { class: 'field' }, h('label', { for: el.id }, label), el);
  };
  const options = (values, all) => [h('option', { value: '' }, all), ...values.map(v => h('option', { value: v }, v))];

  const sortHeader = (key, label, cls) => {
    const active = state.sort === key;
    const btn = h('button', { type: 'button', class: 'sort', testid: `sort-${key}`,
      onclick: () => { state.dir = active && state.dir === 'desc' ? 'asc' : 'desc'; state.sort = key; keep(); } },
      label, active ? (state.dir === 'asc' ? ' ▲' : ' ▼') : '');
    return h('th', { scope: 'col', class: cls, 'aria-sort': active ? (state.dir === 'asc' ? 'ascending' : 'descending') : 'none' }, btn);
  };
  const head = h('thead');

  function draw() {
    replace(head, h('tr', {}, sortHeader('name', 'Job'), h('th', { scope: 'col', class: 'wide' }, 'Type'), sortHeader('priority', 'Priority', 'wide'),
      sortHeader('status', 'Status'), h('th', { scope: 'col' }, 'Allocations'), sortHeader('submitted', 'Submitted')));
    const shown = view(jobs, state);
    count.textContent = `${shown.length} of ${jobs.length} job${jobs.length === 1 ? '' : 's'}`;
    replace(body, shown.length ? shown.map(row) : h('tr', {}, h('td', { colspan: 6, class: 'empty' },
      jobs.length ? 'No job matches these filters.' : ['No jobs yet. ', h('a', { href: '/ui/run' }, 'Run one'), '.'])));
  }

  function row(j) {
    const counts = Object.entries(j.allocations || {}).filter(([, n]) => n > 0)
      .map(([s, n]) => h('span', { class: `chip s-${s}`, title: `${n} ${s}`, testid: `count-${s}` }, `${n} ${s}`));
    return h('tr', { testid: 'job-row', dataset: { jobId: j.id, status: j.status } },
      h('td', {}, h('a', { href: `/ui/jobs/${encodeURIComponent(j.id)}`, class: 'strong' }, j.name), h('div', { class: 'muted small mono' }, j.id)),
      h('td', { class: 'wide' }, j.type), h('td', { class: 'wide' }, String(j.priority)), h('td', {}, badge(j.status)),
      h('td', { class: 'chips' }, counts.length ? counts : h('span', { class: 'muted' }, 'none')),
      h('td', {}, when(j.submittedAt)));
  }

  async function load() {
    try {
      jobs = await get('/v1/jobs');
      draw();
    } catch (e) { showError(e, 'Cannot list jobs'); }
  }

  replace(root,
    h('div', { class: 'page-head' }, h('h1', {}, 'Jobs'), h('a', { href: '/ui/run', class: 'button primary', testid: 'new-job' }, 'Run a job')),
    h('form', { class: 'filters', role: 'search', onsubmit: (e) => e.preventDefault() },
      control('Search', h('input', { type: 'search', placeholder: 'name or id', testid: 'jobs-filter' }), 'q'),
      control('Status', h('select', { testid: 'jobs-status' }, options(['pending', 'running', 'complete', 'failed', 'stopped'], 'any status')), 'status'),
      control('Type', h('select', { testid: 'jobs-type' }, options(['batch', 'service'], 'any type')), 'type')),
    count,
    h('div', { class: 'table-wrap' }, h('table', { class: 'table', testid: 'jobs-table' }, h('caption', { class: 'sr-only' }, 'Jobs'), head, body)));
  draw();
  await load();
  return live({ topics: 'jobs,allocations' }, load, 500);
}
