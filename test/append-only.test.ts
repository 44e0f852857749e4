import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { freshDatabase, type TestDatabase } from './setup/test-database.js';

/**
 * usage_events (the usage ledger) and audit_logs are append-only: triggers reject
 * UPDATE, DELETE and TRUNCATE even for the tables' owner, the role that runs
 * migrations and the app. INSERT keeps working.
 */
let database: TestDatabase;
let client: pg.Client;
let orgId: string;

beforeAll(async () => {
  database = await freshDatabase('append_only');
  client = new pg.Client({ connectionString: database.url });
  await client.connect();
  const owner = await client.query<{ owner: string; me: string }>(
    `SELECT pg_get_userbyid(relowner) AS owner, current_user AS me FROM pg_class WHERE oid = 'usage_events'::regclass`,
  );
  expect(owner.rows[0]!.owner, 'the test connects as the owner of the tables').toBe(owner.rows[0]!.me);
  orgId = (await client.query<{ id: string }>(`INSERT INTO organizations (name) VALUES ('Append Only Ltd') RETURNING id`)).rows[0]!.id;
});

afterAll(async () => {
  await client?.end();
  await database?.drop();
});

const TABLES = [
  {
    table: 'usage_events',
    insert: `INSERT INTO usage_events (organization_id, input_tokens, output_tokens, total_tokens, idempotency_key) VALUES ($1, 10, 5, 15, 'k-' || gen_random_uuid()) RETURNING id`,
    update: 'UPDATE usage_events SET total_tokens = total_tokens + 1',
  },
  {
    table: 'audit_logs',
    insert: `INSERT INTO audit_logs (organization_id, action, resource, record_id) VALUES ($1::uuid, 'create', 'organizations', $1::text) RETURNING id`,
    update: `UPDATE audit_logs SET action = 'tampered'`,
  },
] as const;

async function rejected(sql: string, params: unknown[] = []): Promise<pg.DatabaseError> {
  // A savepoint-free check: each statement runs alone, so a rejection rolls back only itself.
  const error = await client.query(sql, params).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, `${sql} should have been rejected`).toBeInstanceOf(pg.DatabaseError);
  return error as pg.DatabaseError;
}

describe.each(TABLES)('$table is append-only', ({ table, insert, update }) => {
  let snapshot: string;

  beforeAll(async () => {
    await client.query(insert, [orgId]);
    await client.query(insert, [orgId]);
    snapshot = await checksum(table);
  });

  async function checksum(t: string): Promise<string> {
    const { rows } = await client.query<{ sum: string; n: number }>(
      `SELECT md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), '')) AS sum, count(*)::int AS n FROM ${t} x`,
    );
    return `${rows[0]!.n}:${rows[0]!.sum}`;
  }

  it('accepts INSERT', async () => {
    const before = Number(snapshot.split(':')[0]);
    expect(before).toBe(2);
    const { rows } = await client.query(insert, [orgId]);
    expect(rows).toHaveLength(1);
    snapshot = await checksum(table);
    expect(Number(snapshot.split(':')[0])).toBe(3);
  });

  it('rejects UPDATE', async () => {
    const e = await rejected(update);
    expect(e.code).toBe('23001'); // restrict_violation
    expect(e.message).toBe(`${table} is append-only: UPDATE is not allowed`);
    expect(await checksum(table)).toBe(snapshot);
  });

  it('rejects DELETE, of one row or all', async () => {
    const one = await rejected(`DELETE FROM ${table} WHERE id = (SELECT id FROM ${table} LIMIT 1)`);
    expect(one.message).toBe(`${table} is append-only: DELETE is not allowed`);
    await rejected(`DELETE FROM ${table}`);
    expect(await checksum(table)).toBe(snapshot);
  });

  it('rejects TRUNCATE, also when it comes as a cascade from organizations', async () => {
    const e = await rejected(`TRUNCATE ${table}`);
    expect(e.message).toBe(`${table} is append-only: TRUNCATE is not allowed`);
    await rejected('TRUNCATE organizations CASCADE');
    expect(await checksum(table)).toBe(snapshot);
  });

  it('holds inside a transaction, and a rejected statement aborts it', async () => {
    await client.query('BEGIN');
    try {
      await client.query(insert, [orgId]);
      await rejected(update);
    } finally {
      await client.query('ROLLBACK');
    }
    expect(await checksum(table)).toBe(snapshot);
  });

  it('rejects UPDATE and DELETE through Prisma as well', async () => {
    const { db } = database;
    const [updated, deleted] =
      table === 'usage_events'
        ? [db.usageEvent.updateMany({ data: { totalTokens: 0 } }), db.usageEvent.deleteMany({})]
        : [db.auditLog.updateMany({ data: { action: 'tampered' } }), db.auditLog.deleteMany({})];
    await expect(updated).rejects.toThrow(/append-only/);
    await expect(deleted).rejects.toThrow(/append-only/);
    expect(await checksum(table)).toBe(snapshot);
  });
});
