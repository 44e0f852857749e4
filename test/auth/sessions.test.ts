import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PrismaClient } from '@prisma/client';
import { appDatabase, type AppDatabase } from '../support/app-database.js';
import { createOrg, createUser, TEST_PASSWORD } from '../support/factories.js';
import { Browserless, sidOf, startRunningApp, type RunningApp } from '../support/running-app.js';
import { statementsSentBy } from '../support/sent-statements.js';

/**
 * Sessions end to end over HTTP against the real app: cookie flags, a fresh id
 * at sign-in, sign-out, idle and absolute timeouts, survival across a restart,
 * users who are disabled, locked or deleted losing every session at once, role
 * changes taking effect on the next request, and the Active sessions screen.
 */
let t: AppDatabase;
let owner: PrismaClient;
let app: RunningApp;
const apps: RunningApp[] = [];
let orgA: { id: string };
let orgB: { id: string };

async function start(env: Record<string, string> = {}): Promise<RunningApp> {
  const a = await startRunningApp(t, { SESSION_IDLE_MINUTES: '30', SESSION_ABSOLUTE_HOURS: '12', ...env });
  apps.push(a);
  return a;
}

beforeAll(async () => {
  t = await appDatabase('sessions');
  owner = t.db;
  app = await start();
  [orgA, orgB] = await Promise.all([createOrg(owner, { name: 'Org A' }), createOrg(owner, { name: 'Org B' })]);
});
afterAll(async () => {
  for (const a of apps) await a.close();
  await t?.drop();
});

const sessionRow = (sid: string) => owner.session.findUnique({ where: { sid } });
const sessionsOf = (userId: string) => owner.session.findMany({ where: { userId } });

