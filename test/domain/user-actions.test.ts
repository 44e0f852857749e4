import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { authenticateApiKey } from '../../src/domain/api-keys/authenticate-api-key.js';
import { issueApiKey } from '../../src/domain/api-keys/issue-api-key.js';
import { verifyPassword } from '../../src/domain/auth/password.js';
import { AppError } from '../../src/domain/shared/app-error.js';
import type { Actor } from '../../src/domain/shared/actor.js';
import { disableUser } from '../../src/domain/users/disable-user.js';
import { endUserSessions } from '../../src/domain/users/end-user-sessions.js';
import { lockUser } from '../../src/domain/users/lock-user.js';
import { setTemporaryPassword } from '../../src/domain/users/set-temporary-password.js';
import { unlockUser } from '../../src/domain/users/unlock-user.js';
import { appDatabase, type AppDatabase } from '../support/app-database.js';
import { actorFor, createOrg, createUser } from '../support/factories.js';

type U = { id: string; organizationId: string | null; role: 'SUPERADMIN' | 'ADMIN' | 'USER' | 'VIEWER'; email: string };
let t: AppDatabase;
let u: Record<'superadmin' | 'adminA' | 'admin2A' | 'userA' | 'viewerA' | 'userB', U>;
let as: Record<keyof typeof u, Actor>;

beforeAll(async () => {
  t = await appDatabase('user_actions');
  const orgA = await createOrg(t.db);
  const orgB = await createOrg(t.db);
  u = {
    superadmin: await createUser(t.db, null, 'SUPERADMIN'),
    adminA: await createUser(t.db, orgA, 'ADMIN'),
    admin2A: await createUser(t.db, orgA, 'ADMIN'),
    userA: await createUser(t.db, orgA, 'USER'),
    viewerA: await createUser(t.db, orgA, 'VIEWER'),
    userB: await createUser(t.db, orgB, 'USER'),
  };
  as = Object.fromEntries(await Promise.all(Object.entries(u).map(async ([k, v]) => [k, await actorFor(t.db, v)]))) as typeof as;
});
afterAll(async () => t?.drop());

// Every user starts each test active with two sessions (connect-pg-simple rows).
beforeEach(async () => {
  await t.db.$executeRawUnsafe('DELETE FROM session');
  await t.db.user.updateMany({ data: { status: 'ACTIVE', lockedUntil: null, failedLoginAttempts: 0, mustChangePassword: false } });
  for (const x of Object.values(u)) {
    for (const n of [1, 2]) {
      await t.db.$executeRawUnsafe(`INSERT INTO session (sid, sess, expire) VALUES ($1, $2::json, now() + interval '1 day')`, `${x.id}-${n}`, JSON.stringify({ cookie: {}, adminUser: { id: x.id, organizationId: x.organizationId } }));
    }
  }
});

const code = (p: Promise<unknown>) => p.then(() => 'OK', (e) => (e instanceof AppError ? e.code : String(e)));
const sessionsOf = async (userId: string) => (await t.db.$queryRawUnsafe<{ n: number }[]>('SELECT count(*)::int AS n FROM session WHERE user_id = $1', userId))[0]!.n;
const status = async (id: string) => t.db.user.findUniqueOrThrow({ where: { id } });

describe('lockUser', () => {
  it("locks, ends the user's sessions (only theirs) in the same transaction, and is audited", async () => {
    const until = new Date(Date.now() + 3_600_000);
    const r = await lockUser(t.app, as.adminA, { userId: u.userA.id, lockedUntil: until }, { ip: '203.0.113.5' });
    expect(r.sessionsEnded).toBe(2);
    expect(r.user).not.toHaveProperty('passwordHash');
    expect(await status(u.userA.id)).toMatchObject({ status: 'LOCKED', lockedUntil: until });
    expect(await sessionsOf(u.userA.id)).toBe(0);
    expect(await sessionsOf(u.admin2A.id)).toBe(2);
    const audit = await t.db.auditLog.findFirstOrThrow({ where: { recordId: u.userA.id, action: 'user.lock' } });
    expect(audit.changes).toMatchObject({ before: { status: 'ACTIVE' }, after: { status: 'LOCKED', sessionsEnded: 2 } });
  });

  it("stops the user's API keys at once", async () => {
    const pepper = 'pepper-for-user-actions-0123456789abcdef';
    const { secret } = await issueApiKey(t.app, as.userA, { name: 'k' }, { pepper });
    await authenticateApiKey(t.app, secret, { pepper });
    await lockUser(t.app, as.admin2A, { userId: u.userA.id });
    expect(await code(authenticateApiKey(t.app, secret, { pepper }))).toBe('UNAUTHENTICATED');
  });

  it('refuses self-locks, other tenants, superadmins for admins, and roles that may not change status', async () => {
    expect(await code(lockUser(t.app, as.adminA, { userId: u.adminA.id }))).toBe('FORBIDDEN');
    expect(await code(lockUser(t.app, as.superadmin, { userId: u.superadmin.id }))).toBe('FORBIDDEN');
    expect(await code(lockUser(t.app, as.userA, { userId: u.userA.id }))).toBe('FORBIDDEN');
    expect(await code(lockUser(t.app, as.adminA, { userId: u.superadmin.id }))).toBe('NOT_FOUND');
    expect(await code(lockUser(t.app, as.adminA, { userId: u.userB.id }))).toBe('NOT_FOUND');
    expect(await code(lockUser(t.app, as.viewerA, { userId: u.userA.id }))).toBe('NOT_FOUND');
    expect(await code(lockUser(t.app, as.userA, { userId: u.viewerA.id }))).toBe('NOT_FOUND');
    expect(await code(lockUser(t.app, as.adminA, { userId: u.userA.id, lockedUntil: new Date(Date.now() - 1000) }))).toBe('INVALID');
    for (const x of Object.values(u)) expect((await status(x.id)).status).toBe('ACTIVE');
    expect(await code(lockUser(t.app, as.superadmin, { userId: u.admin2A.id }))).toBe('OK');
  });
});

