import { AsyncLocalStorage } from 'node:async_hooks';
import type { UserActor } from '../../domain/shared/actor.js';
import type { RequestMeta } from '../../domain/audit/record-audit.js';

export type { UserActor };

/** What the panel knows about the request being served, loaded once per request (admin-tenant.ts). */
export interface AdminRequest {
  /** The session's user id: the actor below applies to this user only. */
  sessionUserId: string;
  /** The user as the database has them now (role, organization, its type and plan); null = no longer allowed in. */
  actor: UserActor | null;
  /** Who and where, for audit rows. */
  meta: RequestMeta;
  /**
   * Records read by id in scope on this request, by resource and id: set only
   * on requests that run a read action (api-guard.ts), which write nothing,
   * so the guard's scope check, AdminJS's findOne and the action's own check
   * read the record once.
   */
  scopedReads?: Map<string, Promise<unknown>>;
}

const storage = new AsyncLocalStorage<AdminRequest>();

/** Runs `fn` (the rest of the request) with `request` as the panel request. */
export function runAdminRequest<T>(request: AdminRequest, fn: () => T): T {
  return storage.run(Object.freeze(request), fn);
}

/** Runs `fn` (the rest of a request that runs a read action) with a per-request cache of scoped reads by id. */
export function withScopedReadCache<T>(fn: () => T): T {
  const request = storage.getStore();
  return request ? storage.run(Object.freeze({ ...request, scopedReads: new Map() }), fn) : fn();
}

/** The panel request being served, if any. */
export function currentAdminRequest(): AdminRequest | undefined {
  return storage.getStore();
}

/** IP and user agent of the panel request being served, for domain functions that write audit rows. */
export function adminRequestMeta(): RequestMeta {
  return currentAdminRequest()?.meta ?? {};
}