async function signedInAs(user: { email: string }, a: RunningApp = app): Promise<Browserless> {
  const b = new Browserless(a.baseUrl, { 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36' });
  const res = await b.signIn(user.email, TEST_PASSWORD);
  expect(res.status, 'sign-in').toBe(302);
  expect(res.headers.get('location')).toBe('/admin');
  return b;
}

describe('session cookie', () => {
  it('is HttpOnly, SameSite=Lax, path / (the REST API accepts it too), expires with the idle timeout, and not Secure over plain HTTP', async () => {
    const u = await createUser(owner, orgA, 'USER');
    const b = new Browserless(app.baseUrl);
    const res = await b.signIn(u.email, TEST_PASSWORD);
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith('realmgate.sid='))!;
    expect(cookie).toMatch(/; HttpOnly/i);
    expect(cookie).toMatch(/; SameSite=Lax/i);
    // Path / on purpose: signed-in staff use /api/v1 with the same cookie (unsafe methods need a same-origin request).
    expect(cookie).toMatch(/; Path=\/;/i);
    expect(cookie).not.toMatch(/; Secure/i);
    const expires = new Date(/Expires=([^;]+)/i.exec(cookie)![1]!).getTime();
    expect(Math.abs(expires - (Date.now() + 30 * 60_000))).toBeLessThan(60_000);
  });

  it('is Secure behind a TLS proxy with TRUST_PROXY=true, and a client cannot claim HTTPS without it', async () => {
    const u = await createUser(owner, orgA, 'USER');
    const proxied = await start({ TRUST_PROXY: 'true' });
    // The browser's page is on https:// behind the proxy, so that is the Origin it sends.
    const httpsOrigin = proxied.baseUrl.replace(/^http:/, 'https:');
    const viaProxy = new Browserless(proxied.baseUrl, { 'x-forwarded-proto': 'https', origin: httpsOrigin });
    const res = await viaProxy.signIn(u.email, TEST_PASSWORD);
    expect(res.headers.getSetCookie().find((c) => c.startsWith('realmgate.sid='))).toMatch(/; Secure/i);
    // The session records the client's address as the proxy reports it.
    const forwarded = new Browserless(proxied.baseUrl, { 'x-forwarded-proto': 'https', 'x-forwarded-for': '198.51.100.7', origin: httpsOrigin });
    await forwarded.signIn(u.email, TEST_PASSWORD);
    expect((await sessionRow(sidOf(forwarded.cookie)))?.ip).toBe('198.51.100.7');

    const direct = new Browserless(app.baseUrl, { 'x-forwarded-proto': 'https' });
    const res2 = await direct.signIn(u.email, TEST_PASSWORD);
    expect(res2.headers.getSetCookie().find((c) => c.startsWith('realmgate.sid='))).not.toMatch(/; Secure/i);
  });
});

describe('sign-in and sign-out', () => {
  it('answers a failed sign-in with the generic message and no session', async () => {
    const u = await createUser(owner, orgA, 'USER');
    const b = new Browserless(app.baseUrl);
    const res = await b.request('/admin/login', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ email: u.email, password: 'wrong password' }).toString(),
    });
    expect(res.status).toBe(401);
    expect(await res.text()).toContain('Invalid email or password');
    expect(b.cookie).toBe('');
  });

  it('gives a fresh session id at sign-in: a planted (or earlier) session never becomes the signed-in one', async () => {
    const attacker = await createUser(owner, orgA, 'USER');
    const victim = await createUser(owner, orgA, 'ADMIN');
    const b = await signedInAs(attacker);
    const planted = b.cookie;
    expect(await sessionRow(sidOf(planted))).not.toBeNull();
    // The victim signs in in a browser that carries the attacker's cookie.
    await b.signIn(victim.email, TEST_PASSWORD);
    expect(b.cookie).not.toBe('');
    expect(sidOf(b.cookie)).not.toBe(sidOf(planted));
    expect(await sessionRow(sidOf(planted)), 'the old session is gone').toBeNull();
    const mine = await sessionRow(sidOf(b.cookie));
    expect(mine?.userId).toBe(victim.id);
    // The attacker's copy of the old cookie is worth nothing.
    const stale = new Browserless(app.baseUrl);
    stale.cookie = planted;
    expect(await stale.signedIn()).toBe(false);
  });

  it('stores who, from where and when in the session row', async () => {
    const u = await createUser(owner, orgA, 'ADMIN');
    const before = Date.now();
    const b = await signedInAs(u);
    const row = await sessionRow(sidOf(b.cookie));
    expect(row).toMatchObject({ userId: u.id, organizationId: orgA.id, ip: '127.0.0.1' });
    expect(row!.userAgent).toContain('Chrome/131');
    const sess = row!.sess as { signedInAt: number; adminUser: { role: string } };
    expect(sess.signedInAt).toBeGreaterThanOrEqual(before - 1000);
    expect(sess.adminUser.role).toBe('ADMIN');
  });

  it('sign-out destroys the server-side session', async () => {
    const u = await createUser(owner, orgA, 'USER');
    const b = await signedInAs(u);
    const sid = sidOf(b.cookie);
    const cookie = b.cookie;
    expect(await b.signedIn()).toBe(true);
    // GET only shows the sign-out form; the POST signs out.
    const page = await b.request('/admin/logout');
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('method="post"');
    expect(await sessionRow(sid)).not.toBeNull();
    const res = await b.request('/admin/logout', { method: 'POST' });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('/admin/login');
    expect(await sessionRow(sid)).toBeNull();
    const replay = new Browserless(app.baseUrl);
    replay.cookie = cookie;
    expect(await replay.signedIn()).toBe(false);
  });
});

describe('timeouts and restarts', () => {
  it('the idle timeout rolls with activity and ends an idle session', async () => {
    const u = await createUser(owner, orgA, 'USER');
    const b = await signedInAs(u);
    const sid = sidOf(b.cookie);
    const first = (await sessionRow(sid))!.expire.getTime();
    await new Promise((r) => setTimeout(r, 1100));
    expect(await b.signedIn()).toBe(true);
    expect((await sessionRow(sid))!.expire.getTime(), 'activity moves the expiry').toBeGreaterThan(first);
    // Idle past the timeout: the store no longer returns the session.
    await owner.session.update({ where: { sid }, data: { expire: new Date(Date.now() - 1000) } });
    expect(await b.signedIn()).toBe(false);
  });

  it("activity writes the session row's expiry at most once a minute per instance, and an idle session still ends", async () => {
    const u = await createUser(owner, orgA, 'USER');
    const b = await signedInAs(u);
    const sid = sidOf(b.cookie);
    expect(await b.signedIn()).toBe(true); // this instance's first touch of the session writes
    const marked = new Date(Date.now() + 20 * 60_000);
    await owner.session.update({ where: { sid }, data: { expire: marked } });
    expect(await b.signedIn()).toBe(true);
    expect(await b.signedIn()).toBe(true);
    expect((await sessionRow(sid))!.expire.getTime(), 'touches within the minute do not write').toBe(marked.getTime());
    // The lag never keeps a session alive: the row's expiry is what the store reads.
    await owner.session.update({ where: { sid }, data: { expire: new Date(Date.now() - 1000) } });
    expect(await b.signedIn()).toBe(false);
  });

  it('the absolute timeout ends a session however active it was', async () => {
    const u = await createUser(owner, orgA, 'USER');
    const b = await signedInAs(u);
    const sid = sidOf(b.cookie);
    const row = (await sessionRow(sid))!;
    const sess = row.sess as Record<string, unknown>;
    await owner.session.update({ where: { sid }, data: { sess: { ...sess, signedInAt: Date.now() - 12 * 3_600_000 - 1000 } } });
    expect(await b.signedIn()).toBe(false);
    expect(await sessionRow(sid)).toBeNull();
  });

  it('sessions survive a restart (a new app instance on the same database)', async () => {
    const u = await createUser(owner, orgA, 'USER');
    const b = await signedInAs(u);
    const restarted = await start();
    const again = new Browserless(restarted.baseUrl);
    again.cookie = b.cookie;
    expect(await again.signedIn()).toBe(true);
  });
});

