import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decryptSecret } from '../../src/domain/crypto/secret-box.js';
import { appDatabase, type AppDatabase } from '../support/app-database.js';
import { AdminClient, expectNoSecrets } from '../support/admin-client.js';
import { createWorld, makeRow, realmOf, systemModel, type World } from '../support/admin-fixtures.js';
import { startRunningApp, type RunningApp } from '../support/running-app.js';

/**
 * The panel's screens over HTTP: what lists carry, what show pages link to
 * (within the viewer's scope), write-only secrets, the dashboard's numbers and
 * the words the locale gives resources, properties and enum values.
 */
let t: AppDatabase;
let app: RunningApp;
let world: World;
let superadmin: AdminClient;
let admin: AdminClient;
let user: AdminClient;

const s = () => crypto.randomBytes(4).toString('hex');

interface PropertyJSON {
  propertyPath: string;
  type: string;
  reference: string | null;
  components?: { list?: string };
}
interface ResourceJSON {
  id: string;
  listProperties: PropertyJSON[];
  showProperties: PropertyJSON[];
}
interface Section {
  title: string;
  total: number;
  listHref?: string;
  rows: { href: string; cells: string[] }[];
}

/** The state AdminJS renders into the page (resources with their list columns, the locale). */
async function pageState(client: AdminClient): Promise<{ resources: ResourceJSON[]; locale: { translations: any } }> {
  const res = await client.raw('/admin');
  const html = await res.text();
  const json = /window\.REDUX_STATE = (.*?);\s*window\.THEME = /s.exec(html)?.[1];
  expect(json, 'REDUX_STATE in the page').toBeTruthy();
  return JSON.parse(json!);
}

function related(record: { params: Record<string, unknown> }): Section[] {
  return JSON.parse(String(record.params.related ?? '[]')) as Section[];
}

const section = (sections: Section[], title: string) => sections.find((x) => x.title === title);

beforeAll(async () => {
  t = await appDatabase('admin_screens');
  world = await createWorld(t.db);
  await t.db.organization.update({ where: { id: world.orgA.id }, data: { monthlyTokenQuota: 2_500_000n, type: 'REAL_ESTATE', pricingPlan: 'PRO' } });
  app = await startRunningApp(t);
  superadmin = await AdminClient.signIn(app.baseUrl, world.superadmin.email);
  admin = await AdminClient.signIn(app.baseUrl, world.admin.email);
  user = await AdminClient.signIn(app.baseUrl, world.user.email);
});
afterAll(async () => {
  await app?.close();
  await t?.drop();
});

