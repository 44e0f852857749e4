import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appDatabase, type AppDatabase } from '../support/app-database.js';
import { AdminClient } from '../support/admin-client.js';
import { createWorld, makeRow, realmOf, systemModel, type World } from '../support/admin-fixtures.js';
import { createModel, createUser } from '../support/factories.js';
import { startRunningApp, type RunningApp } from '../support/running-app.js';

/**
 * Requests crafted by hand against the panel's API: fields a role may not write,
 * tenancy keys and owners from elsewhere, role escalation, references outside
 * scope, and what the reference dropdowns (AdminJS's search action) offer.
 */
let t: AppDatabase;
let app: RunningApp;
let w: World;
let superadmin: AdminClient;
let admin: AdminClient;
let user: AdminClient;
let viewer: AdminClient;

beforeAll(async () => {
  t = await appDatabase('admin_permission_rules');
  w = await createWorld(t.db);
  app = await startRunningApp(t);
  [superadmin, admin, user, viewer] = await Promise.all([w.superadmin, w.admin, w.user, w.viewer].map((p) => AdminClient.signIn(app.baseUrl, p.email)));
});
afterAll(async () => {
  await app?.close();
  await t?.drop();
});

const errorsOf = (res: { body: any }) => Object.keys(res.body?.record?.errors ?? {});
const userRow = (id: string) => t.db.user.findUniqueOrThrow({ where: { id } });

describe('role escalation', () => {
  it('an ADMIN cannot create a SUPERADMIN, and nothing is created', async () => {
    const res = await admin.create('User', { username: 'esc1', email: 'esc1@test.example', password: 'a-long-enough-password', role: 'SUPERADMIN' });
    expect(res.outcome).toBe('invalid');
    expect(errorsOf(res)).toContain('role');
    expect(await t.db.user.count({ where: { username: 'esc1' } })).toBe(0);
  });

  it('an ADMIN cannot promote a colleague to SUPERADMIN', async () => {
    const peer = await createUser(t.db, w.orgA, 'USER');
    const res = await admin.editLikeTheForm('User', peer.id, { role: 'SUPERADMIN' });
    expect(res.outcome).toBe('invalid');
    expect((await userRow(peer.id)).role).toBe('USER');
  });

  it('an ADMIN may make a colleague an ADMIN', async () => {
    const peer = await createUser(t.db, w.orgA, 'USER');
    expect((await admin.editLikeTheForm('User', peer.id, { role: 'ADMIN' })).outcome).toBe('ok');
    expect((await userRow(peer.id)).role).toBe('ADMIN');
  });

  it('nobody changes their own role, superadmins included', async () => {
    const a = await admin.editLikeTheForm('User', w.admin.id, { role: 'USER' });
    expect(a.outcome).toBe('invalid');
    expect((await userRow(w.admin.id)).role).toBe('ADMIN');
    const s = await superadmin.edit('User', w.superadmin.id, { role: 'ADMIN' });
    expect(s.outcome).toBe('invalid');
    expect((await userRow(w.superadmin.id)).role).toBe('SUPERADMIN');
  });

  it('a USER cannot change their own role or status, but may change their display name', async () => {
    const res = await user.edit('User', w.user.id, { role: 'ADMIN', status: 'ACTIVE' });
    expect(res.outcome).toBe('invalid');
    expect(errorsOf(res)).toContain('role');
    expect((await userRow(w.user.id)).role).toBe('USER');
    expect((await user.edit('User', w.user.id, { displayName: 'Me myself' })).outcome).toBe('ok');
    expect((await userRow(w.user.id)).displayName).toBe('Me myself');
  });

  it("a superadmin's row is out of an ADMIN's reach: not found", async () => {
    expect((await admin.show('User', w.superadmin.id)).outcome).toBe('not-found');
    expect((await admin.edit('User', w.superadmin.id, { displayName: 'x' })).outcome).toBe('not-found');
    expect((await admin.delete('User', w.superadmin.id)).outcome).toBe('not-found');
    expect(await t.db.user.count({ where: { id: w.superadmin.id } })).toBe(1);
  });

  it('nobody deletes themselves', async () => {
    const res = await admin.delete('User', w.admin.id);
    expect(res.outcome).toMatch(/error|invalid/);
    expect(await t.db.user.count({ where: { id: w.admin.id } })).toBe(1);
  });
});

