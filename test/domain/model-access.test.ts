import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { grantModelToOrganizations } from '../../src/domain/model-access/grant-model-to-organizations.js';
import { listManageableModels } from '../../src/domain/model-access/list-manageable-models.js';
import { setModelAccess } from '../../src/domain/model-access/set-model-access.js';
import { AppError } from '../../src/domain/shared/app-error.js';
import type { Actor } from '../../src/domain/shared/actor.js';
import { appDatabase, type AppDatabase } from '../support/app-database.js';
import { actorFor, createModel, createOrg, createUser } from '../support/factories.js';

let t: AppDatabase;
const org: Record<'mkt' | 'mktFree' | 'edu' | 'law', { id: string }> = {} as never;
const model: Record<'blog' | 'legal' | 'basic' | 'tutor' | 'retired' | 'mktOwn' | 'lawOwn', { id: string }> = {} as never;
let superadmin: Actor;
let adminMkt: Actor;
let viewerMkt: Actor;
let userMkt: Actor;
let adminMktFree: Actor;
let adminEdu: Actor;

beforeAll(async () => {
  t = await appDatabase('model_access');
  org.mkt = await createOrg(t.db, { type: 'MARKETING', pricingPlan: 'PRO' });
  org.mktFree = await createOrg(t.db, { type: 'MARKETING', pricingPlan: 'FREE' });
  org.edu = await createOrg(t.db, { type: 'EDUCATION', pricingPlan: 'FREE' });
  org.law = await createOrg(t.db, { type: 'SOLICITOR', pricingPlan: 'ENTERPRISE' });
  // seed 001's sample models, in miniature
  model.blog = await createModel(t.db, { name: 'Blog Content Writer Pro', organizationTypes: ['MARKETING', 'SOFTWARE', 'RETAIL', 'CONSULTING'], requiredPlan: 'PRO', tokenLimitPeriod: 'MONTHLY', tokenLimitAmount: 50_000, sortOrder: 1 });
  model.legal = await createModel(t.db, { name: 'Legal Document Analyst', organizationTypes: ['SOLICITOR', 'FINANCE', 'IMMIGRATION'], requiredPlan: 'ENTERPRISE', sortOrder: 2 });
  model.basic = await createModel(t.db, { name: 'Basic Assistant', isFree: true, sortOrder: 5 });
  model.tutor = await createModel(t.db, { name: 'Education Tutor (Trial)', organizationTypes: ['EDUCATION'], isTrial: true, trialDays: 30, sortOrder: 6 });
  model.retired = await createModel(t.db, { name: 'Retired', isActive: false, sortOrder: 7 });
  model.mktOwn = await createModel(t.db, { name: 'Our house style', organizationId: org.mkt.id, sortOrder: 8 });
  model.lawOwn = await createModel(t.db, { name: 'Chambers model', organizationId: org.law.id, sortOrder: 9 });
  superadmin = await actorFor(t.db, await createUser(t.db, null, 'SUPERADMIN'));
  adminMkt = await actorFor(t.db, await createUser(t.db, org.mkt, 'ADMIN'));
  viewerMkt = await actorFor(t.db, await createUser(t.db, org.mkt, 'VIEWER'));
  userMkt = await actorFor(t.db, await createUser(t.db, org.mkt, 'USER'));
  adminMktFree = await actorFor(t.db, await createUser(t.db, org.mktFree, 'ADMIN'));
  adminEdu = await actorFor(t.db, await createUser(t.db, org.edu, 'ADMIN'));
});
afterAll(async () => t?.drop());

const code = (p: Promise<unknown>) => p.then(() => 'OK', (e) => (e instanceof AppError ? e.code : String(e)));
const failure = (p: Promise<unknown>) => p.then(() => null, (e: AppError) => e);
const names = async (actor: Actor, organizationId: string, now?: Date) => (await listManageableModels(t.app, actor, { organizationId, now })).map((m) => m.name);

