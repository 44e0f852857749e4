import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRealm } from '../../src/domain/realms/create-realm.js';
import { deleteRealm } from '../../src/domain/realms/delete-realm.js';
import { ensureRealmForNewRow } from '../../src/domain/realms/ensure-realm-for-new-row.js';
import { realmStats } from '../../src/domain/realms/realm-stats.js';
import { updateRealm } from '../../src/domain/realms/update-realm.js';
import { inActorTransaction } from '../../src/domain/shared/actor-transaction.js';
import type { Actor } from '../../src/domain/shared/actor.js';
import { AppError } from '../../src/domain/shared/app-error.js';
import { appDatabase, type AppDatabase } from '../support/app-database.js';
import { actorFor, createOrg, createUser } from '../support/factories.js';

let t: AppDatabase;
let orgA: { id: string };
let orgB: { id: string };
let adminA: Actor;
let userA: Actor;
let userAId: string;
let viewerA: Actor;
let userB: Actor;
let oldestAdminId: string;
const code = async (p: Promise<unknown>) => p.then(() => 'OK', (e) => (e instanceof AppError ? e.code : String(e)));
const details = async (p: Promise<unknown>) => p.then(() => null, (e) => (e instanceof AppError ? { code: e.code, details: e.details } : e));
const realmFor = (actor: Actor, input: Parameters<typeof ensureRealmForNewRow>[2]) => inActorTransaction(t.app, actor, (tx) => ensureRealmForNewRow(tx, actor, input));

beforeAll(async () => {
  t = await appDatabase('realm_rules');
  orgA = await createOrg(t.db);
  orgB = await createOrg(t.db);
  const oldest = await createUser(t.db, orgA, 'ADMIN');
  oldestAdminId = oldest.id;
  adminA = await actorFor(t.db, await createUser(t.db, orgA, 'ADMIN'));
  const u = await createUser(t.db, orgA, 'USER');
  userAId = u.id;
  userA = await actorFor(t.db, u);
  viewerA = await actorFor(t.db, await createUser(t.db, orgA, 'VIEWER'));
  userB = await actorFor(t.db, await createUser(t.db, orgB, 'USER'));
});
afterAll(async () => t?.drop());

