import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PrismaClient } from '@prisma/client';
import { appDatabase, type AppDatabase } from '../support/app-database.js';
import { AdminClient, expectNoSecrets, type ApiResponse } from '../support/admin-client.js';
import { startRunningApp, type RunningApp } from '../support/running-app.js';
import { seedDemo } from '../../src/domain/seed/seed-demo.js';
import { SYSTEM_ACTOR } from '../../src/domain/shared/actor.js';
import { hashApiKey, isWellFormedApiKey } from '../../src/domain/api-keys/api-key-secret.js';
import { consumeQuota } from '../../src/domain/quotas/consume-quota.js';
import { verifyPassword } from '../../src/domain/auth/password.js';
import { REALM_KINDS } from '../../src/domain/realms/realm-kinds.js';

/**
 * The panel's custom actions (src/admin/actions) over HTTP, as the panel's
 * components call them: each works for a superadmin and writes its audit row;
 * a one-time secret travels in its one response and is stored nowhere; ids of
 * another organization fail as "not found"; a viewer cannot run them.
 */
const ADMIN_EMAIL = 'admin@realmgate.local';
const ADMIN_PASSWORD = 'actions-admin-password';
const DEMO_PASSWORD = 'actions-demo-password';

let t: AppDatabase;
let app: RunningApp;
let superadmin: AdminClient;
let alice: AdminClient; // ADMIN of Acme
let carol: AdminClient; // VIEWER of Acme
const generated: string[] = [];

const signIn = (email: string, password = DEMO_PASSWORD) => AdminClient.signIn(app.baseUrl, email, password);
const user = (email: string) => t.db.user.findUniqueOrThrow({ where: { email } });
const org = (name: string) => t.db.organization.findUniqueOrThrow({ where: { name } });
const model = (name: string) => t.db.aiModel.findFirstOrThrow({ where: { name, organizationId: null } });

const record = (resource: string, id: string, action: string) => `/resources/${resource}/records/${id}/${action}`;
const bulk = (resource: string, ids: string[], action: string) => `/resources/${resource}/bulk/${action}?recordIds=${ids.join(',')}`;

async function liveKeyOf(email: string): Promise<string> {
  const u = await user(email);
  const key = await t.db.apiKey.findFirstOrThrow({ where: { userId: u.id, revokedAt: null, replacedById: null, OR: [{ expiresAt: null }, { expiresAt: { gt: new Date() } }] } });
  return key.id;
}

function expectOk(res: ApiResponse, what: string): void {
  expect(res.status, `${what}: HTTP ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`).toBe(200);
  expect(res.body?.notice?.type, `${what}: ${res.body?.notice?.message}`).not.toBe('error');
}

function expectErrorNotice(res: ApiResponse, pattern: RegExp): void {
  expect(res.status).toBe(200);
  expect(res.body?.notice?.type).toBe('error');
  expect(String(res.body?.notice?.message)).toMatch(pattern);
}

/** How often `value` occurs in any text-like column of any table (the database owner's view: row-level security does not hide rows from it). */
async function occurrencesInDatabase(db: PrismaClient, value: string): Promise<string[]> {
  const columns = await db.$queryRaw<{ table_name: string; column_name: string }[]>`
    SELECT c.table_name::text AS table_name, c.column_name::text AS column_name FROM information_schema.columns c
      JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name AND t.table_type = 'BASE TABLE'
     WHERE c.table_schema = 'public' AND c.data_type IN ('text', 'character varying', 'json', 'jsonb', 'ARRAY', 'character')`;
  const hits: string[] = [];
  for (const c of columns) {
    const rows = await db.$queryRawUnsafe<{ n: number }[]>(`SELECT count(*)::int AS n FROM "${c.table_name}" WHERE "${c.column_name}"::text LIKE $1`, `%${value}%`);
    if (rows[0]!.n) hits.push(`${c.table_name}.${c.column_name}`);
  }
  return hits;
}

const count = (text: string, value: string) => text.split(value).length - 1;

