// api.js: the one way the screens talk to hatd.  JSON in and out, the
// CSRF token on every change, and every refusal turned into an ApiError
// carrying the server's code, plain message and the field it names.

const BASE = '/api/v1';

let csrfToken = null;
let authLostHandler = null;

export class ApiError extends Error {
  constructor(status, code, message, field) {
    super(message);
    this.status = status;
    this.code = code;
    this.field = field || null;
  }
}

/** Kept in memory only: a reload asks GET /session for it again. */
export function setCsrf(token) {
  csrfToken = token || null;
}

/** Called with the ApiError when the server says the session is gone. */
export function onAuthLost(fn) {
  authLostHandler = fn;
}

/** A fresh key for a POST that must never be recorded twice (a dose). */
export function newIdempotencyKey() {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

const FALLBACK = {
  0: 'The server could not be reached. Check the connection and try again; nothing was lost.',
  500: 'Something went wrong inside the server.',
  503: 'The server is busy; try again shortly.',
};

/**
 * api('POST', '/patients/3/check-in', {}) resolves with the parsed answer,
 * or rejects with an ApiError.  opts.idempotencyKey adds the header;
 * opts.authHook === false leaves a 401 to the caller (the login form).
 */
export async function api(method, path, body, opts = {}) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['X-CSRF-Token'] = csrfToken;
  if (opts.idempotencyKey) headers['Idempotency-Key'] = opts.idempotencyKey;
  let res;
  try {
    res = await fetch(BASE + path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
      cache: 'no-store',
    });
  } catch (e) {
    throw new ApiError(0, 'network', FALLBACK[0], null);
  }
  let data = null;
  const text = await res.text();
  if (text) {
    try {
      data = JSON.parse(text);
    } catch (e) {
      data = null;
    }
  }
  if (!res.ok) {
    const e = (data && data.error) || {};
    const err = new ApiError(res.status, e.code || `http_${res.status}`,
      e.message || FALLBACK[res.status] || `The server refused this (HTTP ${res.status}).`, e.field);
    if (res.status === 401 && opts.authHook !== false && authLostHandler &&
        (err.code === 'session_expired' || err.code === 'unauthenticated')) {
      authLostHandler(err);
    }
    throw err;
  }
  return data;
}

export const get = (path, opts) => api('GET', path, undefined, opts);
export const post = (path, body, opts) => api('POST', path, body === undefined ? {} : body, opts);
export const put = (path, body, opts) => api('PUT', path, body, opts);
