import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appDatabase, type AppDatabase } from '../support/app-database.js';
import { startRunningApp, Browserless, type RunningApp } from '../support/running-app.js';
import { createWorld, type World } from '../support/admin-fixtures.js';
import { TEST_PASSWORD } from '../support/factories.js';
import { ApiClient, issueKey } from '../support/api-client.js';

/**
 * The API's skeleton: the error envelope, request ids, body rules (413, 415,
 * malformed JSON), the three sign-ins on GET /me, the OpenAPI document and the
 * offline reference page.
 */
let t: AppDatabase;
let app: RunningApp;
let w: World;
let api: ApiClient;

beforeAll(async () => {
  t = await appDatabase('api_skeleton');
  w = await createWorld(t.db);
  app = await startRunningApp(t, { API_BODY_LIMIT: '2kb' });
  api = new ApiClient(app.baseUrl);
});
afterAll(async () => {
  await app?.close();
  await t?.drop();
});

describe('errors and request ids', () => {
  it('answers 401 in the envelope, with a generated X-Request-Id', async () => {
    const res = await api.get('/me');
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ error: { code: 'UNAUTHENTICATED', message: expect.any(String) } });
    expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('returns a well-formed caller X-Request-Id and replaces a malformed one', async () => {
    expect((await api.get('/me', { 'x-request-id': 'trace-123.abc' })).headers.get('x-request-id')).toBe('trace-123.abc');
    expect((await api.get('/me', { 'x-request-id': 'bad id\twith spaces' })).headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('answers unknown paths with NOT_FOUND in the envelope', async () => {
    const res = await api.get('/no-such-thing');
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('NOT_FOUND');
  });

  it('refuses non-JSON bodies with 415, large ones with 413 and malformed JSON with 400', async () => {
    const form = await api.call('POST', '/me', { raw: 'a=1', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(form.status).toBe(415);
    expect(form.body.error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    const big = await api.call('POST', '/me', { raw: JSON.stringify({ x: 'y'.repeat(5000) }), headers: { 'content-type': 'application/json' } });
    expect(big.status).toBe(413);
    expect(big.body.error.code).toBe('PAYLOAD_TOO_LARGE');
    const bad = await api.call('POST', '/me', { raw: '{"x":', headers: { 'content-type': 'application/json' } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('INVALID');
  });
});

describe('sign-in on GET /me', () => {
  it('accepts an API key and names its owner, organization and scopes', async () => {
    const key = await issueKey(t.db, app.config.API_KEY_PEPPER, w.admin.id, ['models:read', 'usage:write']);
    const res = await api.with(key.secret).get('/me');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      signedInWith: 'api-key',
      user: { id: w.admin.id, role: 'ADMIN' },
      organization: { id: w.orgA.id },
      apiKey: { id: key.id, scopes: ['models:read', 'usage:write'] },
    });
    expect(JSON.stringify(res.body)).not.toContain(key.secret);
  });

  it('refuses unknown, malformed, revoked and expired keys alike', async () => {
    const key = await issueKey(t.db, app.config.API_KEY_PEPPER, w.user.id, ['models:read']);
    await t.db.apiKey.update({ where: { id: key.id }, data: { revokedAt: new Date() } });
    const answers = await Promise.all(
      [key.secret, 'rgk_nope', 'garbage', `${key.secret.slice(0, -1)}x`].map((secret) => api.with(secret).get('/me')),
    );
    const malformedScheme = await api.get('/me', { authorization: 'Basic abc' });
    for (const res of [...answers, malformedScheme]) {
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('UNAUTHENTICATED');
    }
    expect(new Set(answers.map((a) => a.body.error.message)).size).toBe(1);
  });

  it('a role change of the key\'s owner holds on the next request', async () => {
    const key = await issueKey(t.db, app.config.API_KEY_PEPPER, w.peer.id, ['models:read']);
    expect((await api.with(key.secret).get('/me')).body.user.role).toBe('USER');
    await t.db.user.update({ where: { id: w.peer.id }, data: { role: 'VIEWER' } });
    expect((await api.with(key.secret).get('/me')).body.user.role).toBe('VIEWER');
    await t.db.user.update({ where: { id: w.peer.id }, data: { status: 'INACTIVE' } });
    expect((await api.with(key.secret).get('/me')).status).toBe(401);
    await t.db.user.update({ where: { id: w.peer.id }, data: { status: 'ACTIVE', role: 'USER' } });
  });

  it('accepts the panel session cookie', async () => {
    const browser = new Browserless(app.baseUrl);
    await browser.signIn(w.viewer.email, TEST_PASSWORD);
    const res = await api.get('/me', { cookie: browser.cookie });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ signedInWith: 'session', user: { id: w.viewer.id, role: 'VIEWER' }, apiKey: null });
  });
});

describe('contract', () => {
  it('serves OpenAPI 3.1 with security schemes and the operations', async () => {
    const res = await api.get('/openapi.json');
    expect(res.status).toBe(200);
    expect(res.body.openapi).toBe('3.1.0');
    expect(Object.keys(res.body.components.securitySchemes).sort()).toEqual(['apiKey', 'bearerJwt', 'sessionCookie']);
    expect(res.body.paths['/me'].get.operationId).toBe('getMe');
  });

  it('serves the reference page from local files', async () => {
    const redirect = await fetch(`${app.baseUrl}/api/docs`, { redirect: 'manual' });
    expect(redirect.status).toBe(301);
    const page = await fetch(`${app.baseUrl}/api/docs/`);
    const html = await page.text();
    expect(page.status).toBe(200);
    expect(html).toContain('swagger-ui');
    expect(html).not.toMatch(/https?:\/\/(?!www\.w3\.org)/);
    const init = await (await fetch(`${app.baseUrl}/api/docs/swagger-initializer.js`)).text();
    expect(init).toContain('/api/v1/openapi.json');
    expect((await fetch(`${app.baseUrl}/api/docs/swagger-ui-bundle.js`)).status).toBe(200);
  });
});