describe('lists', () => {
  it('show names, never raw ids: no id column, and every *Id column is a reference or a link by title', async () => {
    const { resources } = await pageState(superadmin);
    expect(resources.length).toBeGreaterThan(20);
    for (const r of resources) {
      const columns = r.listProperties.map((p) => p.propertyPath);
      expect(columns, `${r.id} list`).not.toContain('id');
      expect(columns.length, `${r.id} list columns`).toBeGreaterThanOrEqual(3);
      for (const p of r.listProperties) {
        if (!/Ids?$/.test(p.propertyPath)) continue;
        expect(p.type === 'reference' || !!p.components?.list, `${r.id}.${p.propertyPath} shows a raw id`).toBe(true);
      }
      // The id on the show page only (a session's id is its secret: that screen shows none).
      if (r.id !== 'Session') expect(r.showProperties.map((p) => p.propertyPath), `${r.id} show`).toContain(r.id === 'LoginThrottle' ? 'ip' : 'id');
    }
    const org = resources.find((r) => r.id === 'Organization')!;
    expect(org.listProperties.map((p) => p.propertyPath)).toEqual(['name', 'type', 'pricingPlan', 'isActive', 'monthlyTokenQuota', 'createdAt']);
    const model = resources.find((r) => r.id === 'AiModel')!;
    expect(model.listProperties.map((p) => p.propertyPath)).toEqual(['name', 'provider', 'requiredPlan', 'organizationTypes', 'offer', 'isActive']);
  });

  it('carry the values of the chosen columns (Organization)', async () => {
    const res = await superadmin.list('Organization');
    expect(res.outcome).toBe('ok');
    const a = res.body.records.find((r: any) => r.id === world.orgA.id);
    expect(a.params).toMatchObject({ type: 'REAL_ESTATE', pricingPlan: 'PRO', isActive: true, monthlyTokenQuota: '2500000' });
    expect(a.params.name).toMatch(/^Org A /);
    expectNoSecrets(res.body, []);
  });

  it('AI models list their offer and, for the audit log, link the record by its title', async () => {
    const modelId = await systemModel(t.db, { name: `Trial model ${s()}`, isTrial: true, trialDays: 14 });
    const models = await superadmin.list('AiModel');
    expect(models.body.records.find((r: any) => r.id === modelId).params.offer).toBe('Trial · 14 days');

    await t.db.auditLog.create({ data: { action: 'update', resource: 'Organization', recordId: world.orgA.id, organizationId: world.orgA.id } });
    await t.db.auditLog.create({ data: { action: 'update', resource: 'Organization', recordId: world.orgB.id, organizationId: world.orgA.id } });
    const audit = await admin.list('AuditLog');
    expect(audit.outcome).toBe('ok');
    const rows = audit.body.records as { params: Record<string, string> }[];
    const mine = rows.find((r) => r.params.recordId === world.orgA.id)!;
    expect(JSON.parse(mine.params.recordIdLink!)).toEqual({ href: `/admin/resources/Organization/records/${world.orgA.id}/show`, title: expect.stringMatching(/^Org A /) });
    // Another organization's record is neither linked nor named (its name is not the viewer's to see), nor shown as a bare id.
    const other = rows.find((r) => r.params.recordId === world.orgB.id)!;
    expect(JSON.parse(other.params.recordIdLink!)).toEqual({ title: 'Organization (not available)' });
  });

  it("the audit log names users, API keys, realms, model access and limits as their rules say, read in the viewer's scope", async () => {
    const keyId = await makeRow(t.db, 'ApiKey', world.user);
    const key = await t.db.apiKey.findUniqueOrThrow({ where: { id: keyId }, select: { name: true, prefix: true } });
    const realmId = await realmOf(t.db, world.user);
    const realm = await t.db.realm.findUniqueOrThrow({ where: { id: realmId }, select: { name: true } });
    const modelName = `Named model ${s()}`;
    const modelId = await systemModel(t.db, { name: modelName });
    const access = await t.db.organizationModelAccess.create({ data: { organizationId: world.orgA.id, modelId } });
    const limit = await t.db.userModelLimit.create({ data: { organizationId: world.orgA.id, userId: world.user.id, modelId, tokenLimit: 100 } });
    const orgName = (await t.db.organization.findUniqueOrThrow({ where: { id: world.orgA.id }, select: { name: true } })).name;
    const audited = { User: [world.user.id, world.userB.id], ApiKey: [keyId], Realm: [realmId], OrganizationModelAccess: [access.id], UserModelLimit: [limit.id] };
    for (const [resource, ids] of Object.entries(audited)) {
      for (const recordId of ids) await t.db.auditLog.create({ data: { action: 'update', resource, recordId, organizationId: world.orgA.id } });
    }
    const audit = await admin.list('AuditLog');
    expect(audit.outcome).toBe('ok');
    const link = (recordId: string) => JSON.parse((audit.body.records as { params: Record<string, string> }[]).find((r) => r.params.recordId === recordId)!.params.recordIdLink!);
    expect(link(world.user.id)).toEqual({ href: `/admin/resources/User/records/${world.user.id}/show`, title: world.user.email });
    expect(link(world.userB.id)).toEqual({ title: 'User (not available)' });
    expect(link(keyId).title).toBe(`${key.name} · ${key.prefix}`);
    // Most realms are called "Default": a realm is named with its owner.
    expect(link(realmId).title).toBe(`${realm.name} · ${world.user.email}`);
    expect(link(access.id).title).toBe(`${orgName} / ${modelName}`);
    expect(link(limit.id).title).toBe(`${world.user.email} / ${modelName}`);
    expectNoSecrets(audit.body, []);
  });
});

