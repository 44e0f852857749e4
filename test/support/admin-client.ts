import { expect } from 'vitest';
import { TEST_PASSWORD } from './factories.js';

/** What a panel API call came to, in the words the permission tests use. */
export type Outcome = 'ok' | 'invalid' | 'forbidden' | 'not-found' | 'signed-out' | `error: ${string}` | `status ${number}`;

export interface ApiResponse {
  status: number;
  body: any;
  outcome: Outcome;
}

// What AdminJS's frontend sends for values FormData cannot carry (params-to-form-data.js).
const FORM_VALUE_NULL = '__FORM_VALUE_NULL__';
const FORM_VALUE_EMPTY_OBJECT = '__FORM_VALUE_EMPTY_OBJECT__';
const FORM_VALUE_EMPTY_ARRAY = '__FORM_VALUE_EMPTY_ARRAY__';

/**
 * A signed-in browser without a browser: one session cookie, AdminJS's API
 * routes called the way its frontend calls them (multipart form data for
 * writes, `recordIds` in the query for bulk actions).
 */
export class AdminClient {
  private cookie = '';
  constructor(readonly baseUrl: string, readonly userAgent = 'realmgate-permission-tests/1.0') {}

  /** Signs in through POST /admin/login (form data) and fails the test unless it worked. */
  static async signIn(baseUrl: string, email: string, password = TEST_PASSWORD): Promise<AdminClient> {
    const client = new AdminClient(baseUrl);
    const res = await client.raw('/admin/login', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ email, password }).toString(),
    });
    await res.text();
    expect(res.status, `sign-in of ${email}`).toBe(302);
    expect(client.cookie, 'session cookie').not.toBe('');
    return client;
  }

  async raw(path: string, init: RequestInit = {}): Promise<Response> {
    const res = await fetch(this.baseUrl + path, {
      redirect: 'manual',
      ...init,
      // A browser sends Origin with every POST; the CSRF guard (app.ts) checks it.
      headers: { 'user-agent': this.userAgent, origin: this.baseUrl, ...(this.cookie ? { cookie: this.cookie } : {}), ...(init.headers as Record<string, string> | undefined) },
    });
    const set = res.headers.getSetCookie().find((c) => c.startsWith('realmgate.sid='));
    if (set) this.cookie = /expires=Thu, 01 Jan 1970/i.test(set) ? '' : set.split(';')[0]!;
    return res;
  }

  async get(apiPath: string): Promise<ApiResponse> {
    return this.answer(await this.raw(`/admin/api${apiPath}`, { headers: { accept: 'application/json' } }));
  }

  /** POST as the panel's forms do: multipart form data with flattened keys. */
  async post(apiPath: string, fields: Record<string, unknown> = {}): Promise<ApiResponse> {
    return this.answer(await this.raw(`/admin/api${apiPath}`, { method: 'POST', body: toFormData(fields), headers: { accept: 'application/json' } }));
  }

  list(resource: string, query = ''): Promise<ApiResponse> {
    return this.get(`/resources/${resource}/actions/list?perPage=500${query ? `&${query}` : ''}`);
  }
  search(resource: string, text = ''): Promise<ApiResponse> {
    return this.get(`/resources/${resource}/actions/search${text ? `/${encodeURIComponent(text)}` : ''}?perPage=500`);
  }
  show(resource: string, id: string): Promise<ApiResponse> {
    return this.get(`/resources/${resource}/records/${encodeURIComponent(id)}/show`);
  }
  editForm(resource: string, id: string): Promise<ApiResponse> {
    return this.get(`/resources/${resource}/records/${encodeURIComponent(id)}/edit`);
  }
  create(resource: string, fields: Record<string, unknown>): Promise<ApiResponse> {
    return this.post(`/resources/${resource}/actions/new`, fields);
  }
  edit(resource: string, id: string, fields: Record<string, unknown>): Promise<ApiResponse> {
    return this.post(`/resources/${resource}/records/${encodeURIComponent(id)}/edit`, fields);
  }
  delete(resource: string, id: string): Promise<ApiResponse> {
    return this.post(`/resources/${resource}/records/${encodeURIComponent(id)}/delete`);
  }
  bulkDelete(resource: string, ids: string[]): Promise<ApiResponse> {
    return this.post(`/resources/${resource}/bulk/bulkDelete?recordIds=${ids.map(encodeURIComponent).join(',')}`);
  }

  /**
   * Saves a record the way the edit screen does: everything the edit action
   * sent, with `changes` applied, posted back.
   */
  async editLikeTheForm(resource: string, id: string, changes: Record<string, unknown>): Promise<ApiResponse> {
    const form = await this.editForm(resource, id);
    if (form.outcome !== 'ok') return form;
    return this.edit(resource, id, { ...(form.body.record.params as Record<string, unknown>), ...changes });
  }

  private async answer(res: Response): Promise<ApiResponse> {
    const text = await res.text();
    let body: any = text;
    try {
      body = JSON.parse(text);
    } catch {
      /* not JSON */
    }
    return { status: res.status, body, outcome: outcomeOf(res.status, body, res.headers.get('location')) };
  }
}

function outcomeOf(status: number, body: any, location: string | null): Outcome {
  if (status === 302 && location?.includes('/login')) return 'signed-out';
  if (status === 403) return 'forbidden';
  if (status === 404) return 'not-found';
  if (status !== 200) return `status ${status}`;
  const notice = body?.notice;
  if (notice?.type === 'error') {
    const errors = body?.record?.errors ?? {};
    return Object.keys(errors).length ? 'invalid' : `error: ${String(notice.message)}`;
  }
  return 'ok';
}

function toFormData(fields: Record<string, unknown>): FormData {
  const form = new FormData();
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    if (value === null) form.set(key, FORM_VALUE_NULL);
    else if (Array.isArray(value)) {
      if (!value.length) form.set(key, FORM_VALUE_EMPTY_ARRAY);
      else value.forEach((v, i) => form.set(`${key}.${i}`, String(v)));
    } else if (value instanceof Date) form.set(key, value.toISOString());
    else if (typeof value === 'object') form.set(key, Object.keys(value).length ? JSON.stringify(value) : FORM_VALUE_EMPTY_OBJECT);
    else form.set(key, String(value));
  }
  return form;
}

const SECRET_KEY = /(^|\.)(passwordHash|keyHash|passwordEncrypted|apiKeyEncrypted|providerApiKeyEncrypted|sess|password)$/;

/** Fails when `body` names a secret column anywhere or carries any of `values`. */
export function expectNoSecrets(body: unknown, values: Iterable<string>, label = 'response'): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  for (const v of values) if (v) expect(text.includes(v), `${label} carries a secret value`).toBe(false);
  const walk = (node: unknown, path: string): void => {
    if (!node || typeof node !== 'object') return;
    for (const [k, v] of Object.entries(node)) {
      expect(SECRET_KEY.test(k) && v !== null && v !== undefined && v !== '', `${label} has secret key ${path}${k}`).toBe(false);
      walk(v, `${path}${k}.`);
    }
  };
  if (typeof body === 'object') walk(body, '');
}