beforeAll(async () => {
  t = await appDatabase('admin_actions');
  await seedDemo(t.app, SYSTEM_ACTOR, { adminEmail: ADMIN_EMAIL, adminPassword: ADMIN_PASSWORD, demoPassword: DEMO_PASSWORD, withDemoData: true });
  app = await startRunningApp(t);
  superadmin = await signIn(ADMIN_EMAIL, ADMIN_PASSWORD);
  alice = await signIn('alice.admin@acme.example');
  carol = await signIn('carol.viewer@acme.example');
});
afterAll(async () => {
  await app?.close();
  await t?.drop();
});

describe('API keys', () => {
  it('rotates a key: the new secret once in the response, the old key replaced with the grace period picked', async () => {
    const oldId = await liveKeyOf('bob.user@acme.example');
    const before = Date.now();
    const res = await superadmin.post(record('ApiKey', oldId, 'rotate'), { graceSeconds: 3600 });
    expectOk(res, 'rotate');
    const secret: string = res.body.secretOnce;
    generated.push(secret);
    expect(isWellFormedApiKey(secret)).toBe(true);
    expect(count(JSON.stringify(res.body), secret), 'the secret appears once in the response').toBe(1);
    expect(res.body.notice.message).not.toContain(secret);

    const old = await t.db.apiKey.findUniqueOrThrow({ where: { id: oldId } });
    const fresh = await t.db.apiKey.findUniqueOrThrow({ where: { id: res.body.newKey.id } });
    expect(old.replacedById).toBe(fresh.id);
    expect(old.expiresAt!.getTime()).toBeGreaterThanOrEqual(before + 3600_000 - 5000);
    expect(old.expiresAt!.getTime()).toBeLessThanOrEqual(Date.now() + 3600_000 + 5000);
    expect(fresh.keyHash).toBe(hashApiKey(app.config.API_KEY_PEPPER, secret));
    expect(await t.db.auditLog.count({ where: { action: 'api-key.rotate', recordId: oldId } })).toBe(1);

    // A second rotation of the same key is refused by the domain, in words.
    expectErrorNotice(await superadmin.post(record('ApiKey', oldId, 'rotate'), { graceSeconds: 0 }), /already rotated/);
    // The new key's pages never carry it again.
    const shown = await superadmin.show('ApiKey', fresh.id);
    expectNoSecrets(shown.body, [secret, fresh.keyHash]);
  });

  it('"Create new" answers with the secret outside the notice, once', async () => {
    const bob = await user('bob.user@acme.example');
    const res = await superadmin.create('ApiKey', { name: 'Created in the panel', user: bob.id, type: 'SERVICE', scopes: ['models:read'] });
    expectOk(res, 'new');
    const secret: string = res.body.secretOnce;
    generated.push(secret);
    expect(isWellFormedApiKey(secret)).toBe(true);
    expect(count(JSON.stringify(res.body), secret)).toBe(1);
    expect(res.body.notice.message).not.toContain('rgk_');
  });

  it('generates a key from a realm (for its owner) and from a user (owned by them)', async () => {
    const erin = await user('erin.user@lexco.example');
    const realm = await t.db.realm.findFirstOrThrow({ where: { ownerId: erin.id, isActive: true, isDefault: false } });
    const fromRealm = await superadmin.post(record('Realm', realm.id, 'generateKey'), { name: 'From the realm', scopes: JSON.stringify(['models:read', 'usage:write']), rateLimitPerMinute: '60' });
    expectOk(fromRealm, 'realm generateKey');
    generated.push(fromRealm.body.secretOnce);
    const k1 = await t.db.apiKey.findUniqueOrThrow({ where: { id: fromRealm.body.newKey.id } });
    expect(k1).toMatchObject({ realmId: realm.id, userId: erin.id, organizationId: erin.organizationId, name: 'From the realm', rateLimitPerMinute: 60 });
    expect(k1.keyHash).toBe(hashApiKey(app.config.API_KEY_PEPPER, fromRealm.body.secretOnce));

    const form = await superadmin.get(record('User', erin.id, 'generateKey'));
    expectOk(form, 'user generateKey form');
    expect(form.body.realms.map((r: { id: string }) => r.id)).toContain(realm.id);
    const fromUser = await superadmin.post(record('User', erin.id, 'generateKey'), { name: 'From the user', type: 'GATEWAY', scopes: 'models:read,usage:write' });
    expectOk(fromUser, 'user generateKey');
    generated.push(fromUser.body.secretOnce);
    const k2 = await t.db.apiKey.findUniqueOrThrow({ where: { id: fromUser.body.newKey.id }, include: { realm: true } });
    expect(k2).toMatchObject({ userId: erin.id, type: 'GATEWAY' });
    expect(k2.realm?.isDefault).toBe(true);

    // The domain's validation comes back as a notice naming the field.
    expectErrorNotice(await superadmin.post(record('User', erin.id, 'generateKey'), { name: '' }), /^Name: Required$/);
  });

  it('revokes one key, and several at once', async () => {
    const one = await liveKeyOf('kim.user@brightside.example');
    expectOk(await superadmin.post(record('ApiKey', one, 'revoke'), { confirm: 'yes' }), 'revoke');
    expect((await t.db.apiKey.findUniqueOrThrow({ where: { id: one } })).revokedAt).not.toBeNull();
    // The button is gone for a revoked key; a crafted request changes nothing.
    const revokedAt = (await t.db.apiKey.findUniqueOrThrow({ where: { id: one } })).revokedAt;
    expect((await superadmin.show('ApiKey', one)).body.record.recordActions.map((a: { name: string }) => a.name)).not.toContain('revoke');
    const again = await superadmin.post(record('ApiKey', one, 'revoke'), { confirm: 'yes' });
    expectOk(again, 'revoke again');
    expect(again.body.notice.message).toMatch(/already revoked/);
    expect((await t.db.apiKey.findUniqueOrThrow({ where: { id: one } })).revokedAt).toEqual(revokedAt);

    const dan = await user('dan.admin@lexco.example');
    const keys = await t.db.apiKey.findMany({ where: { userId: dan.id, revokedAt: null }, select: { id: true } });
    expect(keys.length).toBeGreaterThan(0);
    const ids = [...keys.map((k) => k.id), one];
    const res = await superadmin.post(bulk('ApiKey', ids, 'revokeSelected'), { confirm: 'yes' });
    expectOk(res, 'revokeSelected');
    expect(res.body.notice.message).toMatch(new RegExp(`${keys.length} API keys? revoked; 1 was already revoked`));
    expect(await t.db.apiKey.count({ where: { id: { in: ids }, revokedAt: null } })).toBe(0);
  });

  it("an org admin cannot rotate, revoke or generate keys of another organization's users", async () => {
    const lexKey = await liveKeyOf('erin.user@lexco.example');
    const erin = await user('erin.user@lexco.example');
    const erinRealm = await t.db.realm.findFirstOrThrow({ where: { ownerId: erin.id, isDefault: true } });
    expect((await alice.post(record('ApiKey', lexKey, 'rotate'), { graceSeconds: 0 })).status).toBe(404);
    expect((await alice.post(record('ApiKey', lexKey, 'revoke'), { confirm: 'yes' })).status).toBe(404);
    expect((await alice.post(bulk('ApiKey', [lexKey], 'revokeSelected'), { confirm: 'yes' })).status).toBe(404);
    expect((await alice.post(record('User', erin.id, 'generateKey'), { name: 'cross-org key' })).status).toBe(404);
    expect((await alice.post(record('Realm', erinRealm.id, 'generateKey'), { name: 'cross-org key' })).status).toBe(404);
    // Into a realm of another organization's user, from her own organization's user page: the domain says not found.
    const bob = await user('bob.user@acme.example');
    expectErrorNotice(await alice.post(record('User', bob.id, 'generateKey'), { name: 'cross-org key', realmId: erinRealm.id }), /Realm not found/);
    expect(await t.db.apiKey.count({ where: { name: 'cross-org key' } })).toBe(0);
    expect(await t.db.apiKey.findUniqueOrThrow({ where: { id: lexKey } })).toMatchObject({ revokedAt: null, replacedById: null });
    // Her own organization's keys she may rotate.
    const own = await alice.post(record('ApiKey', await liveKeyOf('alice.admin@acme.example'), 'rotate'), { graceSeconds: 0 });
    expectOk(own, 'own-org rotate');
    generated.push(own.body.secretOnce);
  });

  it('the secrets generated here are stored nowhere: not in keys, audit rows, sessions or any other column', async () => {
    expect(generated.length).toBeGreaterThanOrEqual(4);
    // The search itself finds what is stored: a key's display prefix.
    const stored = await t.db.apiKey.findFirstOrThrow({ where: { name: 'From the realm' } });
    expect(await occurrencesInDatabase(t.db, stored.prefix)).toContain('api_keys.prefix');
    for (const secret of generated) expect(await occurrencesInDatabase(t.db, secret), secret.slice(0, 12)).toEqual([]);
  });
});

