// Dates and timestamps without time zone are where node-postgres and Prisma part ways, and only
// away from UTC: run this file in a zone with an odd offset (the forked worker honours it).
process.env.TZ = 'Pacific/Chatham';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { loadDatamodel } from '../src/db/dmmf.js';
import { modelSql } from '../src/db/model-sql.js';
import { seedDemo } from '../src/domain/seed/seed-demo.js';
import { SYSTEM_ACTOR } from '../src/domain/shared/actor.js';
import { freshDatabase, type TestDatabase } from './setup/test-database.js';
import { createModel, createOrg } from './support/factories.js';

/**
 * modelSql's selectAsPrisma against Prisma on the same rows, for every model
 * of the schema: the demo data set (every table the seed fills) and rows made
 * for the awkward types (enum lists, uuid lists, dates, a timestamp without
 * time zone, BigInt, Json). A record page reads its record this way
 * (RealmgateResource.findOne), so the panel shows what Prisma would have
 * read. BigInt is the one difference allowed: a string from node-postgres, a
 * bigint from Prisma, made the same string by the resource's
 * prepareReturnValues.
 */
let t: TestDatabase;
let client: pg.Client;

/** A value as a tagged string, so a number read as a string (or a date as text) shows as a difference. */
function tagged(value: unknown, bigintAsString: boolean): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value === 'bigint') return bigintAsString ? `string:${value}` : `bigint:${value}`;
  if (value instanceof Date) return `d:${value.toISOString()}`;
  if (Array.isArray(value)) return value.map((v) => tagged(v, bigintAsString));
  if (typeof value === 'object') return `j:${JSON.stringify(value, Object.keys(value as object).sort())}`;
  return `${typeof value}:${String(value)}`;
}

const rowKey = (row: Record<string, unknown>) => JSON.stringify(Object.keys(row).sort().map((k) => [k, row[k]]));

beforeAll(async () => {
  t = await freshDatabase('model_sql_parity');
  client = new pg.Client({ connectionString: t.url });
  await client.connect();
  await seedDemo(t.db, SYSTEM_ACTOR, { adminEmail: 'admin@parity.test', withDemoData: true });
  const org = await createOrg(t.db);
  await createModel(t.db, { organizationId: null, organizationTypes: ['MARKETING', 'FINANCE'] });
  await client.query(`SET app.role = 'system'`);
  await client.query(`INSERT INTO session (sid, sess, expire) VALUES ('parity', '{"cookie":{"path":"/"},"n":1}', '2031-07-04 23:30:15.123456')`);
  await client.query(
    `INSERT INTO usage_daily_rollups (organization_id, day, total_tokens, requests, events) VALUES ($1, '2001-02-03', 9007199254740993, 1, 1)`,
    [org.id],
  );
}, 240_000);
afterAll(async () => {
  await client?.end();
  await t?.drop();
});

describe('selectAsPrisma reads what Prisma reads', () => {
  it('runs away from UTC, where the date and timestamp readings would differ', () => {
    expect(new Date(2001, 1, 3).getTimezoneOffset()).not.toBe(0);
  });

  const models = loadDatamodel().models.map((m) => m.name);
  it.each(models)('%s', async (name) => {
    const { table, selectAsPrisma } = modelSql(name);
    const delegate = (t.db as unknown as Record<string, { findMany(): Promise<Record<string, unknown>[]> }>)[name[0]!.toLowerCase() + name.slice(1)]!;
    const viaPrisma = (await delegate.findMany()).map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, tagged(v, true)])));
    const viaSql = (await client.query(`SELECT ${selectAsPrisma()} FROM "${table}"`)).rows.map((row: Record<string, unknown>) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, tagged(v, false)])));
    expect(viaSql.length).toBe(viaPrisma.length);
    expect(viaSql.map(rowKey).sort()).toEqual(viaPrisma.map(rowKey).sort());
  });

  it('covers the awkward types with rows', async () => {
    const count = async (sql: string) => Number((await client.query(sql)).rows[0].n);
    expect(await count(`SELECT count(*) AS n FROM ai_models WHERE cardinality(organization_types) > 1`)).toBeGreaterThan(0);
    expect(await count(`SELECT count(*) AS n FROM api_keys WHERE cardinality(allowed_model_ids) > 0 OR cardinality(scopes) > 0`)).toBeGreaterThan(0);
    expect(await count(`SELECT count(*) AS n FROM usage_daily_rollups WHERE total_tokens > 9007199254740991`)).toBe(1);
    expect(await count(`SELECT count(*) AS n FROM session`)).toBe(1);
  });
});