describe('listManageableModels', () => {
  it("offers the models eligible for the organization's type and plan, plus its own, with current access", async () => {
    expect(await names(adminMkt, org.mkt.id)).toEqual(['Blog Content Writer Pro', 'Basic Assistant', 'Our house style']);
    expect(await names(adminMktFree, org.mktFree.id)).toEqual(['Basic Assistant']);
    expect(await names(adminEdu, org.edu.id)).toEqual(['Basic Assistant', 'Education Tutor (Trial)']);
    expect(await names(superadmin, org.law.id)).toEqual(['Legal Document Analyst', 'Basic Assistant', 'Chambers model']);
    await setModelAccess(t.app, adminMkt, { organizationId: org.mkt.id, modelId: model.blog.id, isEnabledForUsers: true, tokenLimitPerUser: 1000 });
    const blog = (await listManageableModels(t.app, viewerMkt, { organizationId: org.mkt.id })).find((m) => m.id === model.blog.id)!;
    expect(blog).toMatchObject({ eligible: true, custom: false, access: { isEnabledForUsers: true, tokenLimitPerUser: 1000 } });
    expect(blog).not.toHaveProperty('providerApiKeyEncrypted');
  });

  it('shows platform staff models an organization still has but may no longer enable, with the reason', async () => {
    await t.db.organizationModelAccess.create({ data: { organizationId: org.mktFree.id, modelId: model.blog.id, firstEnabledAt: new Date() } }); // enabled before a downgrade
    const list = await listManageableModels(t.app, superadmin, { organizationId: org.mktFree.id });
    expect(list.find((m) => m.id === model.blog.id)).toMatchObject({ eligible: false, ineligibleReason: 'PLAN_TOO_LOW', message: expect.stringMatching(/needs the PRO plan.*FREE/) });
    expect(await names(adminMktFree, org.mktFree.id)).toEqual(['Basic Assistant']);
  });

  it('answers NOT_FOUND for other organizations and for roles without access to model settings', async () => {
    expect(await code(listManageableModels(t.app, adminMkt, { organizationId: org.edu.id }))).toBe('NOT_FOUND');
    expect(await code(listManageableModels(t.app, userMkt, { organizationId: org.mkt.id }))).toBe('NOT_FOUND');
    expect(await code(listManageableModels(t.app, adminMkt, { organizationId: 'x' }))).toBe('INVALID');
  });
});