describe('quota resets', () => {
  async function use(subjectType: 'ORGANIZATION' | 'USER' | 'API_KEY', subjectId: string, organizationId: string, amount: number, modelId: string | null = null) {
    await t.db.$transaction((tx) => consumeQuota(tx, { organizationId, subjectType, subjectId, metric: 'TOKENS', modelId, period: 'MONTHLY' }, amount));
  }

  it('resets an organization: the confirmation shows usage, the reset passes its generation, a second one is "already reset"', async () => {
    const acme = await org('Acme Marketing');
    await use('ORGANIZATION', acme.id, acme.id, 1234);
    const form = await superadmin.get(record('Organization', acme.id, 'resetQuotas'));
    expectOk(form, 'resetQuotas form');
    const tokens = form.body.stats[0].metrics.find((m: { metric: string }) => m.metric === 'TOKENS');
    expect(tokens).toMatchObject({ period: 'MONTHLY', limit: 2_000_000 });
    expect(tokens.used).toBeGreaterThanOrEqual(1234);
    expect(tokens.percentUsed).toBeTypeOf('number');
    const counters = JSON.stringify([{ counterId: tokens.counterId, expectedGeneration: tokens.generation }]);

    const res = await superadmin.post(record('Organization', acme.id, 'resetQuotas'), { counters });
    expectOk(res, 'resetQuotas');
    expect(res.body.stats[0].metrics.find((m: { metric: string }) => m.metric === 'TOKENS').used).toBe(0);
    const row = await t.db.quotaCounter.findUniqueOrThrow({ where: { id: tokens.counterId } });
    expect(row).toMatchObject({ used: 0n, generation: tokens.generation + 1 });
    const audit = await t.db.auditLog.findFirstOrThrow({ where: { action: 'quota.reset', recordId: tokens.counterId } });
    expect(audit.userAgent).toBe('realmgate-permission-tests/1.0');

    // The same confirmation sent again (a concurrent reset): nothing reset twice.
    await use('ORGANIZATION', acme.id, acme.id, 10);
    expectErrorNotice(await superadmin.post(record('Organization', acme.id, 'resetQuotas'), { counters }), /already reset/);
    expect((await t.db.quotaCounter.findUniqueOrThrow({ where: { id: tokens.counterId } })).used).toBe(10n);
  });

  it('resets the selected organizations in bulk, and refuses a counter of another subject', async () => {
    const lex = await org('Lex & Co Solicitors');
    const pulse = await org('Pulse Health Clinic');
    await use('ORGANIZATION', lex.id, lex.id, 500);
    await use('ORGANIZATION', pulse.id, pulse.id, 700);
    const form = await superadmin.get(bulk('Organization', [lex.id, pulse.id], 'resetSelectedQuotas'));
    expectOk(form, 'bulkResetQuotas form');
    expect(form.body.stats).toHaveLength(2);
    const counters = form.body.stats.flatMap((s: { metrics: { counterId: string | null; generation: number }[] }) =>
      s.metrics.filter((m) => m.counterId).map((m) => ({ counterId: m.counterId, expectedGeneration: m.generation })),
    );
    expect(counters.length).toBeGreaterThanOrEqual(2);

    const acme = await org('Acme Marketing');
    const acmeCounter = await t.db.quotaCounter.findFirstOrThrow({ where: { subjectId: acme.id } });
    const crafted = await superadmin.post(bulk('Organization', [lex.id, pulse.id], 'resetSelectedQuotas'), { counters: JSON.stringify([...counters, { counterId: acmeCounter.id, expectedGeneration: acmeCounter.generation }]) });
    expectErrorNotice(crafted, /not found/i);

    const res = await superadmin.post(bulk('Organization', [lex.id, pulse.id], 'resetSelectedQuotas'), { counters: JSON.stringify(counters) });
    expectOk(res, 'resetSelectedQuotas');
    for (const s of res.body.stats) for (const m of s.metrics.filter((x: { counterId: string | null }) => x.counterId)) expect(m.used).toBe(0);
  });

  it("resets a user's model limits and a key's usage", async () => {
    const bob = await user('bob.user@acme.example');
    const form = await superadmin.get(record('User', bob.id, 'resetModelLimits'));
    expectOk(form, 'resetModelLimits form');
    // The seed builds counters from the ledger (issue #10), so bob has used some of them: pick one with room for 321 more.
    type Metric = { modelId: string | null; limit: number | null; used: number; reserved: number };
    const perModel = form.body.stats[0].metrics.find((m: Metric) => m.modelId && (m.limit === null || m.limit - m.used - m.reserved >= 321));
    expect(perModel, 'bob has per-model quotas').toBeTruthy();
    const m = await t.db.aiModel.findUniqueOrThrow({ where: { id: perModel.modelId } });
    await t.db.$transaction((tx) => consumeQuota(tx, { organizationId: bob.organizationId!, subjectType: 'USER', subjectId: bob.id, metric: 'TOKENS', modelId: m.id, period: perModel.period }, 321));
    const shown = (await superadmin.get(record('User', bob.id, 'resetModelLimits'))).body.stats[0].metrics.find((x: { modelId: string | null }) => x.modelId === m.id);
    expect(shown.used).toBe(perModel.used + 321);
    const res = await superadmin.post(record('User', bob.id, 'resetModelLimits'), { counters: JSON.stringify([{ counterId: shown.counterId, expectedGeneration: shown.generation }]) });
    expectOk(res, 'resetModelLimits');
    expect(res.body.stats[0].metrics.find((x: { modelId: string | null }) => x.modelId === m.id).used).toBe(0);

    const keyId = await liveKeyOf('ivan.user@pulse.example');
    const tokensBefore = (await superadmin.get(record('ApiKey', keyId, 'quotaStats'))).body.stats.metrics.find((x: { metric: string }) => x.metric === 'TOKENS').used;
    await use('API_KEY', keyId, (await user('ivan.user@pulse.example')).organizationId!, 99);
    const stats = await superadmin.get(record('ApiKey', keyId, 'quotaStats'));
    expectOk(stats, 'quotaStats');
    const tokens = stats.body.stats.metrics.find((x: { metric: string }) => x.metric === 'TOKENS');
    expect(tokens.used).toBe(tokensBefore + 99);
    const reset = await superadmin.post(record('ApiKey', keyId, 'resetUsage'), { counters: JSON.stringify([{ counterId: tokens.counterId, expectedGeneration: tokens.generation }]) });
    expectOk(reset, 'resetUsage');
    expect(reset.body.stats[0].metrics.find((x: { metric: string }) => x.metric === 'TOKENS').used).toBe(0);
  });

  it('shows quota stats to a viewer of the organization but lets only platform staff reset organization quotas', async () => {
    const acme = await org('Acme Marketing');
    const seen = await carol.get(record('Organization', acme.id, 'quotaStats'));
    expectOk(seen, 'viewer quotaStats');
    expect(seen.body.stats.metrics.length).toBeGreaterThan(0);
    expect((await carol.get(record('Organization', acme.id, 'resetQuotas'))).status).toBe(403);
    // An org admin may not reset their organization's commercial quotas either (hidden, refused).
    expect((await alice.get(record('Organization', acme.id, 'resetQuotas'))).status).toBe(403);
    const lex = await org('Lex & Co Solicitors');
    expect((await alice.get(record('Organization', lex.id, 'quotaStats'))).status).toBe(404);
  });
});

