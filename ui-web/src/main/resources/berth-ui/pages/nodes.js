// Nodes: per node its capacity, what is allocated and what is used, labels and attributes, status,
// drain and eligibility switches, and the allocations it runs; follows the cluster live.
import { get, post } from '../lib/api.js';
import { h, replace, badge, when, usageBar, fmtCores, fmtBytes, cores, bytes } from '../lib/dom.js';
import { live, showError, showNotice } from '../app.js';

export async function render(root) {
  document.title = 'Nodes · Berth';
  const list = h('div', { class: 'node-grid', testid: 'node-list' });
  const open = new Set(); // nodes whose allocation list the user opened

  async function toggle(node, what, on) {
    try {
      if (what === 'drain') {
        const r = await post(`/v1/nodes/${encodeURIComponent(node.id)}/drain`, { enable: on });
        showNotice(on ? `Draining ${node.id}: no new work lands there${r.migrating ? `; ${r.migrating} service allocation(s) move` : ''}.` : `${node.id} takes work again.`);
      } else {
        await post(`/v1/nodes/${encodeURIComponent(node.id)}/eligibility`, { eligible: on });
        showNotice(on ? `${node.id} is eligible for new work.` : `${node.id} takes no new work; what runs there stays.`);
      }
    } catch (e) { showError(e, `Cannot change ${node.id}`); }
    load();
  }

  function card(n, used) {
    const status = String(n.status).toLowerCase();
    const sw = (label, checked, what, testid, disabled) => h('label', { class: 'switch' },
      h('input', { type: 'checkbox', role: 'switch', checked, disabled, testid, onchange: (e) => toggle(n, what, what === 'drain' ? e.target.checked : e.target.checked) }),
      h('span', {}, label));
    const allocs = h('div', { class: 'node-allocs' });
    const details = h('details', { testid: 'node-allocations', ontoggle: () => {
      if (details.open) { open.add(n.id); loadAllocs(n.id, allocs); } else open.delete(n.id);
    } }, h('summary', {}, `${n.allocations} allocation${n.allocations === 1 ? '' : 's'} running or waiting here`), allocs);
    if (open.has(n.id)) { details.open = true; loadAllocs(n.id, allocs); }
    const labels = Object.entries(n.labels || {});
    const attrs = Object.entries(n.attributes || {});
    const u = used || {};
    return h('article', { class: `node s-${status}`, testid: 'node-card', dataset: { nodeId: n.id, status, eligible: String(n.eligible) }, 'aria-labelledby': `node-${n.id}` },
      h('div', { class: 'node-head' }, h('h2', { id: `node-${n.id}` }, n.id), badge(status, { testid: 'node-status' }),
        n.eligible ? null : h('span', { class: 'chip', testid: 'node-ineligible' }, 'ineligible')),
      h('p', { class: 'muted small' }, n.address || '', ' · heartbeat ', when(n.lastHeartbeat)),
      usageBar('CPU', cores(n.capacity.cpu), cores(n.allocated.cpu), u.cpu ?? NaN, fmtCores, 'node-cpu'),
      usageBar('Memory', bytes(n.capacity.memory), bytes(n.allocated.memory), u.memory ?? NaN, fmtBytes, 'node-memory'),
      n.capacity.pids ? h('p', { class: 'muted small' }, `pids: ${n.allocated.pids || 0} of ${n.capacity.pids} allocated`) : null,
      labels.length ? h('ul', { class: 'chips', 'aria-label': 'Labels' }, labels.map(([k, v]) => h('li', { class: 'chip' }, `${k}=${v}`))) : null,
      attrs.length ? h('details', {}, h('summary', {}, `${attrs.length} attributes`),
        h('ul', { class: 'kv' }, attrs.map(([k, v]) => h('li', {}, h('code', {}, k), ' ', v)))) : null,
      h('div', { class: 'switches' },
        sw('Drain', status === 'draining', 'drain', 'drain-toggle', status === 'down'),
        sw('Eligible', n.eligible, 'eligible', 'eligible-toggle', status === 'down')),
      details);
  }

  async function loadAllocs(id, into) {
    try {
      const allocs = await get(`/v1/nodes/${encodeURIComponent(id)}/allocations`);
      replace(into, allocs.length ? h('ul', { class: 'plain' }, allocs.map(a => h('li', {},
        h('a', { href: `/ui/allocations/${encodeURIComponent(a.id)}`, class: 'mono' }, a.id), ' ', badge(a.status), ' ',
        h('a', { href: `/ui/jobs/${encodeURIComponent(a.jobId)}` }, a.jobId), ` ${a.group}[${a.index}]`))) : h('p', { class: 'muted' }, 'None.'));
    } catch (e) { showError(e, `Cannot list the allocations of ${id}`); }
  }

  async function load() {
    try {
      const [nodes, capacity] = await Promise.all([get('/v1/nodes'), get('/v1/capacity').catch(() => ({ nodes: [] }))]);
      const used = Object.fromEntries((capacity.nodes || []).map(c => [c.id, { cpu: c.cpu.used, memory: c.memory.used }]));
      nodes.sort((a, b) => a.id.localeCompare(b.id));
      const focused = document.activeElement && document.activeElement.dataset ? document.activeElement.dataset.testid : null;
      const focusedNode = document.activeElement && document.activeElement.closest ? document.activeElement.closest('[data-node-id]') : null;
      replace(list, nodes.length ? nodes.map(n => card(n, used[n.id])) : h('p', { class: 'empty' }, 'No executor has registered yet. Start one with berth executor.'));
      // a redraw must not take the keyboard user's place away
      if (focused && focusedNode) {
        const again = list.querySelector(`[data-node-id="${CSS.escape(focusedNode.dataset.nodeId)}"] [data-testid="${focused}"]`);
        if (again) again.focus();
      }
    } catch (e) { showError(e, 'Cannot list nodes'); }
  }

  replace(root, h('div', { class: 'page-head' }, h('h1', {}, 'Nodes')),
    h('p', { class: 'muted' }, 'Allocated is what placed work asked for; used is what its containers use now. A draining node takes no new work and moves its services; an ineligible one keeps what it runs.'),
    list);
  await load();
  return live({ topics: 'nodes,allocations' }, load, 1000);
}