describe('tenancy keys and owners come from the actor', () => {
  it("an ADMIN's new user in another organization is refused", async () => {
    const res = await admin.create('User', { username: 'other1', email: 'other1@test.example', password: 'a-long-enough-password', organization: w.orgB.id });
    expect(res.outcome).toBe('invalid');
    expect(errorsOf(res)).toContain('organization');
    expect(await t.db.user.count({ where: { username: 'other1' } })).toBe(0);
  });

  it("an ADMIN's new user without an organization lands in the ADMIN's", async () => {
    expect((await admin.create('User', { username: 'mine1', email: 'mine1@test.example', password: 'a-long-enough-password' })).outcome).toBe('ok');
    expect((await t.db.user.findUniqueOrThrow({ where: { username: 'mine1' } })).organizationId).toBe(w.orgA.id);
  });

  it('an update cannot move a record to another organization', async () => {
    const peer = await createUser(t.db, w.orgA, 'USER');
    const res = await admin.editLikeTheForm('User', peer.id, { organization: w.orgB.id });
    expect(res.outcome).toBe('invalid');
    expect((await userRow(peer.id)).organizationId).toBe(w.orgA.id);
    const model = await createModel(t.db, { organizationId: w.orgA.id });
    expect((await admin.editLikeTheForm('AiModel', model.id, { organization: w.orgB.id })).outcome).toBe('invalid');
    expect((await t.db.aiModel.findUniqueOrThrow({ where: { id: model.id } })).organizationId).toBe(w.orgA.id);
  });

  it("a USER's new rows are theirs, whatever the request names", async () => {
    const res = await user.create('Document', { name: 'theirs', mimeType: 'text/plain', user: w.peer.id });
    expect(res.outcome).toBe('invalid');
    expect(errorsOf(res)).toContain('user');
    expect((await user.create('Document', { name: 'mine', mimeType: 'text/plain' })).outcome).toBe('ok');
    const doc = await t.db.document.findFirstOrThrow({ where: { name: 'mine' } });
    expect(doc).toMatchObject({ userId: w.user.id, organizationId: w.orgA.id });
  });

  it('new realm-scoped rows land in the owner\'s default realm when none is given', async () => {
    expect((await user.create('KnowledgeBase', { name: 'kb-default' })).outcome).toBe('ok');
    const kb = await t.db.knowledgeBase.findFirstOrThrow({ where: { name: 'kb-default' }, include: { realm: true } });
    expect(kb.realm).toMatchObject({ ownerId: w.user.id, isDefault: true, organizationId: w.orgA.id });
    // An ADMIN's row without an owner: the organization's designated admin's default realm.
    expect((await admin.create('VectorServer', { name: 'vs-org', type: 'QDRANT', host: 'h', port: '1' })).outcome).toBe('ok');
    const vs = await t.db.vectorServer.findFirstOrThrow({ where: { name: 'vs-org' }, include: { realm: true } });
    expect(vs.realm?.organizationId).toBe(w.orgA.id);
  });

  it("a realm of someone else's is refused", async () => {
    const peersRealm = await realmOf(t.db, w.peer);
    const res = await user.create('Document', { name: 'wrong-realm', mimeType: 'text/plain', realm: peersRealm });
    expect(res.outcome).toBe('invalid');
    expect(errorsOf(res)).toContain('realm');
    expect(await t.db.document.count({ where: { name: 'wrong-realm' } })).toBe(0);
  });
});

