// The REST API, as the page calls it: JSON in and out, the user's token on every call, and errors
// in words. A 401 asks the user for a token (kept in this tab only) and tries again.

const TOKEN_KEY = 'berth.token';

export class ApiError extends Error {
  constructor(status, message, errors = []) {
    super(message);
    this.status = status;
    this.errors = errors; // [{path, message}] for a refused spec or field
  }
}

let askToken = async () => null; // set by the app: opens the token dialog

export function onTokenNeeded(fn) { askToken = fn; }
export const token = () => sessionStorage.getItem(TOKEN_KEY);
export function setToken(t) { t ? sessionStorage.setItem(TOKEN_KEY, t) : sessionStorage.removeItem(TOKEN_KEY); }

function headers(extra = {}) {
  const out = { Accept: 'application/json', ...extra };
  const t = token();
  if (t) out.Authorization = `Bearer ${t}`;
  return out;
}

async function errorOf(res) {
  let body = null;
  try { body = await res.json(); } catch { /* not JSON */ }
  if (body && Array.isArray(body.errors)) {
    const msg = body.errors.map(e => (e.path ? `${e.path}: ` : '') + e.message).join('; ');
    return new ApiError(res.status, msg || `HTTP ${res.status}`, body.errors);
  }
  const words = body && body.error ? body.error : `${res.status} ${res.statusText || 'error'}`;
  return new ApiError(res.status, words);
}

/** fetch with the token; on 401 (or 403 without a token) asks for one and tries again. */
async function send(method, path, { body, contentType, signal } = {}) {
  for (let tries = 0; ; tries++) {
    let res;
    try {
      res = await fetch(path, {
        method, signal, body,
        headers: headers(body !== undefined ? { 'Content-Type': contentType || 'application/json' } : {}),
      });
    } catch (e) {
      if (e.name === 'AbortError') throw e;
      throw new ApiError(0, `cannot reach the Berth API (${e.message}); is the scheduler running?`);
    }
    if (res.status === 401 && tries < 5) {
      const err = await errorOf(res);
      const given = await askToken(token() ? `The token was refused: ${err.message}` : err.message);
      if (given) { setToken(given); continue; }
      throw new ApiError(401, `${err.message} — no token given`);
    }
    return res;
  }
}

export async function api(method, path, options = {}) {
  const res = await send(method, path, options);
  if (!res.ok) throw await errorOf(res);
  const type = res.headers.get('Content-Type') || '';
  if (res.status === 204) return null;
  return type.includes('json') ? res.json() : res.text();
}

export const get = (path, o) => api('GET', path, o);
export const post = (path, body, o = {}) => api('POST', path, { ...o, body: typeof body === 'string' ? body : JSON.stringify(body) });
export const del = (path, o) => api('DELETE', path, o);

/** A spec in the editor is JSON when it starts with '{', YAML otherwise. */
export const specType = (text) => text.trim().startsWith('{') ? 'application/json' : 'application/yaml';

/**
 * Reads a streamed text body (a log), calling onText per chunk until it ends or `signal` aborts.
 * Resolves when the stream ends.
 */
export async function streamText(path, onText, signal) {
  const res = await send('GET', path, { signal });
  if (!res.ok) throw await errorOf(res);
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    onText(decoder.decode(value, { stream: true }));
  }
  const tail = decoder.decode();
  if (tail) onText(tail);
}

/**
 * Server-sent events from /v1/events, read with fetch so that the token travels in a header
 * (EventSource cannot send one). Reconnects after 2 s when the stream breaks. Returns close().
 * onEvent(kind, data); onState('live' | 'reconnecting' | 'closed', why).
 */
export function events(query, onEvent, onState = () => {}) {
  const controller = new AbortController();
  let stopped = false;
  const params = new URLSearchParams(query).toString();
  const run = async () => {
    while (!stopped) {
      try {
        const res = await send('GET', `/v1/events${params ? '?' + params : ''}`, { signal: controller.signal });
        if (!res.ok) throw await errorOf(res);
        onState('live');
        const reader = res.body.getReader();
        const decoder = new TextDecoder();
        let buffer = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += decoder.decode(value, { stream: true });
          let cut;
          while ((cut = buffer.indexOf('\n\n')) >= 0) {
            const frame = buffer.slice(0, cut);
            buffer = buffer.slice(cut + 2);
            let kind = 'message'; const data = [];
            for (const line of frame.split('\n')) {
              if (line.startsWith('event:')) kind = line.slice(6).trim();
              else if (line.startsWith('data:')) data.push(line.slice(5).trim());
            }
            if (data.length) {
              try { onEvent(kind, JSON.parse(data.join('\n'))); } catch (e) { console.warn('bad event', e); }
            }
          }
        }
        if (!stopped) onState('reconnecting', 'the event stream ended');
      } catch (e) {
        if (stopped || e.name === 'AbortError') break;
        onState('reconnecting', e.message);
        if (e.status === 401 || e.status === 403) { onState('closed', e.message); break; }
      }
      if (!stopped) await new Promise(r => setTimeout(r, 2000));
    }
  };
  run();
  return () => { stopped = true; controller.abort(); onState('closed'); };
}
