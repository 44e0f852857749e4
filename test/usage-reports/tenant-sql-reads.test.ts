import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appDatabase, type AppDatabase } from '../support/app-database.js';
import { TenantSqlReads } from '../../src/db/tenant-sql-reads.js';
import { withTenant } from '../../src/db/tenant-context.js';

/**
 * The reads that bypass Prisma (the ledger lists): one message per call, the
 * tenant's settings inside it, so row-level security scopes them as it scopes
 * Prisma's queries; a failed statement leaves nothing open behind it.
 */
let t: AppDatabase;
let reads: TenantSqlReads;
let owner: pg.Client;
const orgs: string[] = [];

beforeAll(async () => {
  t = await appDatabase('tenant_sql_reads');
  reads = new TenantSqlReads({ tenantUrl: t.appUrl, systemUrl: t.systemUrl }, 1);
  owner = new pg.Client({ connectionString: t.url });
  await owner.connect();
  for (const name of ['Reads A', 'Reads B']) orgs.push((await owner.query(`INSERT INTO organizations (name) VALUES ($1) RETURNING id`, [name])).rows[0].id);
  await owner.query(`INSERT INTO usage_events (organization_id, total_tokens) SELECT $1::uuid, 1 FROM generate_series(1, 3) UNION ALL SELECT $2::uuid, 1 FROM generate_series(1, 5)`, orgs);
}, 120_000);
afterAll(async () => {
  await reads?.close();
  await owner?.end();
  await t?.drop();
});

const count = { text: `SELECT count(*)::int AS n FROM usage_events WHERE total_tokens = $1::int`, values: [1] };

describe('TenantSqlReads', () => {
  it('reads as the current tenant: an org admin sees its organization only, a superadmin every one, no tenant nothing', async () => {
    const asTenant = (role: 'ADMIN' | 'SUPERADMIN', orgId: string | null) => withTenant({ role, orgId, userId: null }, () => reads.read([count, { text: `SELECT current_setting('app.org_id') AS org`, values: [] }]));
    const [[a], [aSetting]] = await asTenant('ADMIN', orgs[0]!);
    expect([a!.n, aSetting!.org]).toEqual([3, orgs[0]]);
    expect((await asTenant('ADMIN', orgs[1]!))[0]![0]!.n).toBe(5);
    expect((await asTenant('SUPERADMIN', null))[0]![0]!.n).toBe(8);
    expect((await reads.read([count]))[0]![0]!.n).toBe(0);
  });

  it('returns each statement rows in order, with values written in as literals (quotes included)', async () => {
    const [one, two] = await withTenant({ role: 'SUPERADMIN', orgId: null, userId: null }, () =>
      reads.read([{ text: `SELECT $1::text AS s, $2::int AS n`, values: [`it's "quoted" \\ $1`, 7] }, { text: `SELECT generate_series(1, $1::int) AS i`, values: [3] }]),
    );
    expect(one).toEqual([{ s: `it's "quoted" \\ $1`, n: 7 }]);
    expect(two!.map((r) => r.i)).toEqual([1, 2, 3]);
  });

  it('ends a failed read: the error reaches the caller, and the one pooled connection serves the next read', async () => {
    await expect(withTenant({ role: 'ADMIN', orgId: orgs[0]!, userId: null }, () => reads.read([count, { text: `SELECT 1 / $1::int`, values: [0] }]))).rejects.toThrow(/division by zero/);
    // Still one connection (max 1): it was rolled back, not left inside the failed transaction.
    expect((await withTenant({ role: 'ADMIN', orgId: orgs[0]!, userId: null }, () => reads.read([count])))[0]![0]!.n).toBe(3);
    // And it wrote nothing: a read-only transaction refuses writes.
    await expect(withTenant({ role: 'SUPERADMIN', orgId: null, userId: null }, () => reads.read([{ text: `INSERT INTO organizations (name) VALUES ($1::text)`, values: ['nope'] }]))).rejects.toThrow(/read-only/);
  });
});