describe('fields a role may not write', () => {
  it('a password hash is never taken from a request, for any role', async () => {
    const peer = await createUser(t.db, w.orgA, 'USER');
    const before = (await userRow(peer.id)).passwordHash;
    for (const [client, id] of [[superadmin, peer.id], [admin, peer.id], [user, w.user.id]] as const) {
      const res = await client.edit('User', id, { passwordHash: '$argon2id$v=19$m=65536,t=3,p=4$forged' });
      expect(res.outcome).toBe('invalid');
      expect(errorsOf(res)).toContain('passwordHash');
    }
    expect((await userRow(peer.id)).passwordHash).toBe(before);
    const created = await superadmin.create('User', { username: 'forged', email: 'forged@test.example', password: 'a-long-enough-password', passwordHash: 'forged', organization: w.orgA.id });
    expect(created.outcome).toBe('invalid');
    expect(await t.db.user.count({ where: { username: 'forged' } })).toBe(0);
  });

  it('a key hash is never taken from a request', async () => {
    const keyId = await makeRow(t.db, 'ApiKey', w.user);
    const before = await t.db.apiKey.findUniqueOrThrow({ where: { id: keyId } });
    const res = await user.edit('ApiKey', keyId, { keyHash: 'f'.repeat(64), description: 'x' });
    expect(res.outcome).toBe('invalid');
    expect((await t.db.apiKey.findUniqueOrThrow({ where: { id: keyId } })).keyHash).toBe(before.keyHash);
  });

  it('an ADMIN may not change their organization\'s plan or quotas, only its name and description', async () => {
    const res = await admin.editLikeTheForm('Organization', w.orgA.id, { pricingPlan: 'ENTERPRISE', monthlyTokenQuota: '1' });
    expect(res.outcome).toBe('invalid');
    expect(errorsOf(res)).toEqual(expect.arrayContaining(['pricingPlan', 'monthlyTokenQuota']));
    expect((await t.db.organization.findUniqueOrThrow({ where: { id: w.orgA.id } })).pricingPlan).toBe('STARTER');
    expect((await admin.editLikeTheForm('Organization', w.orgA.id, { description: 'Ours' })).outcome).toBe('ok');
  });

  it('system fields are refused for everyone (failed attempts, last login, key prefix)', async () => {
    const peer = await createUser(t.db, w.orgA, 'USER');
    const res = await superadmin.edit('User', peer.id, { failedLoginAttempts: '0', lastLoginAt: '2020-01-01T00:00:00.000Z' });
    expect(res.outcome).toBe('invalid');
    expect((await userRow(peer.id)).lastLoginAt).toBeNull();
  });

  it('a VIEWER writes nothing at all', async () => {
    const docId = await makeRow(t.db, 'Document', w.viewer);
    expect((await viewer.edit('Document', docId, { name: 'x' })).outcome).toBe('forbidden');
    expect((await viewer.create('Document', { name: 'x', mimeType: 'text/plain' })).outcome).toBe('forbidden');
    expect((await viewer.delete('Document', docId)).outcome).toBe('forbidden');
    expect((await viewer.bulkDelete('Document', [docId])).outcome).toBe('forbidden');
    expect(await t.db.document.count({ where: { id: docId } })).toBe(1);
  });
});

