import type pg from 'pg';
import { inlineParams } from './inline-params.js';
import { LoginPools } from './login-pools.js';
import { currentTenant, tenantSettingsSql } from './tenant-context.js';

/** One parameterized statement; every placeholder carries its cast (`$1::uuid`), as inlineParams requires. */
export interface SqlStatement {
  text: string;
  values: readonly unknown[];
}

export type SqlRow = Record<string, unknown>;

const READ_TIMEOUT_MS = 20_000;

/**
 * No parallel workers for the panel's reads. Every statement they send reads
 * a bounded number of rows (keyset pages, counts capped at 10,001, rollups),
 * and starting workers costs more than it saves: the superadmin's 90-day
 * dashboard chart (216,000 rollup rows at 10M ledger rows) took 205 ms with
 * two workers and 26-44 ms without on this 2-core machine, the whole page
 * 240-288 ms p50 before and 99-102 ms after (bench:scale). A busy server
 * also keeps its cores for the gateway's writes.
 */
const SERIAL = 'SET LOCAL max_parallel_workers_per_gather = 0';

/**
 * A read written as its statements and the parse of their rows, so that the
 * reads of a whole page travel in one message (readAll). Domain readers
 * return these; a caller with one read runs it with readOne.
 */
export interface PreparedRead<T> {
  statements: SqlStatement[];
  parse(rows: SqlRow[][]): T;
}

/** A read that needs no statement (the viewer may see nothing, say). */
export function noRead<T>(value: T): PreparedRead<T> {
  return { statements: [], parse: () => value };
}

type Results<T extends readonly PreparedRead<unknown>[]> = { [K in keyof T]: T[K] extends PreparedRead<infer U> ? U : never };

/** Every read's statements in ONE message (one snapshot), each read's rows parsed by its own parse. */
export async function readAll<const T extends readonly PreparedRead<unknown>[]>(reads: SqlReader, prepared: T, options?: ReadOptions): Promise<Results<T>> {
  const rows = await reads.read(prepared.flatMap((p) => p.statements), options);
  let at = 0;
  return prepared.map((p) => p.parse(rows.slice(at, (at += p.statements.length)))) as Results<T>;
}

/** AppDeps.reads, which buildApp always sets (the panel's screens that read around Prisma need it). */
export function requireReads(reads: SqlReader | undefined): SqlReader {
  if (!reads) throw new Error('This screen needs AppDeps.reads (buildApp makes them)');
  return reads;
}

export async function readOne<T>(reads: SqlReader, prepared: PreparedRead<T>, options?: ReadOptions): Promise<T> {
  const [value] = await readAll(reads, [prepared] as const, options);
  return value as T;
}

export interface ReadOptions {
  /**
   * false: sorting off for the transaction (`SET LOCAL enable_sort = off`),
   * for the ledger's pages and counts. Every filter the usage and audit lists
   * offer has an index in list order ((x, occurred_at, id)), so a page never
   * needs a sort; but PostgreSQL multiplies the selectivity of
   * organization_id by that of a user, key or realm (each belongs to one
   * organization), and under row-level security counts the organization
   * twice, so it expects a dozen matches per partition and plans to read and
   * sort all of them: 0.3-0.7 s for an org admin's key filter at 10M rows,
   * against 1-3 ms reading 51 index entries newest first
   * (bench/scale-explain.ts, NOSORT=1).
   */
  sort?: boolean;
}

/** Reads of several statements in one round trip, as the current tenant (implemented by TenantSqlReads). */
export interface SqlReader {
  /** Each statement's rows, in order, read in one read-only transaction. */
  read(statements: readonly SqlStatement[], options?: ReadOptions): Promise<SqlRow[][]>;
}

/**
 * Reads that bypass Prisma, for the panel's busiest pages (the ledger lists:
 * their keyset page, capped count and reference titles). Each call is ONE
 * message to PostgreSQL: BEGIN READ ONLY, the request's tenant settings
 * (transaction-local, as every query of the tenant client sets them), the
 * statements with their values written as literals (inlineParams), COMMIT.
 * A list page through Prisma was a dozen statements and round trips, each
 * compiled by Prisma's query compiler; this is two.
 *
 * Like the tenant client, it runs a tenant on the tenant-facing login (row-level
 * security applies) and system-wide contexts (system, SUPERADMIN) on the
 * system login. Nothing is session-level, so it works behind PgBouncer in
 * transaction pooling. Pools of its own (LoginPools), so a page never waits
 * behind Prisma's pool or an export's COPY.
 */
export class TenantSqlReads implements SqlReader {
  private readonly pools: LoginPools;

  constructor(urls: { tenantUrl: string; systemUrl: string }, max = 4) {
    this.pools = new LoginPools(urls, { max, idleTimeoutMillis: 30_000, application_name: 'realmgate-reads' });
  }

  async read(statements: readonly SqlStatement[], options: ReadOptions = {}): Promise<SqlRow[][]> {
    if (!statements.length) return [];
    const tenant = currentTenant();
    // The same bound as the Prisma transactions these reads replaced (20 s).
    // Serial plans (see SERIAL): a screen's statements read bounded rows.
    const head = ['BEGIN READ ONLY', `SET LOCAL statement_timeout = ${READ_TIMEOUT_MS}`, SERIAL, tenantSettingsSql(tenant), ...(options.sort === false ? ['SET LOCAL enable_sort = off'] : [])];
    const text = [...head, ...statements.map((s) => inlineParams(s.text, s.values)), 'COMMIT'].join(';\n');
    const client = await this.pools.forTenant(tenant).connect();
    try {
      const results = (await client.query(text)) as unknown as pg.QueryResult<SqlRow>[];
      client.release();
      return results.slice(head.length, head.length + statements.length).map((r) => r.rows);
    } catch (e) {
      // A failed statement leaves the transaction open and aborted: end it before the connection is reused.
      const ended = await client.query('ROLLBACK').then(() => true, () => false);
      client.release(ended ? undefined : (e as Error));
      throw e;
    }
  }

  close(): Promise<void> {
    return this.pools.close();
  }
}