describe('ending sessions when a user changes', () => {
  it.each([
    ['disabled', (id: string) => owner.user.update({ where: { id }, data: { status: 'INACTIVE' } })],
    ['locked', (id: string) => owner.user.update({ where: { id }, data: { status: 'LOCKED', lockedUntil: new Date(Date.now() + 600_000) } })],
    ['deleted', (id: string) => owner.user.delete({ where: { id } })],
  ] as const)('a %s user loses every open session at once', async (_label, change) => {
    const u = await createUser(owner, orgA, 'ADMIN');
    const [b1, b2] = [await signedInAs(u), await signedInAs(u)];
    expect(await sessionsOf(u.id)).toHaveLength(2);
    await change(u.id);
    expect(await sessionsOf(u.id), 'rows deleted by the trigger').toHaveLength(0);
    expect(await b1.signedIn()).toBe(false);
    expect(await b2.signedIn()).toBe(false);
  });

  it('locking by failed sign-ins ends the sessions too', async () => {
    const u = await createUser(owner, orgA, 'USER');
    const b = await signedInAs(u);
    const guesser = new Browserless(app.baseUrl);
    for (let i = 0; i < app.config.LOGIN_MAX_ATTEMPTS; i++) expect((await guesser.signIn(u.email, `wrong-${i}`)).status).toBe(401);
    expect(await sessionsOf(u.id)).toHaveLength(0);
    expect(await b.signedIn()).toBe(false);
    expect((await guesser.signIn(u.email, TEST_PASSWORD)).status, 'locked: even the right password fails').toBe(401);
  });

  it('the per-request check ends the session even where the trigger did not run', async () => {
    const u = await createUser(owner, orgA, 'USER');
    const b = await signedInAs(u);
    const sid = sidOf(b.cookie);
    await owner.$executeRawUnsafe('ALTER TABLE "users" DISABLE TRIGGER "users_end_sessions_on_status"');
    try {
      await owner.user.update({ where: { id: u.id }, data: { status: 'INACTIVE' } });
      expect(await sessionRow(sid)).not.toBeNull();
      expect(await b.signedIn()).toBe(false);
      expect(await sessionRow(sid), 'destroyed by the guard').toBeNull();
    } finally {
      await owner.$executeRawUnsafe('ALTER TABLE "users" ENABLE TRIGGER "users_end_sessions_on_status"');
    }
  });

  it('a role change takes effect on the next request', async () => {
    const u = await createUser(owner, orgA, 'ADMIN');
    const b = await signedInAs(u);
    const sid = sidOf(b.cookie);
    await owner.user.update({ where: { id: u.id }, data: { role: 'VIEWER' } });
    expect(await b.signedIn()).toBe(true);
    const sess = (await sessionRow(sid))!.sess as { adminUser: { role: string } };
    expect(sess.adminUser.role).toBe('VIEWER');
    // A viewer may not end anyone's session, not even their own.
    const list = await b.api('/resources/Session/actions/list');
    expect(list.status).toBe(200);
    const own = list.body.records.find((r: { id: string }) => r.id === sid);
    expect(own.recordActions.map((a: { name: string }) => a.name)).not.toContain('delete');
  });
});

describe('what the session check costs', () => {
  it("reads the session's row and its user's in one statement, and no other statement for the session", async () => {
    const u = await createUser(owner, orgA, 'ADMIN');
    const b = await signedInAs(u);
    const { sent, result: res } = await statementsSentBy(() => b.api('/resources/Realm/actions/list'));
    expect(res.status).toBe(200);
    const sessionReads = sent.filter((q) => /FROM "session"/.test(q));
    expect(sessionReads).toHaveLength(1);
    expect(sessionReads[0]).toMatch(/JOIN "users"/);
    // The user is not read again on its own (the guard took it from the session's read).
    expect(sent.filter((q) => /FROM "users" AS u LEFT JOIN "organizations"/.test(q))).toEqual([]);
  });
});