describe('setModelAccess', () => {
  it('enables with a per-user limit, sets firstEnabledAt once and never moves it', async () => {
    const t1 = new Date('2025-01-10T15:00:00Z');
    const a = await setModelAccess(t.app, adminMkt, { organizationId: org.mkt.id, modelId: model.basic.id, isEnabledForUsers: true, tokenLimitPerUser: 500, now: t1 });
    expect(a).toMatchObject({ isEnabledForUsers: true, tokenLimitPerUser: 500, firstEnabledAt: t1 });
    const b = await setModelAccess(t.app, adminMkt, { organizationId: org.mkt.id, modelId: model.basic.id, isEnabledForUsers: false, now: new Date('2025-02-01T00:00:00Z') });
    expect(b).toMatchObject({ isEnabledForUsers: false, tokenLimitPerUser: 500, firstEnabledAt: t1 });
    const c = await setModelAccess(t.app, superadmin, { organizationId: org.mkt.id, modelId: model.basic.id, isEnabledForUsers: true, tokenLimitPerUser: null, now: new Date('2025-03-01T00:00:00Z') });
    expect(c).toMatchObject({ isEnabledForUsers: true, tokenLimitPerUser: null, firstEnabledAt: t1 });
    const audits = await t.db.auditLog.findMany({ where: { recordId: a.id, action: 'model-access.set' } });
    expect(audits).toHaveLength(3);
  });

  it('refuses to enable an ineligible model, saying why; disabling is always allowed', async () => {
    const wrongType = await failure(setModelAccess(t.app, adminMkt, { organizationId: org.mkt.id, modelId: model.legal.id, isEnabledForUsers: true }));
    expect(wrongType).toMatchObject({ code: 'INVALID', details: { reason: 'WRONG_TYPE' }, message: expect.stringMatching(/not offered to MARKETING organizations/) });
    const lowPlan = await failure(setModelAccess(t.app, superadmin, { organizationId: org.mktFree.id, modelId: model.blog.id, isEnabledForUsers: true }));
    expect(lowPlan).toMatchObject({ code: 'INVALID', details: { reason: 'PLAN_TOO_LOW' }, message: expect.stringMatching(/needs the PRO plan/) });
    const inactive = await failure(setModelAccess(t.app, adminMkt, { organizationId: org.mkt.id, modelId: model.retired.id, isEnabledForUsers: true }));
    expect(inactive).toMatchObject({ code: 'INVALID', details: { reason: 'INACTIVE' } });
    expect(await code(setModelAccess(t.app, superadmin, { organizationId: org.mktFree.id, modelId: model.blog.id, isEnabledForUsers: false }))).toBe('OK');
  });

  it('counts a trial in days from the day it was first enabled; re-enabling does not restart it', async () => {
    const day1 = new Date('2025-01-10T15:00:00Z');
    await setModelAccess(t.app, adminEdu, { organizationId: org.edu.id, modelId: model.tutor.id, isEnabledForUsers: true, now: day1 });
    await setModelAccess(t.app, adminEdu, { organizationId: org.edu.id, modelId: model.tutor.id, isEnabledForUsers: false, now: new Date('2025-01-20T00:00:00Z') });
    const lastDay = new Date('2025-02-08T23:59:59Z');
    const over = new Date('2025-02-09T00:00:00Z');
    const tutor = async (now: Date) => (await listManageableModels(t.app, adminEdu, { organizationId: org.edu.id, now })).find((m) => m.id === model.tutor.id)!;
    expect(await tutor(lastDay)).toMatchObject({ eligible: true, trialEndsAt: over });
    expect(await code(setModelAccess(t.app, adminEdu, { organizationId: org.edu.id, modelId: model.tutor.id, isEnabledForUsers: true, now: lastDay }))).toBe('OK');
    expect(await tutor(over)).toMatchObject({ eligible: false, ineligibleReason: 'TRIAL_OVER' });
    const e = await failure(setModelAccess(t.app, adminEdu, { organizationId: org.edu.id, modelId: model.tutor.id, isEnabledForUsers: true, now: over }));
    expect(e).toMatchObject({ code: 'INVALID', details: { reason: 'TRIAL_OVER' }, message: expect.stringMatching(/30-day trial .* ended on 2025-02-09/) });
    const row = await t.db.organizationModelAccess.findFirstOrThrow({ where: { organizationId: org.edu.id, modelId: model.tutor.id } });
    expect(row.firstEnabledAt).toEqual(day1);
  });

  it('concurrent first enables agree on one firstEnabledAt', async () => {
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) => setModelAccess(t.app, i % 2 ? superadmin : adminMkt, { organizationId: org.mkt.id, modelId: model.mktOwn.id, isEnabledForUsers: true, now: new Date(Date.UTC(2025, 4, 1 + i)) })),
    );
    const firsts = new Set(results.map((r) => r.firstEnabledAt?.toISOString()));
    expect(firsts.size).toBe(1);
    expect(await t.db.organizationModelAccess.count({ where: { organizationId: org.mkt.id, modelId: model.mktOwn.id } })).toBe(1);
  });

  it('keeps tenants apart and read-only roles out', async () => {
    expect(await code(setModelAccess(t.app, adminMkt, { organizationId: org.edu.id, modelId: model.basic.id, isEnabledForUsers: true }))).toBe('NOT_FOUND');
    expect(await code(setModelAccess(t.app, adminMkt, { organizationId: org.mkt.id, modelId: model.lawOwn.id, isEnabledForUsers: true }))).toBe('NOT_FOUND');
    expect(await code(setModelAccess(t.app, viewerMkt, { organizationId: org.mkt.id, modelId: model.basic.id, isEnabledForUsers: true }))).toBe('NOT_FOUND');
    expect(await code(setModelAccess(t.app, userMkt, { organizationId: org.mkt.id, modelId: model.basic.id, isEnabledForUsers: true }))).toBe('NOT_FOUND');
    expect(await code(setModelAccess(t.app, adminMkt, { organizationId: org.mkt.id, modelId: model.basic.id, isEnabledForUsers: true, tokenLimitPerUser: -1 }))).toBe('INVALID');
  });
});

