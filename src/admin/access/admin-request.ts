import { AsyncLocalStorage } from 'node:async_hooks';
import type { UserActor } from '../../domain/shared/actor.js';
import type { RequestMeta } from '../../domain/audit/record-audit.js';
import type { PrismaClient } from '@prisma/client';
import { readAsTenant } from '../../db/tenant-context.js';

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
  /** Set with scopedReads: the reads of the records a page refers to, gathered into one tenant transaction. */
  referenceReads?: ReadBatch;
}

/**
 * Reads asked for in the same turn of the event loop (AdminJS's populator asks
 * for every referenced resource at once), run together in one tenant
 * transaction (readAsTenant; side by side without one for system-wide
 * contexts): two statements for the tenant in all instead of a transaction of
 * four statements each.
 */
export class ReadBatch {
  private pending: { db: PrismaClient; read: (client: PrismaClient) => Promise<unknown>; done: (value: Promise<unknown>) => void }[] = [];

  run<T>(db: PrismaClient, read: (client: PrismaClient) => Promise<T>): Promise<T> {
    return new Promise<unknown>((done) => {
      if (!this.pending.length) setImmediate(() => this.flush());
      this.pending.push({ db, read, done });
    }) as Promise<T>;
  }

  private flush(): void {
    for (const db of new Set(this.pending.map((p) => p.db))) {
      const batch = this.pending.filter((p) => p.db === db);
      const all = readAsTenant(db, (client) => Promise.all(batch.map((p) => p.read(client))));
      batch.forEach((p, i) => p.done(all.then((values) => values[i])));
    }
    this.pending = [];
  }
}

const storage = new AsyncLocalStorage<AdminRequest>();

/** Runs `fn` (the rest of the request) with `request` as the panel request. */
export function runAdminRequest<T>(request: AdminRequest, fn: () => T): T {
  return storage.run(Object.freeze(request), fn);
}

/** Runs `fn` (the rest of a request that runs a read action) with a per-request cache of scoped reads by id. */
export function withScopedReadCache<T>(fn: () => T): T {
  const request = storage.getStore();
  return request ? storage.run(Object.freeze({ ...request, scopedReads: new Map(), referenceReads: new ReadBatch() }), fn) : fn();
}

/** The panel request being served, if any. */
export function currentAdminRequest(): AdminRequest | undefined {
  return storage.getStore();
}

/** IP and user agent of the panel request being served, for domain functions that write audit rows. */
export function adminRequestMeta(): RequestMeta {
  return currentAdminRequest()?.meta ?? {};
}
