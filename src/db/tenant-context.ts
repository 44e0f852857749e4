import { AsyncLocalStorage } from 'node:async_hooks';
import { Prisma, type PrismaClient } from '@prisma/client';
import type { Actor } from '../domain/shared/actor.js';
import { inlineParams } from './inline-params.js';

/**
 * The request's tenant, as PostgreSQL row-level security sees it (policies in
 * prisma/migrations/0006_hardening). 'system' is for sign-in, the session
 * store, seeds and background jobs: it sees every row, so name it only where
 * no person is the actor. 'system' and 'SUPERADMIN' are not settings the
 * database believes: the tenant client runs them on the system login
 * (realmgate_system), everything else on the tenant-facing login, whose
 * policies compare organization_id with app.org_id and nothing more.
 */
export type TenantRole = 'system' | 'SUPERADMIN' | 'ADMIN' | 'USER' | 'VIEWER';

export interface TenantContext {
  role: TenantRole;
  orgId: string | null;
  userId: string | null;
}

export const SYSTEM_TENANT: TenantContext = Object.freeze({ role: 'system', orgId: null, userId: null });

const storage = new AsyncLocalStorage<TenantContext>();

/** Runs `fn` with `ctx` as the tenant of every query the tenant client makes inside it. */
export function withTenant<T>(ctx: TenantContext, fn: () => T): T {
  return storage.run(Object.freeze({ role: ctx.role, orgId: ctx.orgId ?? null, userId: ctx.userId ?? null }), fn);
}

/** The tenant set by the innermost withTenant, or undefined (queries then see no tenant row). */
export function currentTenant(): TenantContext | undefined {
  return storage.getStore();
}

/** The tenant context for a domain actor. An API key acts as a USER of its organization. */
export function tenantFromActor(actor: Actor): TenantContext {
  switch (actor.kind) {
    case 'system':
      return SYSTEM_TENANT;
    case 'user':
      return { role: actor.role, orgId: actor.organizationId, userId: actor.userId };
    case 'api-key':
      return { role: 'USER', orgId: actor.organizationId, userId: actor.userId };
  }
}

/** True for contexts served by the system login rather than the tenant-facing one. */
export function isSystemWide(ctx: TenantContext | undefined): boolean {
  return ctx?.role === 'system' || ctx?.role === 'SUPERADMIN';
}

/** Transaction-local settings; no context gives '' everywhere, which the policies read as "no tenant". */
const SET_TENANT_SQL = `SELECT set_config('app.org_id', $1, true), set_config('app.role', $2, true), set_config('app.user_id', $3, true)`;
const settingValues = (ctx: TenantContext | undefined): [string, string, string] => [ctx?.orgId ?? '', ctx?.role ?? '', ctx?.userId ?? ''];

/** SET_TENANT_SQL with its values written in, to travel in one message with other statements (TenantSqlReads). */
export function tenantSettingsSql(ctx: TenantContext | undefined): string {
  return inlineParams(SET_TENANT_SQL, settingValues(ctx));
}

/** SET_TENANT_SQL for Prisma: its text around the placeholders, the values bound. */
const SET_TENANT_PARTS = SET_TENANT_SQL.split(/\$\d/);
function setConfigSql(ctx: TenantContext | undefined): Prisma.Sql {
  return Prisma.sql(SET_TENANT_PARTS, ...settingValues(ctx));
}

/**
 * setTenantInTx for a node-postgres client inside a transaction it opened, for
 * the statements Prisma cannot send (COPY: the ledger exports). Run it on a
 * connection of the login that serves `ctx` (isSystemWide: the system login).
 */
export async function setTenantOnClient(c: { query(text: string, values: unknown[]): Promise<unknown> }, ctx: TenantContext | undefined): Promise<void> {
  await c.query(SET_TENANT_SQL, settingValues(ctx));
}

type RawExecutor = { $executeRaw(query: Prisma.Sql): Prisma.PrismaPromise<number> };

/**
 * Sets the tenant at the start of an interactive transaction opened on a plain
 * (unextended) client: `base.$transaction(async (tx) => { await setTenantInTx(tx, ctx); ... })`.
 * The settings last until that transaction ends.
 */
export async function setTenantInTx(tx: RawExecutor, ctx: TenantContext | undefined = currentTenant()): Promise<void> {
  await tx.$executeRaw(setConfigSql(ctx));
}

type InternalParams = { __internalParams?: { transaction?: unknown } };

type TxOptions = { maxWait?: number; timeout?: number; isolationLevel?: Prisma.TransactionIsolationLevel };

/**
 * Runs `fn` in one transaction whose tenant is `ctx`: on the tenant client the
 * transaction opens on the login that serves `ctx` (system-wide contexts on the
 * system login), on a plain client on that client's login.
 */
export function inTenantTransaction<T>(db: PrismaClient, ctx: TenantContext, fn: (tx: Prisma.TransactionClient) => Promise<T>, options?: TxOptions): Promise<T> {
  // A tenant client's own $transaction sets the tenant current when it is called (ctx, here): once is enough.
  if (TENANT_CLIENTS.has(db)) return withTenant(ctx, () => db.$transaction(fn, options));
  return withTenant(ctx, () =>
    db.$transaction(async (tx) => {
      await setTenantInTx(tx, ctx);
      return fn(tx);
    }, options),
  );
}

