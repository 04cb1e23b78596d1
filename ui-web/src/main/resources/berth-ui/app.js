// The page shell: routes paths to pages, takes link clicks (so pages load without a reload but every
// address can be shared and reloaded), asks for a token when the API wants one, and shows errors.
import { onTokenNeeded, setToken, token, get, events } from './lib/api.js';
import { h, replace, throttle } from './lib/dom.js';
import * as jobs from './pages/jobs.js';
import * as job from './pages/job.js';
import * as allocation from './pages/allocation.js';
import * as run from './pages/run.js';
import * as nodes from './pages/nodes.js';
import * as capacity from './pages/capacity.js';

const ROUTES = [
  [/^\/ui\/?$/, () => ({ redirect: '/ui/jobs' })],
  [/^\/ui\/jobs\/?$/, () => ({ page: jobs, nav: 'jobs' })],
  [/^\/ui\/jobs\/([^/]+)\/?$/, (m) => ({ page: job, nav: 'jobs', params: { id: decodeURIComponent(m[1]) } })],
  [/^\/ui\/allocations\/([^/]+)\/?$/, (m) => ({ page: allocation, nav: 'jobs', params: { id: decodeURIComponent(m[1]) } })],
  [/^\/ui\/run\/?$/, () => ({ page: run, nav: 'run' })],
  [/^\/ui\/nodes\/?$/, () => ({ page: nodes, nav: 'nodes' })],
  [/^\/ui\/capacity\/?$/, () => ({ page: capacity, nav: 'capacity' })],
];

const main = document.getElementById('main');
const messages = document.getElementById('messages');
const liveState = document.querySelector('[data-testid="live-state"]');
let cleanup = null;

/** Shows an error (or any message) above the page until the user closes it or the page changes. */
export function showError(err, context = '') {
  const text = (context ? context + ': ' : '') + (err && err.message ? err.message : String(err));
  const item = h('div', { class: 'message error', testid: 'error-message' },
    h('span', {}, text),
    h('button', { type: 'button', class: 'quiet', 'aria-label': 'Dismiss', onclick: () => item.remove() }, '×'));
  messages.append(item);
}

export function showNotice(text) {
  const item = h('div', { class: 'message notice', testid: 'notice' }, h('span', {}, text),
    h('button', { type: 'button', class: 'quiet', 'aria-label': 'Dismiss', onclick: () => item.remove() }, '×'));
  messages.append(item);
  setTimeout(() => item.remove(), 6000);
}

/**
 * Live updates for a page: calls refresh when the cluster changes what the page shows, at most once
 * per `ms` (a cluster of many nodes changes all the time). Returns the stop function the page's
 * cleanup calls.
 */
export function live(query, refresh, ms = 400, filter = () => true) {
  const later = throttle(refresh, ms);
  // "ready" comes once the server watches: read again then, for what changed before (and during a reconnect)
  const stop = events(query, (kind, data) => { if (kind === 'ready' || filter(kind, data)) later(kind, data); }, (state, why) => {
    liveState.textContent = state === 'live' ? '● live' : state === 'reconnecting' ? '○ reconnecting…' : '';
    liveState.title = why || '';
    liveState.dataset.state = state;
  });
  return () => { later.cancel(); stop(); };
}

export function navigate(path, { replace: swap = false } = {}) {
  if (swap) history.replaceState(null, '', path); else history.pushState(null, '', path);
  render();
}

async function render() {
  if (cleanup) { try { cleanup(); } catch (e) { console.warn(e); } cleanup = null; }
  messages.replaceChildren();
  const path = location.pathname;
  let match = null;
  for (const [re, make] of ROUTES) {
    const m = re.exec(path);
    if (m) { match = make(m); break; }
  }
  if (match && match.redirect) { navigate(match.redirect, { replace: true }); return; }
  for (const a of document.querySelectorAll('[data-nav]')) {
    if (match && a.dataset.nav === match.nav) a.setAttribute('aria-current', 'page'); else a.removeAttribute('aria-current');
  }
  replace(main);
  if (!match) {
    document.title = 'Not found · Berth';
    main.append(h('h1', { tabindex: '-1' }, 'No such page'), h('p', {}, `Nothing lives at ${path}. `, h('a', { href: '/ui/jobs' }, 'Go to jobs')));
    return;
  }
  const query = new URLSearchParams(location.search);
  try {
    cleanup = await match.page.render(main, match.params || {}, query);
  } catch (e) {
    showError(e);
  }
  const heading = main.querySelector('h1');
  if (heading && focusOnRender) { heading.setAttribute('tabindex', '-1'); heading.focus({ preventScroll: true }); }
  focusOnRender = true;
}
let focusOnRender = false; // not on the first load: the browser's own focus stays where it is

document.addEventListener('click', (e) => {
  if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
  const a = e.target.closest('a[href]');
  if (!a || a.target || a.hasAttribute('download')) return;
  const url = new URL(a.href, location.href);
  if (url.origin !== location.origin || !url.pathname.startsWith('/ui/') || url.pathname.startsWith('/ui/vendor/')) return;
  if (url.hash && url.pathname === location.pathname) return;
  e.preventDefault();
  navigate(url.pathname + url.search);
});
window.addEventListener('popstate', render);

// --- the token: asked for when the API answers 401, kept for this tab's session only

const dialog = document.getElementById('token-dialog');
const tokenInput = document.getElementById('token-input');
const tokenButton = document.getElementById('token-button');
let asking = null;

onTokenNeeded((reason) => {
  if (asking) return asking; // one dialog for all the calls that want it
  asking = new Promise((resolve) => {
    document.getElementById('token-reason').textContent = reason || '';
    tokenInput.value = '';
    dialog.addEventListener('close', () => {
      asking = null;
      const given = dialog.returnValue === 'ok' ? tokenInput.value.trim() : null;
      resolve(given || null);
      if (given) setTimeout(describeToken, 0);
    }, { once: true });
    dialog.showModal();
    tokenInput.focus();
  });
  return asking;
});

async function describeToken() {
  if (!token()) { tokenButton.textContent = 'Token'; tokenButton.title = 'No token given (the API may not need one)'; return; }
  try {
    const self = await get('/v1/acl/token/self');
    tokenButton.textContent = self && self.name ? `${self.name} (${self.policy}) · forget` : 'Forget token';
  } catch {
    tokenButton.textContent = 'Forget token';
  }
}

tokenButton.addEventListener('click', () => {
  if (token()) {
    setToken(null);
    describeToken();
    showNotice('The token is forgotten; the next call that needs one will ask.');
    render();
  } else {
    dialog.returnValue = '';
    document.getElementById('token-reason').textContent = 'Give a token to use with every call from this tab.';
    tokenInput.value = '';
    dialog.addEventListener('close', () => {
      if (dialog.returnValue === 'ok' && tokenInput.value.trim()) { setToken(tokenInput.value.trim()); describeToken(); render(); }
    }, { once: true });
    dialog.showModal();
  }
});

describeToken();
render();
