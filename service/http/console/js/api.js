// The HTTP/JSON API of dxledgerd (the routes of proto/dxledger/v1/ledger.proto),
// called with the session cookie. The CSRF token of the session is kept in
// this module's memory only: never in browser storage.

export class ApiError extends Error {
  constructor(httpStatus, status, message) {
    super(message);
    this.httpStatus = httpStatus;
    this.status = status;  // the gRPC status name, e.g. ABORTED
  }
}

const session = { csrf: '', principal: null, organization: '' };

export function principal() { return session.principal; }
export function organization() { return session.organization; }
export function hasRole(...roles) {
  return (session.principal?.roles || []).some((role) => roles.includes(role));
}

export const orgPath = () => `/v1/organizations/${encodeURIComponent(session.organization)}`;
export const goalId = (name) => name.slice(name.lastIndexOf('/') + 1);
export const goalPath = (id) => `${orgPath()}/goals/${encodeURIComponent(id)}`;

// A URL of the API with its query; parameters that are undefined, null or
// '' are left out, and an array is repeated.
export function apiUrl(path, query = {}) {
  const url = new URL(path, location.origin);
  for (const [key, value] of Object.entries(query)) {
    for (const one of Array.isArray(value) ? value : [value]) {
      if (one !== undefined && one !== null && one !== '') url.searchParams.append(key, one);
    }
  }
  return url.pathname + url.search;
}

export async function api(method, path, { query, body } = {}) {
  const headers = { Accept: 'application/json' };
  if (method !== 'GET') {
    headers['Content-Type'] = 'application/json';
    headers['X-CSRF-Token'] = session.csrf;
  }
  const response = await fetch(apiUrl(path, query), {
    method, headers, credentials: 'same-origin',
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  let json = {};
  try { json = text ? JSON.parse(text) : {}; } catch { json = {}; }
  if (!response.ok) {
    const error = json.error || {};
    throw new ApiError(response.status, error.status || '', error.message || text || response.statusText);
  }
  return json;
}

// Every page of a listing, up to `limit` items.
export async function listAll(path, query, field, limit = 5000) {
  const items = [];
  let pageToken;
  do {
    const page = await api('GET', path, { query: { ...query, pageSize: 1000, pageToken } });
    items.push(...(page[field] || []));
    pageToken = page.nextPageToken;
  } while (pageToken && items.length < limit);
  return items;
}

export async function loadConfig() {
  const response = await fetch('/console/config.json', { credentials: 'same-origin' });
  session.organization = (await response.json()).organization;
}

function begin(reply) {
  session.csrf = reply.csrfToken;
  session.principal = reply.principal;
}

export async function signIn(token) {
  begin(await api('POST', '/v1/sessions', { body: { token } }));
}

// The session of the cookie, if any: true when signed in.
export async function resume() {
  try {
    begin(await api('GET', '/v1/sessions/current'));
    return true;
  } catch (error) {
    if (error.httpStatus === 401) return false;
    throw error;
  }
}

export async function signOut() {
  try { await api('DELETE', '/v1/sessions/current'); } finally {
    session.csrf = '';
    session.principal = null;
  }
}

// An idempotency key for one submitted form (crypto.randomUUID needs a
// secure context; a console over plain HTTP on a LAN is not one).
export function requestId() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return 'console-' + [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
}

// A report of `year` as a file: CSV, XLSX, HTML, MARKDOWN or JSON.
export function exportUrl(year, format, asOfTime) {
  return apiUrl(`${orgPath()}/fiscalYears/${year}/report`, {
    format: `REPORT_FORMAT_${format}`, alt: 'media', 'asOf.time': asOfTime,
  });
}
