// Small DOM helpers. Every piece of data reaches the page as text (never as HTML), so nothing a job
// names or prints can run as script in the page.

/** h('a', {href: '/ui/jobs', class: 'x', onclick: fn, dataset: {testid: 'y'}}, 'text', child, [more]) */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === 'class') el.className = v;
    else if (k === 'text') el.textContent = v;
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k === 'testid') el.dataset.testid = v;
    else if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'value') el.value = v;
    else if (k === 'checked') el.checked = !!v;
    else if (k === 'style' && typeof v === 'object') Object.assign(el.style, v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

export function clear(el) {
  while (el.firstChild) el.removeChild(el.firstChild);
  return el;
}

export function replace(el, ...children) {
  clear(el);
  append(el, children);
  return el;
}

/** A link inside the UI: the router takes the click, the address stays shareable. */
export const link = (href, text, attrs = {}) => h('a', { href, ...attrs }, text);

export const STATUSES = ['pending', 'running', 'complete', 'failed', 'lost', 'stopped', 'preempted'];

export function badge(status, attrs = {}) {
  const s = String(status || 'unknown').toLowerCase();
  return h('span', { class: `badge s-${s}`, testid: 'status', ...attrs }, s);
}

/** "2.5" cores from "2500m" or "2.5"; numbers pass through. */
export function cores(v) {
  if (v === null || v === undefined) return 0;
  if (typeof v === 'number') return v;
  const s = String(v);
  return s.endsWith('m') ? Number(s.slice(0, -1)) / 1000 : Number(s);
}

const BINARY = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, KiB: 2 ** 10, MiB: 2 ** 20, GiB: 2 ** 30, TiB: 2 ** 40 };
const DECIMAL = { K: 1e3, k: 1e3, M: 1e6, G: 1e9, T: 1e12, KB: 1e3, MB: 1e6, GB: 1e9, TB: 1e12 };

/** Bytes from "64Mi", "1G", "512"; numbers pass through. */
export function bytes(v) {
  if (v === null || v === undefined) return 0;
  if (typeof v === 'number') return v;
  const m = /^([0-9.]+)\s*([A-Za-z]*)$/.exec(String(v).trim());
  if (!m) return 0;
  return Number(m[1]) * (BINARY[m[2]] || DECIMAL[m[2]] || 1);
}

export function fmtBytes(n) {
  if (!Number.isFinite(n)) return '–';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  while (Math.abs(n) >= 1024 && i < units.length - 1) { n /= 1024; i++; }
  return `${n >= 100 || i === 0 ? Math.round(n) : n.toFixed(1)} ${units[i]}`;
}

export function fmtCores(n) {
  if (!Number.isFinite(n)) return '–';
  return n < 1 && n > 0 ? `${Math.round(n * 1000)}m` : `${Number(n.toFixed(2))}`;
}

export function fmtTime(iso) {
  if (!iso) return '–';
  const d = new Date(iso);
  return d.toLocaleString(undefined, { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

export function fmtAgo(iso, now = Date.now()) {
  if (!iso) return '–';
  const s = Math.round((now - new Date(iso).getTime()) / 1000);
  if (s < 5) return 'just now';
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.floor(s / 60)}m ago`;
  if (s < 86400) return `${Math.floor(s / 3600)}h ago`;
  return `${Math.floor(s / 86400)}d ago`;
}

export function fmtDuration(ms) {
  if (!Number.isFinite(ms) || ms < 0) return '–';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${Math.round(s % 60)}s`;
  return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
}

/** A time with its exact value on hover. */
export const when = (iso) => h('time', { datetime: iso || '', title: fmtTime(iso) }, fmtAgo(iso));

/** Calls fn at most once per `ms`, with the latest call's arguments, trailing. */
export function debounce(fn, ms) {
  let timer = null;
  const d = (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => { timer = null; fn(...args); }, ms);
  };
  d.cancel = () => clearTimeout(timer);
  return d;
}

/**
 * Calls fn once, `ms` after the first of a burst of calls (with the latest arguments): at most once
 * per `ms`, and never starved by a steady stream of calls, as a debounce would be.
 */
export function throttle(fn, ms) {
  let timer = null, last = [];
  const t = (...args) => {
    last = args;
    if (timer) return;
    timer = setTimeout(() => { timer = null; fn(...last); }, ms);
  };
  t.cancel = () => { clearTimeout(timer); timer = null; };
  return t;
}

/** A labelled definition list from [label, value] pairs (values may be nodes). */
export function facts(pairs, attrs = {}) {
  return h('dl', { class: 'facts', ...attrs }, pairs.filter(p => p).map(([k, v, id]) =>
    h('div', { testid: id }, h('dt', {}, k), h('dd', {}, v === null || v === undefined || v === '' ? '–' : v))));
}

export function section(title, ...children) {
  const id = 'h-' + title.toLowerCase().replace(/[^a-z0-9]+/g, '-');
  return h('section', { class: 'panel', 'aria-labelledby': id }, h('h2', { id }, title), children);
}

/** A bar of capacity with what is allocated and what is used, both as parts of it. */
export function usageBar(label, capacity, allocated, used, format, testid) {
  const pct = (x) => capacity > 0 ? Math.min(100, Math.max(0, (x / capacity) * 100)) : 0;
  const text = `${label}: ${format(used)} used, ${format(allocated)} allocated of ${format(capacity)}`;
  return h('div', { class: 'bar-row', testid },
    h('div', { class: 'bar-label' }, h('span', {}, label),
      h('span', { class: 'muted' }, `${format(allocated)} alloc · ${format(used)} used / ${format(capacity)}`)),
    h('div', { class: 'bar', role: 'img', 'aria-label': text },
      h('div', { class: 'bar-allocated', style: { width: `${pct(allocated)}%` } }),
      h('div', { class: 'bar-used', style: { width: `${pct(used)}%` } })));
}

/** Saves text as a file through the browser (nothing goes to the server). */
export function download(name, text, type = 'text/plain') {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = h('a', { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
