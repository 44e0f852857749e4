import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appDatabase, type AppDatabase } from '../support/app-database.js';
import { AdminClient } from '../support/admin-client.js';
import { createWorld, type World } from '../support/admin-fixtures.js';
import { createOrg, createUser } from '../support/factories.js';
import { startRunningApp, type RunningApp } from '../support/running-app.js';

/**
 * Issue #10: what the matrix forbids is not offered (read-only fields), and
 * deleting a record others refer to says which records; an organization with
 * nothing in it can be deleted.
 */
let t: AppDatabase;
let app: RunningApp;
let w: World;
let superadmin: AdminClient;
let admin: AdminClient;
let user: AdminClient;

beforeAll(async () => {
  t = await appDatabase('admin_forms_offer');
  w = await createWorld(t.db);
  app = await startRunningApp(t);
  [superadmin, admin, user] = await Promise.all([w.superadmin, w.admin, w.user].map((p) => AdminClient.signIn(app.baseUrl, p.email)));
});
afterAll(async () => {
  await app?.close();
  await t?.drop();
});

interface Prop { propertyPath: string; isDisabled: boolean }
async function editProps(client: AdminClient, resource: string): Promise<Record<string, boolean>> {
  const html = await (await client.raw('/admin')).text();
  const state = JSON.parse(/window\.REDUX_STATE = (.*?);\s*window\.THEME = /s.exec(html)![1]!);
  const r = state.resources.find((x: { id: string }) => x.id === resource);
  return Object.fromEntries((r.editProperties as Prop[]).map((p) => [p.propertyPath, p.isDisabled]));
}

describe('read-only fields', () => {
  it("a USER's own profile: display name editable, email, username, role and status read-only", async () => {
    const props = await editProps(user, 'User');
    expect(props.displayName).toBe(false);
    for (const f of ['email', 'username', 'role', 'status']) if (f in props) expect(props[f], f).toBe(true);
    expect('email' in props).toBe(true);
  });

  it('an org ADMIN: organization name editable, plan and quotas read-only; a superadmin may change them', async () => {
    const mine = await editProps(admin, 'Organization');
    expect(mine.name).toBe(false);
    expect(mine.pricingPlan).toBe(true);
    expect(mine.monthlyTokenQuota).toBe(true);
    const staff = await editProps(superadmin, 'Organization');
    expect(staff.pricingPlan).toBe(false);
  });
});

describe('deleting what others refer to', () => {
  it('names the records that belong to an organization and suggests deactivating it', async () => {
    const org = await createOrg(t.db, { name: 'Busy org' });
    for (let i = 0; i < 3; i++) {
      const u = await createUser(t.db, org, 'USER');
      if (i === 0) for (let r = 0; r < 4; r++) await t.db.realm.create({ data: { organizationId: org.id, ownerId: u.id, name: `R${r}` } });
    }
    const res = await superadmin.delete('Organization', org.id);
    expect(res.body?.notice?.type).toBe('error');
    expect(res.body.notice.message).toBe('3 users and 4 realms belong to this organization; deactivate it instead');
    expect(await t.db.organization.count({ where: { id: org.id } })).toBe(1);
  });

  it('an organization with nothing in it (created in the panel, so audited) can be deleted', async () => {
    const created = await superadmin.create('Organization', { name: 'Empty org', type: 'GENERAL', pricingPlan: 'FREE', isActive: true });
    expect(created.outcome).toBe('ok');
    const org = await t.db.organization.findFirstOrThrow({ where: { name: 'Empty org' } });
    const res = await superadmin.delete('Organization', org.id);
    expect(res.body?.notice?.type, res.body?.notice?.message).toBe('success');
    expect(await t.db.organization.count({ where: { id: org.id } })).toBe(0);
  });
});

describe('list columns', () => {
  async function state(client: AdminClient) {
    const html = await (await client.raw('/admin')).text();
    return JSON.parse(/window\.REDUX_STATE = (.*?);\s*window\.THEME = /s.exec(html)![1]!);
  }

  it('ingestion jobs show the document once; session columns use the words used elsewhere', async () => {
    const s = await state(superadmin);
    const jobs = s.resources.find((r: { id: string }) => r.id === 'IngestionJob');
    const paths = (jobs.listProperties as { propertyPath: string }[]).map((p) => p.propertyPath);
    expect(paths).toContain('document');
    expect(paths).not.toContain('documentName');
    const session = s.locale.translations.en.resources.Session.properties;
    expect([session.userEmail, session.organizationName]).toEqual(['User', 'Organization']);
  });
});