describe('model access', () => {
  it('"Manage models" lists eligible models and saves changed rows; an ineligible one fails with the domain message', async () => {
    const acme = await org('Acme Marketing');
    const list = await superadmin.get(record('Organization', acme.id, 'manageModels'));
    expectOk(list, 'manageModels');
    const names = list.body.models.map((m: { name: string }) => m.name);
    expect(names).toContain('Blog Content Writer Pro');
    expect(names).not.toContain('Legal Document Analyst');

    const blog = await model('Blog Content Writer Pro');
    const saved = await superadmin.post(record('Organization', acme.id, 'manageModels'), { changes: JSON.stringify([{ modelId: blog.id, isEnabledForUsers: true, tokenLimitPerUser: 12345 }]) });
    expectOk(saved, 'manageModels save');
    expect(await t.db.organizationModelAccess.findUniqueOrThrow({ where: { organizationId_modelId: { organizationId: acme.id, modelId: blog.id } } })).toMatchObject({ isEnabledForUsers: true, tokenLimitPerUser: 12345 });

    const legal = await model('Legal Document Analyst');
    const refused = await superadmin.post(record('Organization', acme.id, 'manageModels'), { changes: JSON.stringify([{ modelId: legal.id, isEnabledForUsers: true }]) });
    expectErrorNotice(refused, /Cannot enable this model.*not offered to MARKETING/);
    expect(await t.db.organizationModelAccess.findFirst({ where: { organizationId: acme.id, modelId: legal.id, isEnabledForUsers: true } })).toBeNull();
  });

  it('grants a model to many organizations at once, or to none when one may not have it', async () => {
    const property = await model('Property Listing Writer');
    const brightside = await org('Brightside Realty');
    const acme = await org('Acme Marketing');
    const picker = await superadmin.get(record('AiModel', property.id, 'grantToOrganizations'));
    expectOk(picker, 'grant picker');
    expect(picker.body.organizations.find((o: { id: string }) => o.id === acme.id)).toMatchObject({ eligible: false });

    const refused = await superadmin.post(record('AiModel', property.id, 'grantToOrganizations'), { organizationIds: JSON.stringify([brightside.id, acme.id]), enabled: 'true' });
    expectErrorNotice(refused, /nothing was changed.*Acme Marketing/);

    const withdrawn = await superadmin.post(record('AiModel', property.id, 'grantToOrganizations'), { organizationIds: JSON.stringify([brightside.id]), enabled: 'false' });
    expectOk(withdrawn, 'withdraw');
    expect(withdrawn.body.notice.message).toMatch(/withdrawn from 1 organization/);
    const granted = await superadmin.post(record('AiModel', property.id, 'grantToOrganizations'), { organizationIds: JSON.stringify([brightside.id]), enabled: 'true' });
    expectOk(granted, 'grant');
    expect(await t.db.organizationModelAccess.findFirstOrThrow({ where: { organizationId: brightside.id, modelId: property.id } })).toMatchObject({ isEnabledForUsers: true });
  });

  it("an org admin manages their own organization's models only", async () => {
    const acme = await org('Acme Marketing');
    const lex = await org('Lex & Co Solicitors');
    expectOk(await alice.get(record('Organization', acme.id, 'manageModels')), 'own org');
    expect((await alice.get(record('Organization', lex.id, 'manageModels'))).status).toBe(404);
    const basic = await model('Basic Assistant');
    const crossOrg = await alice.post(record('AiModel', basic.id, 'grantToOrganizations'), { organizationIds: JSON.stringify([lex.id]), enabled: 'false' });
    expectErrorNotice(crossOrg, /not found/i);
  });
});