describe('unlockUser', () => {
  it('clears status, failed attempts and lockedUntil; a disabled user stays disabled', async () => {
    await t.db.user.update({ where: { id: u.userA.id }, data: { status: 'LOCKED', failedLoginAttempts: 7, lockedUntil: new Date(Date.now() + 60_000) } });
    const r = await unlockUser(t.app, as.adminA, { userId: u.userA.id });
    expect(r).toMatchObject({ status: 'ACTIVE', failedLoginAttempts: 0, lockedUntil: null });
    await t.db.user.update({ where: { id: u.userA.id }, data: { status: 'INACTIVE' } });
    expect(await code(unlockUser(t.app, as.adminA, { userId: u.userA.id }))).toBe('CONFLICT');
    expect(await code(unlockUser(t.app, as.adminA, { userId: u.userB.id }))).toBe('NOT_FOUND');
    expect(await code(unlockUser(t.app, as.viewerA, { userId: u.userA.id }))).toBe('NOT_FOUND');
    expect(await t.db.auditLog.count({ where: { recordId: u.userA.id, action: 'user.unlock' } })).toBe(1);
  });
});

describe('disableUser', () => {
  it('disables and ends sessions together; nobody disables themselves', async () => {
    const r = await disableUser(t.app, as.superadmin, { userId: u.userB.id });
    expect([r.user.status, r.sessionsEnded, await sessionsOf(u.userB.id)]).toEqual(['INACTIVE', 2, 0]);
    expect(await code(disableUser(t.app, as.admin2A, { userId: u.admin2A.id }))).toBe('FORBIDDEN');
    expect(await code(disableUser(t.app, as.adminA, { userId: u.userB.id }))).toBe('NOT_FOUND');
  });
});

describe('setTemporaryPassword', () => {
  it('returns a generated password once, stores only its hash, forces a change, and ends sessions', async () => {
    const r = await setTemporaryPassword(t.app, as.adminA, { userId: u.userA.id });
    expect(r.password).toMatch(/^[A-Za-z2-9]{5}(-[A-Za-z2-9]{5}){3}$/);
    expect(r.sessionsEnded).toBe(2);
    const row = await status(u.userA.id);
    expect(row.mustChangePassword).toBe(true);
    expect(await verifyPassword(row.passwordHash, r.password)).toBe(true);
    const found = await t.db.$queryRawUnsafe<{ n: number }[]>(`SELECT (SELECT count(*) FROM users x WHERE x::text LIKE $1) + (SELECT count(*) FROM audit_logs a WHERE a::text LIKE $1)::int AS n`, `%${r.password}%`);
    expect(Number(found[0]!.n)).toBe(0);
    expect(await t.db.auditLog.count({ where: { recordId: u.userA.id, action: 'user.temporary-password' } })).toBe(1);
    const other = await setTemporaryPassword(t.app, as.superadmin, { userId: u.userA.id });
    expect(other.password).not.toBe(r.password);
  });

  it('refuses self, other tenants and read-only roles', async () => {
    expect(await code(setTemporaryPassword(t.app, as.adminA, { userId: u.adminA.id }))).toBe('FORBIDDEN');
    expect(await code(setTemporaryPassword(t.app, as.userA, { userId: u.userA.id }))).toBe('FORBIDDEN');
    expect(await code(setTemporaryPassword(t.app, as.adminA, { userId: u.userB.id }))).toBe('NOT_FOUND');
    expect(await code(setTemporaryPassword(t.app, as.adminA, { userId: u.superadmin.id }))).toBe('NOT_FOUND');
    expect(await code(setTemporaryPassword(t.app, as.viewerA, { userId: u.userA.id }))).toBe('NOT_FOUND');
    expect((await status(u.userA.id)).mustChangePassword).toBe(false);
  });
});

describe('endUserSessions', () => {
  it("lets admins end their users' sessions and anyone end their own", async () => {
    expect(await endUserSessions(t.app, as.adminA, { userId: u.userA.id })).toEqual({ sessionsEnded: 2 });
    expect(await sessionsOf(u.userA.id)).toBe(0);
    expect(await endUserSessions(t.app, as.viewerA, { userId: u.viewerA.id }).catch((e) => e.code)).toBe('NOT_FOUND'); // a VIEWER only reads sessions
    expect(await endUserSessions(t.app, as.admin2A, { userId: u.admin2A.id })).toEqual({ sessionsEnded: 2 });
    expect(await endUserSessions(t.app, as.superadmin, { userId: u.userB.id })).toEqual({ sessionsEnded: 2 });
  });

  it('answers NOT_FOUND outside scope and changes nothing', async () => {
    expect(await code(endUserSessions(t.app, as.userA, { userId: u.adminA.id }))).toBe('NOT_FOUND');
    expect(await code(endUserSessions(t.app, as.adminA, { userId: u.userB.id }))).toBe('NOT_FOUND');
    expect(await code(endUserSessions(t.app, as.adminA, { userId: u.superadmin.id }))).toBe('NOT_FOUND');
    expect(await code(endUserSessions(t.app, as.viewerA, { userId: u.userA.id }))).toBe('NOT_FOUND');
    expect(await t.db.$queryRawUnsafe<{ n: number }[]>('SELECT count(*)::int AS n FROM session').then((r) => r[0]!.n)).toBe(12);
  });
});