describe('show pages link related records', () => {
  it("an organization lists its users, realms and model access, each linking to the record's show page", async () => {
    const realmId = await realmOf(t.db, world.admin);
    const modelName = `Model ${s()}`;
    const modelId = await systemModel(t.db, { name: modelName });
    await t.db.organizationModelAccess.create({ data: { organizationId: world.orgA.id, modelId } });

    const res = await superadmin.show('Organization', world.orgA.id);
    expect(res.outcome).toBe('ok');
    const sections = related(res.body.record);
    const users = section(sections, 'Users')!;
    expect(users.rows.map((r) => r.cells[0]).sort()).toEqual([world.admin.email, world.user.email, world.viewer.email, world.peer.email].sort());
    expect(users.rows.map((r) => r.cells[0])).not.toContain(world.userB.email);
    expect(users.rows.find((r) => r.cells[0] === world.admin.email)!.href).toBe(`/admin/resources/User/records/${world.admin.id}/show`);
    expect(users.listHref).toBe(`/admin/resources/User?filters.organization=${world.orgA.id}`);
    expect(section(sections, 'Realms')!.rows.map((r) => r.href)).toContain(`/admin/resources/Realm/records/${realmId}/show`);
    expect(section(sections, 'Model access')!.rows.map((r) => r.cells[0])).toContain(modelName);
    expectNoSecrets(res.body, []);
  });

  it("lists only rows within the viewer's scope (a USER sees themselves among the organization's users)", async () => {
    const res = await user.show('Organization', world.orgA.id);
    expect(res.outcome).toBe('ok');
    const users = section(related(res.body.record), 'Users')!;
    expect(users.rows.map((r) => r.cells[0])).toEqual([world.user.email]);
    expect(users.total).toBe(1);
    // No right to read model access: no such section at all.
    expect(section(related(res.body.record), 'Model access')).toBeUndefined();
  });

  it('a realm lists its API keys and documents', async () => {
    const realmId = await realmOf(t.db, world.user);
    const keyName = `Key ${s()}`;
    const docName = `Doc ${s()}.pdf`;
    const key = await t.db.apiKey.create({ data: { organizationId: world.orgA.id, userId: world.user.id, realmId, name: keyName, prefix: `rg_${s()}`, keyHash: crypto.randomBytes(32).toString('hex') } });
    await t.db.document.create({ data: { organizationId: world.orgA.id, userId: world.user.id, realmId, name: docName, mimeType: 'application/pdf', sizeBytes: 2048n } });

    const res = await admin.show('Realm', realmId);
    expect(res.outcome).toBe('ok');
    const sections = related(res.body.record);
    const keys = section(sections, 'API keys')!;
    expect(keys.rows).toEqual([expect.objectContaining({ href: `/admin/resources/ApiKey/records/${key.id}/show`, cells: expect.arrayContaining([keyName, world.user.email]) })]);
    expect(section(sections, 'Documents')!.rows[0]!.cells).toEqual(expect.arrayContaining([docName, '2.0 KB']));
    expectNoSecrets(res.body, [key.keyHash]);
  });
});

describe('write-only secrets', () => {
  it('an AI model provider key is stored encrypted, never returned, kept when the form is saved without it, and removable', async () => {
    const modelId = await systemModel(t.db, { name: `Keyed ${s()}` });
    const plain = `sk-live-${crypto.randomBytes(12).toString('hex')}`;

    const saved = await superadmin.edit('AiModel', modelId, { providerApiKey: plain });
    expect(saved.outcome).toBe('ok');
    const stored = (await t.db.aiModel.findUniqueOrThrow({ where: { id: modelId } })).providerApiKeyEncrypted!;
    expect(stored).not.toContain(plain);
    expect(stored.startsWith('v1.')).toBe(true);
    expect(decryptSecret(app.config.ENCRYPTION_KEY, stored)).toBe(plain);
    expectNoSecrets(saved.body, [plain, stored], 'edit response');

    const show = await superadmin.show('AiModel', modelId);
    expect(show.body.record.params.providerApiKeyStatus).toBe('set');
    expect(show.body.record.params).not.toHaveProperty('providerApiKey');
    expectNoSecrets(show.body, [plain, stored], 'show');
    const form = await superadmin.editForm('AiModel', modelId);
    expect(form.body.record.params.providerApiKeyStatus).toBe('set');
    expectNoSecrets(form.body, [plain, stored], 'edit form');
    const list = await superadmin.list('AiModel');
    expectNoSecrets(list.body, [plain, stored], 'list');

    // Saving the form with the secret box left empty keeps the stored key.
    const again = await superadmin.editLikeTheForm('AiModel', modelId, { description: 'changed', providerApiKey: '' });
    expect(again.outcome).toBe('ok');
    expect((await t.db.aiModel.findUniqueOrThrow({ where: { id: modelId } })).providerApiKeyEncrypted).toBe(stored);

    const cleared = await superadmin.edit('AiModel', modelId, { providerApiKeyClear: 'true' });
    expect(cleared.outcome).toBe('ok');
    expect((await t.db.aiModel.findUniqueOrThrow({ where: { id: modelId } })).providerApiKeyEncrypted).toBeNull();
    expect((await superadmin.show('AiModel', modelId)).body.record.params.providerApiKeyStatus).toBe('not set');
  });

  it('a vector server password is encrypted on its own; the API key stays unset', async () => {
    const realmId = await realmOf(t.db, world.admin);
    const server = await t.db.vectorServer.create({ data: { organizationId: world.orgA.id, userId: world.admin.id, realmId, name: `VS ${s()}`, type: 'QDRANT', host: 'localhost', port: 6333 } });
    const plain = `pw-${crypto.randomBytes(8).toString('hex')}`;
    const saved = await superadmin.edit('VectorServer', server.id, { password: plain });
    expect(saved.outcome).toBe('ok');
    const row = await t.db.vectorServer.findUniqueOrThrow({ where: { id: server.id } });
    expect(decryptSecret(app.config.ENCRYPTION_KEY, row.passwordEncrypted!)).toBe(plain);
    expect(row.apiKeyEncrypted).toBeNull();
    const show = await superadmin.show('VectorServer', server.id);
    expect(show.body.record.params).toMatchObject({ passwordStatus: 'set', apiKeyStatus: 'not set' });
    expectNoSecrets(show.body, [plain, row.passwordEncrypted!], 'show');
  });
});