describe('users', () => {
  it('locks, unlocks, ends sessions and sets a temporary password shown once', async () => {
    const frank = await user('frank.user@lexco.example');
    const frankClient = await signIn(frank.email);
    expectOk(await superadmin.post(record('User', frank.id, 'lock'), { confirm: 'yes' }), 'lock');
    expect((await user(frank.email)).status).toBe('LOCKED');
    expect(await frankClient.get('/resources/ApiKey/actions/list').then((r) => r.outcome)).toBe('signed-out');
    expectOk(await superadmin.post(record('User', frank.id, 'unlock'), { confirm: 'yes' }), 'unlock');
    expect((await user(frank.email)).status).toBe('ACTIVE');

    const again = await signIn(frank.email);
    const ended = await superadmin.post(record('User', frank.id, 'endAllSessions'), { confirm: 'yes' });
    expectOk(ended, 'endAllSessions');
    expect(ended.body.notice.message).toMatch(/1 session ended/);
    expect(await again.get('/resources/ApiKey/actions/list').then((r) => r.outcome)).toBe('signed-out');

    const res = await superadmin.post(record('User', frank.id, 'setTemporaryPassword'), { confirm: 'yes' });
    expectOk(res, 'setTemporaryPassword');
    const password: string = res.body.secretOnce;
    expect(password).toMatch(/^[A-Za-z0-9]{5}(-[A-Za-z0-9]{5}){3}$/);
    expect(count(JSON.stringify(res.body), password)).toBe(1);
    const after = await user(frank.email);
    expect(after.mustChangePassword).toBe(true);
    expect(await verifyPassword(after.passwordHash, password)).toBe(true);
    expect(await occurrencesInDatabase(t.db, password)).toEqual([]);
  });

  it('an org admin cannot act on users of another organization, nor on themselves', async () => {
    const gina = await user('gina.viewer@lexco.example');
    expect((await alice.post(record('User', gina.id, 'lock'), { confirm: 'yes' })).status).toBe(404);
    expect((await alice.post(record('User', gina.id, 'setTemporaryPassword'), { confirm: 'yes' })).status).toBe(404);
    expect((await user(gina.email)).status).toBe('ACTIVE');
    const self = await user('alice.admin@acme.example');
    expectErrorNotice(await alice.post(record('User', self.id, 'lock'), { confirm: 'yes' }), /cannot lock yourself/);
    expect((await user(self.email)).status).toBe('ACTIVE');
  });
});

