import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appDatabase, type AppDatabase } from '../support/app-database.js';
import { AdminClient } from '../support/admin-client.js';
import { createWorld, systemModel, type World } from '../support/admin-fixtures.js';
import { startRunningApp, type RunningApp } from '../support/running-app.js';
import { organizationCreateSchema } from '../../src/domain/organizations/organization-schema.js';
import { validateResourceData } from '../../src/domain/access/resource-schemas.js';
import { fieldErrorsOf } from '../../src/domain/shared/field-errors.js';

/**
 * Forms that refuse bad input (issue #10): every panel create and edit goes
 * through the resource's zod schema (src/domain/<area>/<resource>-schema.ts);
 * errors land on the field, in words, and the form keeps what was typed.
 */
let t: AppDatabase;
let app: RunningApp;
let w: World;
let superadmin: AdminClient;
let admin: AdminClient;

beforeAll(async () => {
  t = await appDatabase('admin_form_validation');
  w = await createWorld(t.db);
  app = await startRunningApp(t);
  [superadmin, admin] = await Promise.all([w.superadmin, w.admin].map((p) => AdminClient.signIn(app.baseUrl, p.email)));
});
afterAll(async () => {
  await app?.close();
  await t?.drop();
});

const errorsOf = (res: { body: any }): Record<string, string> =>
  Object.fromEntries(Object.entries(res.body?.record?.errors ?? {}).map(([k, v]) => [k, String((v as { message: string }).message)]));

describe('organizations', () => {
  it('a negative monthly token quota is refused on the field, in words, and nothing changes', async () => {
    const res = await superadmin.editLikeTheForm('Organization', w.orgA.id, { monthlyTokenQuota: '-100' });
    expect(res.outcome).toBe('invalid');
    expect(errorsOf(res)).toEqual({ monthlyTokenQuota: 'Must be 0 or more' });
    // The form keeps what was typed.
    expect(res.body.record.params.monthlyTokenQuota).toBe('-100');
    expect((await t.db.organization.findUniqueOrThrow({ where: { id: w.orgA.id } })).monthlyTokenQuota).toBeNull();
  });

  it('a new organization without type and plan is refused, naming both fields', async () => {
    const res = await superadmin.create('Organization', { name: 'No type org', isActive: true });
    expect(res.outcome).toBe('invalid');
    const errors = errorsOf(res);
    expect(errors).toEqual({ type: 'Required', pricingPlan: 'Required' });
    expect(res.body.record.params.name).toBe('No type org');
    expect(await t.db.organization.count({ where: { name: 'No type org' } })).toBe(0);
  });

  it('a new organization with "Active" unticked is created inactive', async () => {
    const res = await superadmin.create('Organization', { name: 'Unticked org', type: 'RETAIL', pricingPlan: 'PRO' });
    expect(res.outcome).toBe('ok');
    const org = await t.db.organization.findFirstOrThrow({ where: { name: 'Unticked org' } });
    expect(org.isActive).toBe(false);
    expect([org.type, org.pricingPlan]).toEqual(['RETAIL', 'PRO']);
  });
});

describe('users and other resources', () => {
  it('an email that is no address is refused on the field', async () => {
    const res = await admin.editLikeTheForm('User', w.user.id, { email: 'not-an-email' });
    expect(res.outcome).toBe('invalid');
    expect(errorsOf(res)).toEqual({ email: 'Enter a valid email address, like name@example.com' });
    expect((await t.db.user.findUniqueOrThrow({ where: { id: w.user.id } })).email).toBe(w.user.email);
  });

  it('a new user with a bad email is refused and not created', async () => {
    const res = await admin.create('User', { username: 'bademail', email: 'not-an-email', password: 'a-long-enough-password' });
    expect(errorsOf(res).email).toMatch(/valid email/);
    expect(await t.db.user.count({ where: { username: 'bademail' } })).toBe(0);
  });

  it('a negative token limit per user is refused in words on its field', async () => {
    const model = await systemModel(t.db);
    const res = await admin.create('OrganizationModelAccess', { model, tokenLimitPerUser: '-5' });
    expect(errorsOf(res)).toEqual({ tokenLimitPerUser: 'Must be 0 or more' });
  });

  it('a vector server port out of range, an AI model task list without names', async () => {
    const vs = await admin.create('VectorServer', { name: 'bad port', type: 'QDRANT', host: 'h', port: '70000' });
    expect(errorsOf(vs)).toEqual({ port: 'Must be at most 65,535' });
    const model = await superadmin.create('AiModel', { name: 'm', provider: 'p', providerModelId: 'x', role: 'r', tasks: JSON.stringify([{ prompt: 'hi' }]) });
    expect(errorsOf(model)).toEqual({ tasks: 'Item 1, name: Required' });
  });
});

describe('the schemas the API shares', () => {
  it('parse JSON bodies: BigInt as digits, no defaults filled in', () => {
    const parsed = organizationCreateSchema.parse({ name: ' Acme ', type: 'RETAIL', pricingPlan: 'FREE', monthlyTokenQuota: '1000' });
    expect(parsed).toEqual({ name: 'Acme', type: 'RETAIL', pricingPlan: 'FREE', monthlyTokenQuota: 1000n, description: undefined });
    expect('isActive' in parsed).toBe(false);
  });

  it('report every bad field by column', () => {
    let caught: unknown;
    try {
      validateResourceData('Organization', 'create', { name: '', type: 'NOPE', pricingPlan: 'GOLD', documentQuota: -1 });
    } catch (e) {
      caught = e;
    }
    expect(fieldErrorsOf(caught)).toEqual({ name: 'Required', type: expect.stringMatching(/^Choose one of: General, Marketing/), pricingPlan: 'Choose one of: Free, Starter, Pro, Enterprise', documentQuota: 'Must be 0 or more' });
  });
});
