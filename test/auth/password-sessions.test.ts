import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setTemporaryPassword } from '../../src/domain/users/set-temporary-password.js';
import { hashPassword } from '../../src/domain/auth/password.js';
import { signIn } from '../../src/domain/auth/sign-in.js';
import { AdminClient } from '../support/admin-client.js';
import { appDatabase, type AppDatabase } from '../support/app-database.js';
import { actorFor, createOrg, createUser, TEST_PASSWORD } from '../support/factories.js';
import { Browserless, sidOf, startRunningApp, type RunningApp } from '../support/running-app.js';

/**
 * Issue #7, sessions and passwords: a new password ends every other session of
 * its user whichever path set it; the session that changed its own password
 * stays signed in; the generic edit form changes no password.
 */
let t: AppDatabase;
let app: RunningApp;
let org: { id: string };

const form = (fields: Record<string, string>) => ({
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams(fields).toString(),
});

async function signedInTwice(email: string, password = TEST_PASSWORD): Promise<[Browserless, Browserless]> {
  const a = new Browserless(app.baseUrl);
  const b = new Browserless(app.baseUrl);
  expect((await a.signIn(email, password)).status).toBe(302);
  expect((await b.signIn(email, password)).status).toBe(302);
  expect(await a.signedIn()).toBe(true);
  expect(await b.signedIn()).toBe(true);
  return [a, b];
}

const sessionsOf = async (userId: string) => (await t.db.session.findMany({ where: { userId } })).length;

beforeAll(async () => {
  t = await appDatabase('password_sessions');
  org = await createOrg(t.db);
  app = await startRunningApp(t);
});
afterAll(async () => {
  await app?.close();
  await t?.drop();
});

describe('a password change ends the other sessions of its user', () => {
  it('the change-password form: the changing session stays signed in (under a new id), the other one ends', async () => {
    const u = await createUser(t.db, org, 'VIEWER');
    const [mine, other] = await signedInTwice(u.email);
    const before = sidOf(mine.cookie);
    const res = await mine.request('/admin/change-password', form({ currentPassword: TEST_PASSWORD, newPassword: 'my-own-new-password', confirmPassword: 'my-own-new-password' }));
    expect(res.status).toBe(302);
    expect(await mine.signedIn()).toBe(true);
    expect(sidOf(mine.cookie)).not.toBe(before);
    expect(await other.signedIn()).toBe(false);
    expect(await sessionsOf(u.id)).toBe(1);
    // The new password works, the old one not.
    expect((await new Browserless(app.baseUrl).signIn(u.email, 'my-own-new-password')).status).toBe(302);
    expect((await new Browserless(app.baseUrl).signIn(u.email, TEST_PASSWORD)).status).toBe(401);
  });

  it('a wrong current password changes nothing and ends nothing', async () => {
    const u = await createUser(t.db, org, 'USER');
    const [mine, other] = await signedInTwice(u.email);
    const hash = (await t.db.user.findUniqueOrThrow({ where: { id: u.id } })).passwordHash;
    const res = await mine.request('/admin/change-password', form({ currentPassword: 'not-my-password', newPassword: 'my-own-new-password', confirmPassword: 'my-own-new-password' }));
    expect(res.status).toBe(400);
    expect((await t.db.user.findUniqueOrThrow({ where: { id: u.id } })).passwordHash).toBe(hash);
    expect(await mine.signedIn()).toBe(true);
    expect(await other.signedIn()).toBe(true);
  });

  it('an admin setting a temporary password ends every session of the user', async () => {
    const admin = await createUser(t.db, org, 'ADMIN');
    const u = await createUser(t.db, org, 'USER');
    const [a, b] = await signedInTwice(u.email);
    await setTemporaryPassword(t.app, await actorFor(t.db, admin), { userId: u.id });
    expect(await a.signedIn()).toBe(false);
    expect(await b.signedIn()).toBe(false);
    expect(await sessionsOf(u.id)).toBe(0);
  });

  it('any other path (a script, the CLI, a DBA): the database ends the sessions itself', async () => {
    const u = await createUser(t.db, org, 'USER');
    const [a, b] = await signedInTwice(u.email);
    await t.db.user.update({ where: { id: u.id }, data: { passwordHash: await hashPassword('set-by-a-script-1') } });
    expect(await sessionsOf(u.id)).toBe(0);
    expect(await a.signedIn()).toBe(false);
    expect(await b.signedIn()).toBe(false);
    // Other users' sessions are untouched.
    const bystander = await createUser(t.db, org, 'USER');
    const [c] = await signedInTwice(bystander.email);
    await t.db.user.update({ where: { id: u.id }, data: { passwordHash: await hashPassword('set-by-a-script-2') } });
    expect(await c.signedIn()).toBe(true);
  });

  it('a transparent rehash at sign-in (same password) ends no session', async () => {
    const u = await createUser(t.db, org, 'USER');
    const [a] = await signedInTwice(u.email);
    // A hash with weaker parameters than today's, so sign-in rehashes it.
    const argon2 = await import('argon2');
    await t.db.session.findMany({ where: { userId: u.id } });
    const weak = await argon2.hash(TEST_PASSWORD, { type: argon2.argon2id, memoryCost: 8192, timeCost: 2, parallelism: 1 });
    // Writing the weak hash is itself a password change: sign in again afterwards.
    await t.db.user.update({ where: { id: u.id }, data: { passwordHash: weak } });
    expect(await a.signedIn()).toBe(false);
    const [c, d] = await signedInTwice(u.email);
    const r = await signIn(t.system, { email: u.email, password: TEST_PASSWORD, ip: '198.51.100.7' });
    expect(r.ok).toBe(true);
    expect((await t.db.user.findUniqueOrThrow({ where: { id: u.id } })).passwordHash).not.toBe(weak);
    expect(await c.signedIn()).toBe(true);
    expect(await d.signedIn()).toBe(true);
  });
});

describe('the generic user edit form is not a way to change a password', () => {
  it('refuses a password on edit, for oneself and for an admin editing someone else; nothing changes, no session ends', async () => {
    const admin = await createUser(t.db, org, 'ADMIN');
    const u = await createUser(t.db, org, 'USER');
    const [other] = await signedInTwice(u.email);
    const hashes = async () => (await t.db.user.findMany({ where: { id: { in: [admin.id, u.id] } }, orderBy: { id: 'asc' } })).map((x) => x.passwordHash);
    const before = await hashes();

    const self = await AdminClient.signIn(app.baseUrl, u.email);
    const own = await self.editLikeTheForm('User', u.id, { password: 'a-new-password-without-the-old' });
    expect(own.outcome).not.toBe('ok');
    const byAdmin = await AdminClient.signIn(app.baseUrl, admin.email);
    const res = await byAdmin.editLikeTheForm('User', u.id, { password: 'an-admin-chosen-password', displayName: 'Renamed' });
    expect(res.outcome).toBe('invalid');
    expect(JSON.stringify(res.body)).toMatch(/Temporary password/);
    expect(await hashes()).toEqual(before);
    expect((await t.db.user.findUniqueOrThrow({ where: { id: u.id } })).displayName).not.toBe('Renamed');
    expect(await other.signedIn()).toBe(true);
    // Other edits still work, and a new user still gets a first password.
    expect((await byAdmin.editLikeTheForm('User', u.id, { displayName: 'Renamed' })).outcome).toBe('ok');
    expect((await byAdmin.create('User', { username: 'firstpw', email: 'firstpw@test.example', password: 'a-first-password-ok' })).outcome).toBe('ok');
  });
});
