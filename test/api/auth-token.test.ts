import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SignJWT } from 'jose';
import { appDatabase, type AppDatabase } from '../support/app-database.js';
import { startRunningApp, type RunningApp } from '../support/running-app.js';
import { createUser, createOrg, TEST_PASSWORD } from '../support/factories.js';
import { ApiClient } from '../support/api-client.js';
import { setTemporaryPassword } from '../../src/domain/users/set-temporary-password.js';
import { SYSTEM_ACTOR } from '../../src/domain/shared/actor.js';

/**
 * POST /auth/token, /auth/refresh, /auth/logout and /me/password: the panel's
 * sign-in rules, JWTs checked for signature, issuer and audience, refresh
 * tokens rotated once and revoked by logout, password changes and disables
 * (database trigger), each effective on the very next request.
 */
let t: AppDatabase;
let app: RunningApp;
let api: ApiClient;
let org: { id: string };

beforeAll(async () => {
  t = await appDatabase('api_auth');
  org = await createOrg(t.db);
  app = await startRunningApp(t, { LOGIN_MAX_ATTEMPTS: '3' });
  api = new ApiClient(app.baseUrl);
});
afterAll(async () => {
  await app?.close();
  await t?.drop();
});

const signIn = (email: string, password = TEST_PASSWORD) => api.post('/auth/token', { email, password });

describe('POST /auth/token', () => {
  it('issues an access token that works on /me, and a refresh token stored only as a hash', async () => {
    const u = await createUser(t.db, org, 'ADMIN');
    const res = await signIn(u.email);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ tokenType: 'Bearer', expiresIn: 900, mustChangePassword: false });
    const me = await api.with(res.body.accessToken).get('/me');
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ signedInWith: 'jwt', user: { id: u.id, role: 'ADMIN' }, organization: { id: org.id } });
    const rows = await t.db.apiRefreshToken.findMany({ where: { userId: u.id } });
    expect(rows).toHaveLength(1);
    expect(JSON.stringify(rows)).not.toContain(res.body.refreshToken);
  });

  it('answers every failure alike, and locks the account after repeated wrong passwords', async () => {
    const u = await createUser(t.db, org, 'USER');
    const wrong = await signIn(u.email, 'not-the-password');
    const unknown = await signIn('nobody@nowhere.example');
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.body.error).toEqual(unknown.body.error);
    await signIn(u.email, 'not-the-password');
    await signIn(u.email, 'not-the-password');
    expect((await t.db.user.findUniqueOrThrow({ where: { id: u.id } })).status).toBe('LOCKED');
    const right = await signIn(u.email);
    expect(right.status).toBe(401);
    expect(right.body.error).toEqual(unknown.body.error);
    const metrics = await (await fetch(`${app.baseUrl}/metrics`)).text();
    expect(metrics).toMatch(/realmgate_sign_in_failures_total\{channel="api",reason="wrong-password"\} [1-9]/);
  });

  it('refuses bad bodies with 400 and unknown fields', async () => {
    expect((await api.post('/auth/token', { email: 'a@b.c' })).status).toBe(400);
    const extra = await api.post('/auth/token', { email: 'a@b.c', password: 'x', admin: true });
    expect(extra.status).toBe(400);
    expect(extra.body.error.details.issues[0].code).toBe('unrecognized_keys');
  });

  it('refuses forged, foreign-audience and expired tokens', async () => {
    const u = await createUser(t.db, org, 'USER');
    const good = await signIn(u.email);
    const sid = JSON.parse(Buffer.from(good.body.accessToken.split('.')[1], 'base64url').toString()).sid;
    const forge = (secret: string, aud = 'realmgate-api', exp = '5m') =>
      new SignJWT({ sid }).setProtectedHeader({ alg: 'HS256' }).setSubject(u.id).setIssuer('realmgate').setAudience(aud).setIssuedAt().setExpirationTime(exp).sign(new TextEncoder().encode(secret));
    for (const token of [
      await forge('another-secret-another-secret-another-secret'),
      await forge(app.config.JWT_SECRET, 'someone-else'),
      await forge(app.config.JWT_SECRET, 'realmgate-api', '-1m'),
      `${good.body.accessToken.slice(0, -2)}xx`,
    ]) {
      const res = await api.with(token).get('/me');
      expect(res.status).toBe(401);
    }
    expect((await api.with(await forge(app.config.JWT_SECRET)).get('/me')).status).toBe(200);
  });
});

describe('refresh and logout', () => {
  it('rotates once: the spent token is refused and its reuse ends the whole sign-in', async () => {
    const u = await createUser(t.db, org, 'USER');
    const first = await signIn(u.email);
    const second = await api.post('/auth/refresh', { refreshToken: first.body.refreshToken });
    expect(second.status).toBe(200);
    expect(second.body.refreshToken).not.toBe(first.body.refreshToken);
    expect((await api.with(second.body.accessToken).get('/me')).status).toBe(200);
    const replay = await api.post('/auth/refresh', { refreshToken: first.body.refreshToken });
    expect(replay.status).toBe(401);
    expect((await api.post('/auth/refresh', { refreshToken: second.body.refreshToken })).status).toBe(401);
    expect((await api.with(second.body.accessToken).get('/me')).status).toBe(401);
  });

  it('two concurrent refreshes with one token yield one new token', async () => {
    const u = await createUser(t.db, org, 'USER');
    const first = await signIn(u.email);
    const answers = await Promise.all([1, 2, 3].map(() => api.post('/auth/refresh', { refreshToken: first.body.refreshToken })));
    expect(answers.filter((a) => a.status === 200)).toHaveLength(1);
  });

  it('logout revokes the refresh token and the access token on the next request', async () => {
    const u = await createUser(t.db, org, 'USER');
    const s = await signIn(u.email);
    expect((await api.post('/auth/logout', { refreshToken: s.body.refreshToken })).body).toEqual({ revoked: 1 });
    expect((await api.with(s.body.accessToken).get('/me')).status).toBe(401);
    expect((await api.post('/auth/refresh', { refreshToken: s.body.refreshToken })).status).toBe(401);
  });

  it('a password set by an admin (any path that writes password_hash) and a disable revoke tokens', async () => {
    const u = await createUser(t.db, org, 'USER');
    const s = await signIn(u.email);
    const temp = await setTemporaryPassword(t.app, SYSTEM_ACTOR, { userId: u.id });
    expect((await api.with(s.body.accessToken).get('/me')).status).toBe(401);
    expect((await api.post('/auth/refresh', { refreshToken: s.body.refreshToken })).status).toBe(401);

    // The temporary password signs in, but only /me and /me/password work until it is changed.
    const tempSignIn = await signIn(u.email, temp.password);
    expect(tempSignIn.body.mustChangePassword).toBe(true);
    const tempApi = api.with(tempSignIn.body.accessToken);
    expect((await tempApi.get('/me')).body.mustChangePassword).toBe(true);
    const changed = await tempApi.post('/me/password', { currentPassword: temp.password, newPassword: 'a-brand-new-passphrase', confirmPassword: 'a-brand-new-passphrase' });
    expect(changed.status).toBe(200);
    expect((await tempApi.get('/me')).status).toBe(401); // the change revoked that sign-in
    const fresh = api.with(changed.body.tokens.accessToken);
    expect((await fresh.get('/me')).body.mustChangePassword).toBe(false);

    await t.db.user.update({ where: { id: u.id }, data: { status: 'INACTIVE' } });
    expect((await fresh.get('/me')).status).toBe(401);
    const live = await t.db.apiRefreshToken.count({ where: { userId: u.id, revokedAt: null } });
    expect(live).toBe(0);
  });
});