describe('dashboard', () => {
  it("counts what the viewer may see and sums this month's tokens of their scope", async () => {
    const now = new Date();
    // The dashboard reads daily rollups (kept with the ledger by the hot path), never the ledger.
    const today = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
    await t.db.usageDailyRollup.createMany({
      data: [
        { organizationId: world.orgA.id, userId: world.user.id, totalTokens: 1200, requests: 1, day: today },
        { organizationId: world.orgA.id, userId: world.peer.id, totalTokens: 34, requests: 1, day: today },
        { organizationId: world.orgB.id, userId: world.userB.id, totalTokens: 900_000, requests: 1, day: today },
        // Last month's usage is not this month's.
        { organizationId: world.orgA.id, userId: world.user.id, totalTokens: 777, requests: 1, day: new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1) - 86_400_000) },
      ],
    });
    // And the coarse rollups the same batch write keeps (migration 0019), which the org-wide cards read.
    await t.db.$queryRaw`SELECT rg_refresh_usage_coarse_rollups(current_date - 40, current_date)`;
    const card = (body: any, label: string) => body.cards.find((c: any) => c.label === label)?.value;

    const forAdmin = (await admin.get('/dashboard')).body;
    expect(forAdmin.scope).toMatch(/^Org A /);
    expect(card(forAdmin, 'Active organizations')).toBeUndefined();
    expect(card(forAdmin, 'Active users')).toBe('4');
    expect(card(forAdmin, 'Tokens this month')).toBe('1,234');

    const forUser = (await user.get('/dashboard')).body;
    expect(card(forUser, 'Tokens this month')).toBe('1,200');

    const forSuperadmin = (await superadmin.get('/dashboard')).body;
    expect(forSuperadmin.scope).toBe('All organizations');
    expect(Number(card(forSuperadmin, 'Active organizations'))).toBeGreaterThanOrEqual(2);
    expect(card(forSuperadmin, 'Tokens this month')).toBe('901,234');
  });
});

describe('words', () => {
  it('names resources, properties and enum values for people', async () => {
    const { locale } = await pageState(admin);
    const en = locale.translations.en;
    expect(en.labels).toMatchObject({ Organization: 'Organizations', AiModel: 'AI models', ApiKey: 'API keys', UsageEvent: 'Usage ledger', AuditLog: 'Audit log' });
    expect(en.properties).toMatchObject({ pricingPlan: 'Pricing plan', monthlyTokenQuota: 'Monthly token quota' });
    expect(en.resources.Organization.labels.type.REAL_ESTATE).toBe('Real estate');
    expect(en.resources.Organization.labels.pricingPlan.PRO).toBe('Pro');
    expect(en.resources.User.labels.role.ADMIN).toBe('Org admin');
  });
});