describe('what a viewer may not do', () => {
  it('every changing action answers 403 to a viewer and changes nothing', async () => {
    const acme = await org('Acme Marketing');
    const bob = await user('bob.user@acme.example');
    const key = await liveKeyOf('bob.user@acme.example');
    const realm = await t.db.realm.findFirstOrThrow({ where: { ownerId: bob.id, isDefault: true } });
    const calls: [string, Record<string, unknown>][] = [
      [record('ApiKey', key, 'rotate'), { graceSeconds: 0 }],
      [record('ApiKey', key, 'revoke'), { confirm: 'yes' }],
      [bulk('ApiKey', [key], 'revokeSelected'), { confirm: 'yes' }],
      [record('ApiKey', key, 'resetUsage'), { counters: '[]' }],
      [record('Organization', acme.id, 'resetQuotas'), { counters: '[]' }],
      [bulk('Organization', [acme.id], 'resetSelectedQuotas'), { counters: '[]' }],
      [record('Organization', acme.id, 'manageModels'), { changes: '[]' }],
      [record('User', bob.id, 'lock'), {}],
      [record('User', bob.id, 'setTemporaryPassword'), {}],
      [record('User', bob.id, 'endAllSessions'), {}],
      [record('User', bob.id, 'resetModelLimits'), { counters: '[]' }],
      [record('User', bob.id, 'generateKey'), { name: 'viewer key' }],
      [record('Realm', realm.id, 'generateKey'), { name: 'viewer key' }],
      ['/resources/RealmMigrationRun/actions/migrateDataIntoRealms', {}],
    ];
    for (const [path, fields] of calls) expect((await carol.post(path, fields)).status, path).toBe(403);
    expect(await t.db.apiKey.count({ where: { name: 'viewer key' } })).toBe(0);
    expect((await t.db.apiKey.findUniqueOrThrow({ where: { id: key } })).revokedAt).toBeNull();
    // The buttons are not offered either.
    const shown = await carol.show('ApiKey', key);
    expect(shown.body.record.recordActions.map((a: { name: string }) => a.name)).not.toContain('rotate');
  });

  it('an org admin may not run the realm migration', async () => {
    expect((await alice.get('/resources/RealmMigrationRun/actions/migrateDataIntoRealms')).status).toBe(403);
  });
});