describe('references and dropdowns', () => {
  it('a reference to another organization\'s row is refused', async () => {
    const kbB = await makeRow(t.db, 'KnowledgeBase', w.userB);
    const res = await admin.create('Document', { name: 'cross-ref', mimeType: 'text/plain', knowledgeBase: kbB, user: w.peer.id });
    expect(res.outcome).toBe('invalid');
    expect(errorsOf(res)).toContain('knowledgeBase');
    expect(await t.db.document.count({ where: { name: 'cross-ref' } })).toBe(0);
  });

  it('an ADMIN enables only system models eligible for the organization\'s type and plan', async () => {
    const enterprise = await systemModel(t.db, { requiredPlan: 'ENTERPRISE' });
    const otherType = await systemModel(t.db, { organizationTypes: ['DOCTOR'] });
    const fine = await systemModel(t.db, { organizationTypes: ['MARKETING'], requiredPlan: 'STARTER' });
    expect((await admin.create('OrganizationModelAccess', { model: enterprise })).outcome).toBe('invalid');
    expect((await admin.create('OrganizationModelAccess', { model: otherType })).outcome).toBe('invalid');
    expect((await admin.create('OrganizationModelAccess', { model: fine })).outcome).toBe('ok');
    const search = await admin.search('AiModel');
    const ids = search.body.records.map((r: { id: string }) => r.id);
    expect(ids).toContain(fine);
    expect(ids).not.toContain(enterprise);
    expect(ids).not.toContain(otherType);
  });

  it('a USER sees only the models enabled for them', async () => {
    const enabled = await systemModel(t.db);
    const notEnabled = await systemModel(t.db);
    const disabledForMe = await systemModel(t.db);
    await t.db.organizationModelAccess.createMany({
      data: [
        { organizationId: w.orgA.id, modelId: enabled },
        { organizationId: w.orgA.id, modelId: disabledForMe },
      ],
    });
    await t.db.userModelLimit.create({ data: { organizationId: w.orgA.id, userId: w.user.id, modelId: disabledForMe, isEnabled: false } });
    const ids = (await user.list('AiModel')).body.records.map((r: { id: string }) => r.id);
    expect(ids).toContain(enabled);
    expect(ids).not.toContain(notEnabled);
    expect(ids).not.toContain(disabledForMe);
    expect((await user.show('AiModel', notEnabled)).outcome).toBe('not-found');
  });

  it('search (the reference dropdowns) offers only rows in scope', async () => {
    const bUser = await createUser(t.db, w.orgB, 'USER', { username: `zz_b_${Date.now()}` });
    const adminUsers = (await admin.search('User')).body.records.map((r: { id: string }) => r.id);
    expect(adminUsers).toEqual(expect.arrayContaining([w.admin.id, w.user.id, w.peer.id]));
    expect(adminUsers).not.toContain(bUser.id);
    expect(adminUsers).not.toContain(w.superadmin.id);
    // By title, as the dropdown types: another organization's user is not found by name either.
    expect((await admin.search('User', bUser.username)).body.records).toEqual([]);
    expect((await admin.search('Organization')).body.records.map((r: { id: string }) => r.id)).toEqual([w.orgA.id]);
    await realmOf(t.db, w.user);
    await realmOf(t.db, w.peer);
    const realmOwners = (await user.search('Realm')).body.records.map((r: { params: { owner?: string } }) => r.params.owner);
    expect(new Set(realmOwners)).toEqual(new Set([w.user.id]));
    expect((await user.search('User')).body.records.map((r: { id: string }) => r.id)).toEqual([w.user.id]);
    // Crafted query-string filters only narrow what is in scope.
    expect((await admin.get(`/resources/User/actions/search?filters.organization=${w.orgB.id}`)).body.records).toEqual([]);
  });

  it('a record id from another organization is not found for show, edit, delete and bulk delete, and nothing changes', async () => {
    const docB = await makeRow(t.db, 'Document', w.userB);
    const before = await t.db.document.findUniqueOrThrow({ where: { id: docB } });
    expect((await admin.show('Document', docB)).outcome).toBe('not-found');
    expect((await admin.editForm('Document', docB)).outcome).toBe('not-found');
    expect((await admin.edit('Document', docB, { name: 'hijacked' })).outcome).toBe('not-found');
    expect((await admin.delete('Document', docB)).outcome).toBe('not-found');
    expect((await admin.bulkDelete('Document', [docB])).outcome).toBe('not-found');
    expect(await t.db.document.findUniqueOrThrow({ where: { id: docB } })).toEqual(before);
    // Exactly like an id that does not exist, and like a malformed one.
    const missing = await admin.show('Document', '6f1c1f4e-0000-4000-8000-000000000000');
    const foreign = await admin.show('Document', docB);
    expect(foreign.status).toBe(missing.status);
    expect(foreign.body).toEqual(missing.body);
    expect((await admin.show('Document', 'not-a-uuid')).outcome).toBe('not-found');
  });

  it('cross-site API calls are refused where the browser says so', async () => {
    const res = await admin.raw('/admin/api/resources/Document/actions/list', { headers: { 'sec-fetch-site': 'cross-site' } });
    expect(res.status).toBe(403);
  });
});