describe('Active sessions screen', () => {
  it('shows who, since when, from where and which browser, scoped by role, and never the session JSON', async () => {
    const superadmin = await createUser(owner, null, 'SUPERADMIN');
    const adminA = await createUser(owner, orgA, 'ADMIN');
    const userA = await createUser(owner, orgA, 'USER');
    const userB = await createUser(owner, orgB, 'USER');
    const [sa, aa, ua, ub] = [await signedInAs(superadmin), await signedInAs(adminA), await signedInAs(userA), await signedInAs(userB)];
    const listed = async (b: Browserless) => {
      const res = await b.api('/resources/Session/actions/list?perPage=500');
      expect(res.status).toBe(200);
      expect(JSON.stringify(res.body), 'no session JSON, no secret').not.toMatch(/"sess"|adminUser|cookie/);
      return res.body.records as Array<{ id: string; params: Record<string, any> }>;
    };
    const all = await listed(sa);
    for (const b of [sa, aa, ua, ub]) expect(all.map((r) => r.id)).toContain(sidOf(b.cookie));
    const mineA = all.find((r) => r.id === sidOf(aa.cookie))!;
    expect(mineA.params).toMatchObject({ userEmail: adminA.email, organizationName: 'Org A', ip: '127.0.0.1', browser: 'Chrome 131 on Linux' });
    expect(Math.abs(new Date(mineA.params.signedInAt).getTime() - Date.now())).toBeLessThan(120_000);
    expect(all.find((r) => r.id === sidOf(sa.cookie))!.params.organizationName).toBe('Platform staff');

    const orgView = await listed(aa);
    expect(new Set(orgView.map((r) => r.params.organizationId))).toEqual(new Set([orgA.id]));
    expect(orgView.map((r) => r.id)).toEqual(expect.arrayContaining([sidOf(aa.cookie), sidOf(ua.cookie)]));
    expect(orgView.map((r) => r.id)).not.toContain(sidOf(ub.cookie));
    expect(orgView.map((r) => r.id)).not.toContain(sidOf(sa.cookie));

    const ownView = await listed(ua);
    expect(ownView.map((r) => r.id)).toEqual([sidOf(ua.cookie)]);

    const shown = await sa.api(`/resources/Session/records/${encodeURIComponent(sidOf(ua.cookie))}/show`);
    expect(shown.status).toBe(200);
    expect(shown.body.record.params).toMatchObject({ userEmail: userA.email, userAgent: expect.stringContaining('Chrome/131') });
    expect(JSON.stringify(shown.body)).not.toMatch(/"sess"|adminUser/);
  });

  it("the user's org admin and a superadmin can end a session; another org's admin cannot", async () => {
    const superadmin = await createUser(owner, null, 'SUPERADMIN');
    const adminA = await createUser(owner, orgA, 'ADMIN');
    const adminB = await createUser(owner, orgB, 'ADMIN');
    const userA = await createUser(owner, orgA, 'USER');
    const [sa, aa, ab] = [await signedInAs(superadmin), await signedInAs(adminA), await signedInAs(adminB)];

    const victim1 = await signedInAs(userA);
    const wrongOrg = await ab.apiPost(`/resources/Session/records/${encodeURIComponent(sidOf(victim1.cookie))}/delete`);
    expect(wrongOrg.body?.notice?.type ?? 'error').not.toBe('success');
    expect(await sessionRow(sidOf(victim1.cookie)), "another org's admin ended nothing").not.toBeNull();

    const byAdmin = await aa.apiPost(`/resources/Session/records/${encodeURIComponent(sidOf(victim1.cookie))}/delete`);
    expect(byAdmin.status).toBe(200);
    expect(await sessionRow(sidOf(victim1.cookie))).toBeNull();
    expect(await victim1.signedIn()).toBe(false);

    const victim2 = await signedInAs(userA);
    const bySuper = await sa.apiPost(`/resources/Session/records/${encodeURIComponent(sidOf(victim2.cookie))}/delete`);
    expect(bySuper.status).toBe(200);
    expect(await sessionRow(sidOf(victim2.cookie))).toBeNull();
    expect(await victim2.signedIn()).toBe(false);
  });
});