describe('realms', () => {
  it('"Stats" counts what a realm holds, per kind', async () => {
    const bob = await user('bob.user@acme.example');
    const realm = await t.db.realm.findFirstOrThrow({ where: { ownerId: bob.id, isDefault: true } });
    const res = await carol.get(record('Realm', realm.id, 'stats'));
    expectOk(res, 'stats');
    const keys = await t.db.apiKey.count({ where: { realmId: realm.id } });
    expect(res.body.stats.kinds.find((k: { kind: string }) => k.kind === 'API_KEY').count).toBe(keys);
    expect(res.body.stats.total).toBeGreaterThanOrEqual(keys);
    const lexRealm = await t.db.realm.findFirstOrThrow({ where: { organization: { name: 'Lex & Co Solicitors' } } });
    expect((await carol.get(record('Realm', lexRealm.id, 'stats'))).status).toBe(404);
  });
});

describe('realm migration', () => {
  const withoutRealm = async () => {
    let n = 0;
    for (const k of REALM_KINDS) n += (await t.db.$queryRawUnsafe<{ n: number }[]>(`SELECT count(*)::int AS n FROM ${k.table} WHERE realm_id IS NULL`))[0]!.n;
    return n;
  };

  async function waitFor(status: string): Promise<any> {
    for (let i = 0; i < 120; i++) {
      const res = await superadmin.get('/resources/RealmMigrationRun/actions/migrateDataIntoRealms?view=status');
      expectOk(res, 'status');
      const { status: s, job } = res.body;
      if (job?.state === 'failed') throw new Error(`job failed: ${job.error}`);
      if (!s.live && job?.state !== 'running' && s.latest?.status === status) return res.body;
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error(`no ${status} run`);
  }

  it('shows the dry run, runs in the background to completion, and rolls back', async () => {
    const legacy = await withoutRealm();
    expect(legacy).toBeGreaterThan(0);
    const plan = await superadmin.get('/resources/RealmMigrationRun/actions/migrateDataIntoRealms');
    expectOk(plan, 'plan');
    expect(plan.body.plan.totals.rows).toBe(legacy);
    expect(plan.body.plan.owners.some((o: { email: string }) => o.email === 'bob.user@acme.example')).toBe(true);

    const started = await superadmin.post('/resources/RealmMigrationRun/actions/migrateDataIntoRealms', { batchSize: 2 });
    expectOk(started, 'run');
    const done = await waitFor('COMPLETED');
    expect(done.status.latest).toMatchObject({ rowsDone: legacy, rowsTotal: legacy });
    expect(await withoutRealm()).toBe(0);
    expect(done.job).toMatchObject({ kind: 'migrate', state: 'done' });

    const runId = done.status.latest.id;
    const rollback = await superadmin.post(record('RealmMigrationRun', runId, 'rollBack'), { confirm: 'yes' });
    expectOk(rollback, 'rollBack');
    await waitFor('ROLLED_BACK');
    expect(await withoutRealm()).toBe(legacy);
    // A rolled-back run offers no second rollback.
    expectErrorNotice(await superadmin.post(record('RealmMigrationRun', runId, 'rollBack'), { confirm: 'yes' }), /already rolled back/);
  });
});
