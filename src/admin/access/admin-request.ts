import { AsyncLocalStorage } from 'node:async_hooks';
import type { UserActor } from '../../domain/shared/actor.js';
import type { RequestMeta } from '../../domain/audit/record-audit.js';
import type { PrismaClient } from '@prisma/client';
import { readAsTenant } from '../../db/tenant-context.js';
import type { SqlReader, SqlRow, SqlStatement } from '../../db/tenant-sql-reads.js';

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
  /** Set with scopedReads: titles read on this request (titlesOfWanted), by `resource:id`; null = not there for this admin. */
  titles?: Map<string, string | null>;
}

/**
 * Reads asked for in the same turn of the event loop (AdminJS's populator asks
 * for every referenced resource at once), run together: plain SQL statements
 * (a referenced record's id and title: RealmgateResource.findMany) in ONE
 * round trip of TenantSqlReads, Prisma reads in one tenant transaction
 * (readAsTenant; side by side without one for system-wide contexts), instead
 * of a transaction of four statements for each.
 */
export class ReadBatch {
  private pending: { db: PrismaClient; read: (client: PrismaClient) => Promise<unknown>; done: (value: Promise<unknown>) => void }[] = [];
  private statements: { reads: SqlReader; statement: SqlStatement; done: (value: Promise<SqlRow[]>) => void }[] = [];

  run<T>(db: PrismaClient, read: (client: PrismaClient) => Promise<T>): Promise<T> {
    return new Promise<unknown>((done) => {
      this.soon();
      this.pending.push({ db, read, done });
    }) as Promise<T>;
  }

  /** The rows of `statement`, read with the other statements of this turn. */
  runSql(reads: SqlReader, statement: SqlStatement): Promise<SqlRow[]> {
    return new Promise<SqlRow[]>((done) => {
      this.soon();
      this.statements.push({ reads, statement, done });
    });
  }

  private soon(): void {
    if (!this.pending.length && !this.statements.length) setImmediate(() => this.flush());
  }

  private flush(): void {
    for (const db of new Set(this.pending.map((p) => p.db))) {
      const batch = this.pending.filter((p) => p.db === db);
      const all = readAsTenant(db, (client) => Promise.all(batch.map((p) => p.read(client))));
      batch.forEach((p, i) => p.done(all.then((values) => values[i])));
    }
    for (const reads of new Set(this.statements.map((p) => p.reads))) {
      const batch = this.statements.filter((p) => p.reads === reads);
      const all = reads.read(batch.map((p) => p.statement));
      batch.forEach((p, i) => p.done(all.then((rows) => rows[i]!)));
    }
    this.pending = [];
    this.statements = [];
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
  return request ? storage.run(Object.freeze({ ...request, scopedReads: new Map(), referenceReads: new ReadBatch(), titles: new Map() }), fn) : fn();
}

/** The panel request being served, if any. */
export function currentAdminRequest(): AdminRequest | undefined {
  return storage.getStore();
}

/** IP and user agent of the panel request being served, for domain functions that write audit rows. */
export function adminRequestMeta(): RequestMeta {
  return currentAdminRequest()?.meta ?? {};
}
