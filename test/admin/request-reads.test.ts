import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PrismaClient } from '@prisma/client';
import { PrismaPg } from '@prisma/adapter-pg';
import { appDatabase, type AppDatabase } from '../support/app-database.js';
import { AdminClient } from '../support/admin-client.js';
import { createWorld, type World } from '../support/admin-fixtures.js';
import { createModel } from '../support/factories.js';
import { startRunningAppOn, type RunningApp } from '../support/running-app.js';
import { statementsSentBy } from '../support/sent-statements.js';

/**
 * What one panel request reads, counted on the app's own clients (both
 * logins) and in the plain SQL it sends around Prisma: a record's page reads
 * the record once, in one message (the guard's scope check, AdminJS's findOne
 * and the show action's check share it), and the signed-in
 * user's organization comes with the session's user re-read rather than in a
 * transaction of its own. Neither may cost correctness: a record out of scope
 * is still not found, and a changed plan applies on the very next request.
 */
let t: AppDatabase;
let app: RunningApp;
let world: World;
const reads: string[] = [];

/** A login's client that notes every model operation it runs ("Realm.findFirst"). */
function noting(url: string): PrismaClient {
  const base = new PrismaClient({ adapter: new PrismaPg({ connectionString: url, max: 4 }) });
  return base.$extends({
    query: {
      async $allOperations({ model, operation, args, query }) {
        // A tenant's transaction starts by setting the tenant (src/db/tenant-context.ts): one '$executeRaw' each.
        reads.push(model ? `${model}.${operation}` : operation);
        return query(args);
      },
    },
  }) as unknown as PrismaClient;
}

beforeAll(async () => {
  t = await appDatabase('request_reads');
  world = await createWorld(t.db);
  app = await startRunningAppOn(t, { tenant: noting(t.appUrl), system: noting(t.systemUrl) });
}, 180_000);
afterAll(async () => {
  await app?.close();
  await t?.drop();
});

/** The model operations one request runs through Prisma. */
async function readsOf(request: () => Promise<unknown>): Promise<string[]> {
  return (await sentBy(request)).ops;
}

/** One request's Prisma model operations, and the plain SQL reads it sent around Prisma (TenantSqlReads: one message each). */
async function sentBy(request: () => Promise<unknown>): Promise<{ ops: string[]; sqlReads: string[] }> {
  reads.length = 0;
  const { sent } = await statementsSentBy(request);
  return { ops: [...reads], sqlReads: sent.filter((text) => text.startsWith('BEGIN READ ONLY')) };
}

