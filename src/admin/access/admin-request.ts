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
}

const storage = new AsyncLocalStorage<AdminRequest>();

/** Runs `fn` (the rest of the request) with `request` as the panel request. */
export function runAdminRequest<T>(request: AdminRequest, fn: () => T): T {
  return storage.run(Object.freeze(request), fn);
}

/** The panel request being served, if any. */
export function currentAdminRequest(): AdminRequest | undefined {
  return storage.getStore();
}

/** IP and user agent of the panel request being served, for domain functions that write audit rows. */
export function adminRequestMeta(): RequestMeta {
  return currentAdminRequest()?.meta ?? {};
}