/** The clients createTenantPrisma made: their $transaction sets the tenant itself. */
const TENANT_CLIENTS = new WeakSet<PrismaClient>();

/**
 * A client whose every query (model operations and raw SQL) runs in a short
 * transaction that first sets the current tenant, so row-level security scopes
 * it. Connect `tenantBase` as the app login and `systemBase` as the system
 * login (src/db/app-role.ts): contexts 'system' and 'SUPERADMIN' run on the
 * latter. As a superuser or a BYPASSRLS role the policies do not apply.
 *
 * `$transaction` on this client sets the tenant once at the start and then
 * runs on the plain transaction, so multi-step writes stay atomic: an
 * interactive callback receives an unextended `tx` already scoped to the
 * tenant current when `$transaction` was called.
 *
 * Typed as PrismaClient so domain code and AdminJS take it unchanged; the
 * extension changes no model types.
 */
export function createTenantPrisma(tenantBase: PrismaClient, systemBase?: PrismaClient): PrismaClient {
  const tenant = extendWithTenant(tenantBase, false);
  const client = !systemBase || systemBase === tenantBase ? tenant : routeByTenant(tenant, extendWithTenant(systemBase, true));
  TENANT_CLIENTS.add(client);
  return client;
}

/**
 * Runs a request's reads: for a tenant in one transaction that sets the tenant
 * once (rather than a transaction per query, each holding a pooled connection);
 * for system-wide contexts on the system login, whose policies admit every row,
 * straight on the client, side by side.
 */
export function readAsTenant<T>(db: PrismaClient, fn: (client: PrismaClient) => Promise<T>, options: TxOptions = { maxWait: 10_000, timeout: 20_000 }): Promise<T> {
  if (isSystemWide(currentTenant())) return fn(db);
  return db.$transaction((tx) => fn(tx as unknown as PrismaClient), options);
}

/** Model operations that only read. */
const READS = new Set(['findUnique', 'findUniqueOrThrow', 'findFirst', 'findFirstOrThrow', 'findMany', 'count', 'aggregate', 'groupBy']);

/**
 * One client for both logins: every property read (a model delegate's method,
 * $transaction, $queryRaw) resolves, at that moment, on the client of the
 * login that serves the current tenant. AdminJS keeps model delegates from
 * start-up, so delegates are routed per call too.
 */
function routeByTenant(tenant: PrismaClient, system: PrismaClient): PrismaClient {
  const pick = (): PrismaClient => (isSystemWide(currentTenant()) ? system : tenant);
  const resolve = (owner: object, prop: PropertyKey) => {
    const value = Reflect.get(owner, prop);
    return typeof value === 'function' ? value.bind(owner) : value;
  };
  const delegates = new Map<PropertyKey, object>();
  return new Proxy(tenant, {
    get(target, prop) {
      const value = Reflect.get(target, prop);
      const isDelegate = typeof prop === 'string' && !/^[$_]/.test(prop) && value !== null && typeof value === 'object';
      if (!isDelegate) return resolve(pick(), prop);
      let delegate = delegates.get(prop);
      if (!delegate) {
        delegate = new Proxy(value as object, { get: (_t, p) => resolve((pick() as unknown as Record<string, object>)[prop]!, p) });
        delegates.set(prop, delegate);
      }
      return delegate;
    },
  });
}

function extendWithTenant(base: PrismaClient, systemLogin: boolean): PrismaClient {
  const extended = base.$extends({
    name: 'realmgate-tenant',
    query: {
      async $allOperations({ args, query, operation, ...rest }) {
        // Inside a transaction opened by $transaction below, the tenant is
        // already set on its connection; wrapping again would run the query
        // on another connection, outside that transaction.
        if ((rest as InternalParams).__internalParams?.transaction) return query(args);
        // The system login's policies are USING (true) (0006_hardening) and no
        // read of a model depends on the settings: one statement instead of
        // BEGIN, set_config, query, COMMIT. Writes keep the settings (audit
        // triggers and defaults read app.user_id).
        if (systemLogin && READS.has(operation)) return query(args);
        const [, result] = await base.$transaction([base.$executeRaw(setConfigSql(currentTenant())), query(args)]);
        return result;
      },
    },
    client: {
      $transaction(arg: unknown, options?: unknown): Promise<unknown> {
        const ctx = currentTenant();
        if (typeof arg === 'function') {
          const fn = arg as (tx: Prisma.TransactionClient) => Promise<unknown>;
          return base.$transaction(async (tx) => {
            await setTenantInTx(tx, ctx);
            return fn(tx);
          }, options as Parameters<PrismaClient['$transaction']>[1]);
        }
        if (!Array.isArray(arg)) throw new TypeError('$transaction expects a function or an array of queries');
        return base
          .$transaction([base.$executeRaw(setConfigSql(ctx)), ...(arg as Prisma.PrismaPromise<unknown>[])], options as { isolationLevel?: Prisma.TransactionIsolationLevel })
          .then((results) => results.slice(1));
      },
    },
  });
  return extended as unknown as PrismaClient;
}