describe('what a panel request reads', () => {
  it("reads a record's page's record once, for an org admin and a superadmin", async () => {
    const realm = await t.db.realm.create({ data: { organizationId: world.orgA.id, ownerId: world.user.id, name: 'Reads once' } });
    for (const email of [world.admin.email, world.superadmin.email]) {
      const c = await AdminClient.signIn(app.baseUrl, email);
      const { ops, sqlReads } = await sentBy(async () => {
        const res = await c.show('Realm', realm.id);
        expect(res.status).toBe(200);
        expect(res.body.record.params.name).toBe('Reads once');
        expect(res.body.record.title).toBe(`Reads once · ${world.user.email}`);
      });
      // Once, in plain SQL, with the owner's email its title needs: not through Prisma.
      expect(sqlReads.filter((text) => text.includes('FROM "realms"'))).toHaveLength(1);
      expect(ops.filter((op) => op.startsWith('Realm.'))).toEqual([]);
      // The org admin's organization came with the session's user: no read of it on its own.
      expect(ops.filter((op) => op === 'Organization.findUnique')).toEqual([]);
    }
  });

  it("reads the records a page refers to in one tenant transaction (an org admin's API key page)", async () => {
    const realm = await t.db.realm.create({ data: { organizationId: world.orgA.id, ownerId: world.user.id, name: 'Key realm' } });
    const key = await t.db.apiKey.create({
      data: { organizationId: world.orgA.id, userId: world.user.id, realmId: realm.id, name: 'Refers to three', prefix: 'rgk_reads', keyHash: `reads-${Date.now()}`, type: 'USER', scopes: ['usage:write'] },
    });
    const c = await AdminClient.signIn(app.baseUrl, world.admin.email);
    const { ops, sqlReads } = await sentBy(async () => {
      const res = await c.show('ApiKey', key.id);
      expect(res.status).toBe(200);
      const populated = res.body.record.populated;
      expect([populated.organization?.id, populated.user?.id, populated.realm?.id]).toEqual([world.orgA.id, world.user.id, realm.id]);
      expect(populated.realm.title).toBe(`Key realm · ${world.user.email}`);
      expect(populated.user.title).toBe(world.user.email);
      expect(populated.organization.title).toMatch(/^Org A /);
      expect(res.body.record.params['scopes.0']).toBe('usage:write'); // a list, flattened as AdminJS sends it
    });
    // Two messages, nothing through Prisma: the key itself (every column, read as Prisma reads them), then
    // its organization, user and realm (with the realm's owner for its title) by the columns that name them.
    expect(ops).toEqual([]);
    expect(sqlReads).toHaveLength(2);
    expect(sqlReads[0]).toContain('FROM "api_keys"');
    for (const table of ['organizations', 'users', 'realms']) expect(sqlReads[1]).toContain(`FROM "${table}"`);
  });

  it('reads an audit page in two messages: its rows, then what they name (organizations, records, key actors) together', async () => {
    const key = await t.db.apiKey.create({
      data: { organizationId: world.orgA.id, userId: world.user.id, name: 'Acting key', prefix: 'rgk_actor', keyHash: `actor-${Date.now()}`, type: 'USER', scopes: ['usage:write'] },
    });
    await t.db.auditLog.create({
      data: { organizationId: world.orgA.id, actorLabel: `key:${key.id}`, actorRole: 'USER', action: 'update', resource: 'User', recordId: world.peer.id, changes: {} },
    });
    const c = await AdminClient.signIn(app.baseUrl, world.admin.email);
    const { ops, sqlReads } = await sentBy(async () => {
      const res = await c.get(`/resources/AuditLog/actions/list?filters.resource=User&filters.recordId=${world.peer.id}`);
      expect(res.outcome).toBe('ok');
      const [row] = res.body.records;
      expect(JSON.parse(row.params.recordIdLink).title).toBe(world.peer.email);
      expect(row.params.actorLabel).toBe('API key Acting key · rgk_actor');
      expect(row.populated.organizationId.title).toMatch(/^Org A /);
    });
    expect(ops).toEqual([]);
    expect(sqlReads).toHaveLength(2);
    expect(sqlReads[0]).toContain('FROM "audit_logs"');
    for (const table of ['organizations', 'users', 'api_keys']) expect(sqlReads[1]).toContain(`FROM "${table}"`);
  });

  it("sums a usage list's totals line from the coarsest rollups that hold its filter", async () => {
    // One day whose three rollup tables disagree on purpose (they never do in
    // use): the total says which table answered.
    const model = await createModel(t.db, { organizationId: world.orgA.id });
    const day = new Date('2001-02-03');
    const slot = { organizationId: world.orgA.id, day };
    await t.db.usageDailyModelRollup.create({ data: { ...slot, modelId: model.id, totalTokens: 111, requests: 1 } });
    await t.db.usageDailyKeyRollup.create({ data: { ...slot, userId: world.user.id, totalTokens: 222, requests: 2 } });
    await t.db.usageDailyRollup.create({ data: { ...slot, modelId: model.id, userId: world.user.id, totalTokens: 333, requests: 3 } });
    const totals = async (c: AdminClient, query: string) => {
      const res = await c.get(`/resources/UsageEvent/actions/list?view=totals&filters.occurredAt~~from=2001-02-03&filters.occurredAt~~to=2001-02-03${query}`);
      expect(res.body.meta.totals?.source).toBe('rollups');
      return res.body.meta.totals.tokens;
    };
    const superadmin = await AdminClient.signIn(app.baseUrl, world.superadmin.email);
    const admin = await AdminClient.signIn(app.baseUrl, world.admin.email);
    // Unfiltered, a model or an organization: the model rollups (the daily ones hold a row per user and key too).
    expect(await totals(superadmin, '')).toBe('111');
    expect(await totals(admin, `&filters.model=${model.id}`)).toBe('111');
    // A user or a key: the key rollups. A user and a model together: only the daily rollups hold both.
    expect(await totals(admin, `&filters.user=${world.user.id}`)).toBe('222');
    expect(await totals(admin, `&filters.user=${world.user.id}&filters.model=${model.id}`)).toBe('333');
    // Read around Prisma (TenantSqlReads): none of its aggregates runs.
    expect((await readsOf(() => totals(admin, ''))).filter((op) => op.endsWith('.aggregate'))).toEqual([]);
  });

  it('still answers 404 for a record of another organization, on every request', async () => {
    const theirs = await t.db.realm.create({ data: { organizationId: world.orgB.id, ownerId: world.userB.id, name: 'Not yours' } });
    const c = await AdminClient.signIn(app.baseUrl, world.admin.email);
    for (let i = 0; i < 2; i++) {
      const res = await c.show('Realm', theirs.id);
      expect(res.status).toBe(404);
      expect(JSON.stringify(res.body)).not.toContain('Not yours');
    }
  });

  it("applies a change of the organization's plan on the next request (model eligibility)", async () => {
    const model = await createModel(t.db, { name: `Enterprise only ${Date.now()}`, requiredPlan: 'ENTERPRISE' });
    const c = await AdminClient.signIn(app.baseUrl, world.admin.email);
    const visible = async () => (await c.show('AiModel', model.id)).status;
    expect(await visible()).toBe(404); // org A is on STARTER
    await t.db.organization.update({ where: { id: world.orgA.id }, data: { pricingPlan: 'ENTERPRISE' } });
    expect(await visible()).toBe(200);
    await t.db.organization.update({ where: { id: world.orgA.id }, data: { pricingPlan: 'STARTER' } });
    expect(await visible()).toBe(404);
  });
});