describe('realm rules', () => {
  it('names are unique per owner among realms; other owners may reuse a name', async () => {
    const r = await createRealm(t.app, userA, { name: 'Research', description: 'papers' });
    expect(r).toMatchObject({ ownerId: userAId, organizationId: orgA.id, isDefault: false, isActive: true });
    expect(await code(createRealm(t.app, userA, { name: 'Research' }))).toBe('CONFLICT');
    expect(await code(createRealm(t.app, adminA, { name: 'Research', ownerId: userAId }))).toBe('CONFLICT');
    expect(await code(createRealm(t.app, userB, { name: 'Research' }))).toBe('OK');
    const [x, y] = await Promise.all([code(createRealm(t.app, userA, { name: 'Race' })), code(createRealm(t.app, userA, { name: 'Race' }))]);
    expect([x, y].sort()).toEqual(['CONFLICT', 'OK']);
    expect(await t.db.auditLog.count({ where: { action: 'realm.create', recordId: r.id } })).toBe(1);
  });

  it('scopes who may create, update and read realms', async () => {
    expect(await code(createRealm(t.app, adminA, { name: 'For user', ownerId: userAId }))).toBe('OK');
    expect(await code(createRealm(t.app, userB, { name: 'Not mine', ownerId: userAId }))).toBe('NOT_FOUND');
    expect(await code(createRealm(t.app, userA, { name: 'Not mine', ownerId: (adminA as { userId: string }).userId }))).toBe('NOT_FOUND');
    expect(await code(createRealm(t.app, viewerA, { name: 'Viewer' }))).toBe('NOT_FOUND');
    const r = await t.db.realm.findFirstOrThrow({ where: { ownerId: userAId, name: 'Research' } });
    expect(await code(updateRealm(t.app, userB, { realmId: r.id, name: 'Stolen' }))).toBe('NOT_FOUND');
    expect(await code(realmStats(t.app, userB, { realmId: r.id }))).toBe('NOT_FOUND');
    expect(await code(deleteRealm(t.app, viewerA, { realmId: r.id }))).toBe('NOT_FOUND');
    expect(await code(createRealm(t.app, userA, { name: '' }))).toBe('INVALID');
  });

  it('renames within the uniqueness rule', async () => {
    const r = await t.db.realm.findFirstOrThrow({ where: { ownerId: userAId, name: 'Research' } });
    expect(await code(updateRealm(t.app, userA, { realmId: r.id, name: 'For user' }))).toBe('CONFLICT');
    expect(await updateRealm(t.app, userA, { realmId: r.id, name: 'Papers', description: null })).toMatchObject({ name: 'Papers', description: null });
    expect(await updateRealm(t.app, adminA, { realmId: r.id, name: 'Papers' })).toMatchObject({ name: 'Papers' });
  });

  it('never deletes the default realm or a realm holding data; deletion is soft', async () => {
    const def = await realmFor(userA, { ownerId: userAId });
    expect(def.isDefault).toBe(true);
    expect(await code(deleteRealm(t.app, userA, { realmId: def.id }))).toBe('CONFLICT');

    const full = await createRealm(t.app, userA, { name: 'Full' });
    await t.db.document.create({ data: { organizationId: orgA.id, userId: userAId, realmId: full.id, name: 'a.pdf', mimeType: 'application/pdf' } });
    await t.db.chatSession.create({ data: { organizationId: orgA.id, userId: userAId, realmId: full.id, title: 'hi' } });
    expect(await details(deleteRealm(t.app, userA, { realmId: full.id }))).toMatchObject({ code: 'CONFLICT', details: { counts: { DOCUMENT: 1, CHAT_SESSION: 1, API_KEY: 0 } } });
    expect(await realmStats(t.app, userA, { realmId: full.id })).toMatchObject({ total: 2, counts: { DOCUMENT: 1, CHAT_SESSION: 1, KNOWLEDGE_BASE: 0 } });

    const empty = await createRealm(t.app, userA, { name: 'Empty' });
    expect(await deleteRealm(t.app, userA, { realmId: empty.id })).toMatchObject({ isActive: false });
    expect(await t.db.realm.findUniqueOrThrow({ where: { id: empty.id } })).toMatchObject({ isActive: false, name: 'Empty' });
    expect(await code(deleteRealm(t.app, userA, { realmId: empty.id }))).toBe('NOT_FOUND');
    expect(await code(updateRealm(t.app, userA, { realmId: empty.id, name: 'Back' }))).toBe('NOT_FOUND');
    // A deleted realm frees its name; a second active realm of that name does not fit.
    const reused = await createRealm(t.app, userA, { name: 'Empty' });
    expect(reused).toMatchObject({ name: 'Empty', isActive: true });
    expect(await code(createRealm(t.app, userA, { name: 'Empty' }))).toBe('CONFLICT');
    expect(await t.db.auditLog.count({ where: { action: 'realm.delete', recordId: empty.id } })).toBe(1);
  });

  it("puts new rows in the owner's default realm, or a given active realm of theirs", async () => {
    const def = await realmFor(userA, { ownerId: userAId });
    expect(await realmFor(adminA, { ownerId: userAId })).toMatchObject({ id: def.id });
    const [a, b] = await Promise.all([realmFor(userB, { ownerId: (userB as { userId: string }).userId }), realmFor(userB, { ownerId: (userB as { userId: string }).userId })]);
    expect(a.id).toBe(b.id);

    const mine = await t.db.realm.findFirstOrThrow({ where: { ownerId: userAId, name: 'Papers' } });
    expect(await realmFor(userA, { ownerId: userAId, realmId: mine.id })).toMatchObject({ id: mine.id });
    const othersRealm = await createRealm(t.app, adminA, { name: 'Admin only' });
    expect(await code(realmFor(adminA, { ownerId: userAId, realmId: othersRealm.id }))).toBe('NOT_FOUND');
    expect(await code(realmFor(userB, { ownerId: userAId }))).toBe('NOT_FOUND');
    const deleted = await t.db.realm.findFirstOrThrow({ where: { ownerId: userAId, name: 'Empty' } });
    expect(await code(realmFor(userA, { ownerId: userAId, realmId: deleted.id }))).toBe('NOT_FOUND');

    // A row without an owning user lands in the default realm of the organization's oldest admin.
    expect(await realmFor(adminA, { organizationId: orgA.id })).toMatchObject({ ownerId: oldestAdminId, isDefault: true });
    expect(await code(realmFor(adminA, { organizationId: orgB.id }))).toBe('NOT_FOUND');
    expect(await code(realmFor(userB, { organizationId: orgB.id }))).toBe('CONFLICT'); // orgB has no admin
  });
});
