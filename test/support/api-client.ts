import type { PrismaClient } from '@prisma/client';
import { issueApiKey } from '../../src/domain/api-keys/issue-api-key.js';
import type { ApiKeyScope } from '../../src/domain/api-keys/api-key-scopes.js';
import { SYSTEM_ACTOR } from '../../src/domain/shared/actor.js';

export interface ApiAnswer<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

/** A plain fetch client for /api/v1 with an optional bearer (API key or access token). */
export class ApiClient {
  constructor(
    readonly baseUrl: string,
    readonly bearer?: string,
    readonly extraHeaders: Record<string, string> = {},
  ) {}

  with(bearer: string | undefined, headers: Record<string, string> = {}): ApiClient {
    return new ApiClient(this.baseUrl, bearer, headers);
  }

  async call<T = any>(method: string, path: string, init: { body?: unknown; raw?: string; headers?: Record<string, string> } = {}): Promise<ApiAnswer<T>> {
    const headers: Record<string, string> = { ...this.extraHeaders, ...(this.bearer ? { authorization: `Bearer ${this.bearer}` } : {}) };
    let body: string | undefined;
    if (init.raw !== undefined) body = init.raw;
    else if (init.body !== undefined) {
      body = JSON.stringify(init.body);
      headers['content-type'] = 'application/json';
    }
    const res = await fetch(`${this.baseUrl}/api/v1${path}`, { method, headers: { ...headers, ...init.headers }, body, redirect: 'manual' });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      /* not JSON: keep the text */
    }
    return { status: res.status, headers: res.headers, body: parsed as T };
  }

  get<T = any>(path: string, headers?: Record<string, string>) {
    return this.call<T>('GET', path, { headers });
  }
  post<T = any>(path: string, body?: unknown, headers?: Record<string, string>) {
    return this.call<T>('POST', path, { body, headers });
  }
  put<T = any>(path: string, body?: unknown) {
    return this.call<T>('PUT', path, { body });
  }
  delete<T = any>(path: string) {
    return this.call<T>('DELETE', path);
  }
}

/** A new API key for `userId` (issued as the system, like the CLI does); returns its secret and id. */
export async function issueKey(
  db: PrismaClient,
  pepper: string,
  userId: string,
  scopes: ApiKeyScope[],
  extra: { expiresAt?: Date; name?: string } = {},
): Promise<{ secret: string; id: string }> {
  const { apiKey, secret } = await issueApiKey(db, SYSTEM_ACTOR, { name: extra.name ?? `key-${scopes.join('-') || 'none'}`, userId, scopes: scopes.length ? scopes : ['models:read'], expiresAt: extra.expiresAt }, { pepper });
  return { secret, id: apiKey.id };
}