describe('grantModelToOrganizations', () => {
  it('grants a system model to many organizations at once, audited per organization', async () => {
    const model2 = await createModel(t.db, { name: 'Summarizer', sortOrder: 10 });
    const ids = [org.mkt.id, org.edu.id, org.law.id];
    const r = await grantModelToOrganizations(t.app, superadmin, { modelId: model2.id, organizationIds: ids, enabled: true });
    expect(r.changed.sort()).toEqual([...ids].sort());
    expect(await t.db.organizationModelAccess.count({ where: { modelId: model2.id, isEnabledForUsers: true, firstEnabledAt: { not: null } } })).toBe(3);
    expect(await t.db.auditLog.count({ where: { action: 'model-access.grant', organizationId: { in: ids } } })).toBe(3);
    // again: nothing to do
    expect((await grantModelToOrganizations(t.app, superadmin, { modelId: model2.id, organizationIds: ids, enabled: true })).unchanged.sort()).toEqual([...ids].sort());
    // withdraw from two, keeping the trial start
    const w = await grantModelToOrganizations(t.app, superadmin, { modelId: model2.id, organizationIds: [org.mkt.id, org.edu.id, org.mktFree.id], enabled: false });
    expect(w.changed.sort()).toEqual([org.mkt.id, org.edu.id].sort());
    expect(w.unchanged).toEqual([org.mktFree.id]);
    expect(await t.db.organizationModelAccess.count({ where: { modelId: model2.id, isEnabledForUsers: false, firstEnabledAt: { not: null } } })).toBe(2);
  });

  it('is all-or-nothing and names every ineligible organization', async () => {
    const e = await failure(grantModelToOrganizations(t.app, superadmin, { modelId: model.blog.id, organizationIds: [org.mkt.id, org.law.id, org.mktFree.id], enabled: true }));
    expect(e?.code).toBe('INVALID');
    const ineligible = (e?.details?.ineligible as { organizationId: string; reason: string }[]).map((i) => [i.organizationId, i.reason]).sort();
    expect(ineligible).toEqual([[org.law.id, 'WRONG_TYPE'], [org.mktFree.id, 'PLAN_TOO_LOW']].sort());
    expect(await t.db.organizationModelAccess.count({ where: { modelId: model.blog.id, organizationId: org.law.id } })).toBe(0);
  });

  it("refuses an organization's own model, other tenants' organizations, and read-only roles", async () => {
    expect(await code(grantModelToOrganizations(t.app, superadmin, { modelId: model.mktOwn.id, organizationIds: [org.edu.id], enabled: true }))).toBe('INVALID');
    expect(await code(grantModelToOrganizations(t.app, adminMkt, { modelId: model.basic.id, organizationIds: [org.mkt.id, org.edu.id], enabled: true }))).toBe('NOT_FOUND');
    expect(await code(grantModelToOrganizations(t.app, viewerMkt, { modelId: model.basic.id, organizationIds: [org.mkt.id], enabled: false }))).toBe('NOT_FOUND');
    expect(await t.db.organizationModelAccess.count({ where: { modelId: model.basic.id, organizationId: org.edu.id } })).toBe(0);
  });
});
