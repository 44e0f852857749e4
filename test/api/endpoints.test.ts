import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appDatabase, type AppDatabase } from '../support/app-database.js';
import { startRunningApp, type RunningApp } from '../support/running-app.js';
import { createWorld, type World } from '../support/admin-fixtures.js';
import { ApiClient, issueKey } from '../support/api-client.js';
import { API_KEY_SCOPES } from '../../src/domain/api-keys/api-key-scopes.js';

/**
 * The /api/v1 endpoints over HTTP on real PostgreSQL: success paths, error
 * codes, pagination, audit rows naming the key and the request id, quotas,
 * write-only secrets, and revocation effective on the next request.
 */
let t: AppDatabase;
let app: RunningApp;
let w: World;
let admin: ApiClient; // ADMIN of org A, every scope
let user: ApiClient; // USER of org A, every scope
let viewer: ApiClient;
let adminB: ApiClient;
let adminKeyId: string;

beforeAll(async () => {
  t = await appDatabase('api_endpoints');
  w = await createWorld(t.db);
  app = await startRunningApp(t);
  const base = new ApiClient(app.baseUrl);
  const pepper = app.config.API_KEY_PEPPER;
  const all = [...API_KEY_SCOPES];
  const a = await issueKey(t.db, pepper, w.admin.id, all);
  adminKeyId = a.id;
  admin = base.with(a.secret);
  user = base.with((await issueKey(t.db, pepper, w.user.id, all)).secret);
  viewer = base.with((await issueKey(t.db, pepper, w.viewer.id, all)).secret);
  adminB = base.with((await issueKey(t.db, pepper, w.adminB.id, all)).secret);
});
afterAll(async () => {
  await app?.close();
  await t?.drop();
});

describe('realms', () => {
  it('create, get, update, stats, set default, delete; duplicate names are 409; audit rows name the key and request id', async () => {
    const created = await user.post('/realms', { name: 'Research' }, { 'x-request-id': 'req-realm-1' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'Research', ownerId: w.user.id, organizationId: w.orgA.id, isDefault: false });
    const id = created.body.id;
    expect((await user.post('/realms', { name: 'Research' })).status).toBe(409);
    expect((await user.get(`/realms/${id}`)).body.name).toBe('Research');
    expect((await user.put(`/realms/${id}`, { name: 'Research 2' })).body.name).toBe('Research 2');
    const stats = await user.get(`/realms/${id}/stats`);
    expect(stats.body.total).toBe(0);
    const def = await user.post(`/realms/${id}/default`);
    expect(def.body.isDefault).toBe(true);
    expect((await user.delete(`/realms/${id}`)).status).toBe(409); // the default realm stays
    const other = await user.post('/realms', { name: 'Scratch' });
    const deleted = await user.delete(`/realms/${other.body.id}`);
    expect(deleted.status).toBe(200);
    expect(deleted.body.isActive).toBe(false);
    const audit = await t.db.auditLog.findFirstOrThrow({ where: { resource: 'Realm', recordId: id, action: 'realm.create' } });
    expect(audit.requestId).toBe('req-realm-1');
    expect(audit.actorLabel).toMatch(/^key:/);
    expect(audit.actorId).toBe(w.user.id);
  });

  it('paginates with a cursor: no row twice, none missing, limit capped', async () => {
    for (let i = 0; i < 5; i++) await admin.post('/realms', { name: `Page ${i}` });
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res: any = await admin.get(`/realms?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.status).toBe(200);
      expect(res.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...res.body.items.map((r: { id: string }) => r.id));
      cursor = res.body.nextCursor;
    } while (cursor);
    expect(new Set(seen).size).toBe(seen.length);
    const total = await t.db.realm.count({ where: { organizationId: w.orgA.id, isActive: true } });
    expect(seen.length).toBe(total);
    expect((await admin.get('/realms?limit=1000')).status).toBe(400);
    expect((await admin.get('/realms?cursor=garbage')).status).toBe(400);
  });

  it('unknown fields are refused, not ignored', async () => {
    const res = await user.post('/realms', { name: 'X', organizationId: w.orgB.id });
    expect(res.status).toBe(400);
    expect(await t.db.realm.count({ where: { name: 'X' } })).toBe(0);
  });
});

describe('api keys', () => {
  it('issues with the secret once, lists without it, changes by issuing rules, rotates, revokes with effect on the next request', async () => {
    const issued = await user.post('/api-keys', { name: 'gw', scopes: ['models:read', 'tenant:read'] });
    expect(issued.status).toBe(201);
    const { secret, apiKey } = issued.body;
    expect(secret).toMatch(/^rgk_/);
    const list = await user.get('/api-keys?limit=100');
    expect(JSON.stringify(list.body)).not.toContain(secret);
    expect(JSON.stringify(list.body)).not.toContain('keyHash');
    expect((await user.get(`/api-keys/${apiKey.id}`)).body.name).toBe('gw');
    expect((await user.put(`/api-keys/${apiKey.id}`, { maxTokens: -5 })).status).toBe(400);
    expect((await user.put(`/api-keys/${apiKey.id}`, { expiresAt: '2001-01-01T00:00:00Z' })).status).toBe(400);
    expect((await user.put(`/api-keys/${apiKey.id}`, { rateLimitPerMinute: 60 })).body.rateLimitPerMinute).toBe(60);

    const key = new ApiClient(app.baseUrl, secret);
    expect((await key.get('/tenant/info')).status).toBe(200);
    expect((await key.get('/realms')).status).toBe(403); // scope realms:read missing
    expect((await key.post('/api-keys', { name: 'x', scopes: ['admin'] })).status).toBe(403);

    const rotated = await user.post(`/api-keys/${apiKey.id}/rotate`, { graceSeconds: 0 });
    expect(rotated.status).toBe(200);
    expect((await key.get('/tenant/info')).status).toBe(401);
    const fresh = new ApiClient(app.baseUrl, rotated.body.secret);
    expect((await fresh.get('/tenant/info')).status).toBe(200);
    expect((await user.delete(`/api-keys/${rotated.body.apiKey.id}`)).body.alreadyRevoked).toBe(false);
    expect((await fresh.get('/tenant/info')).status).toBe(401);
  });
});

describe('realm data, quotas and secrets', () => {
  it('vector server credentials are write-only', async () => {
    const res = await user.post('/vector-servers', { name: 'q', type: 'QDRANT', host: 'q.internal', port: 6333, apiKey: 'S3CR3T-VALUE' });
    expect(res.status).toBe(201);
    expect(res.body.hasApiKey).toBe(true);
    expect(JSON.stringify(res.body)).not.toContain('S3CR3T');
    const got = await user.get(`/vector-servers/${res.body.id}`);
    expect(JSON.stringify(got.body)).not.toMatch(/S3CR3T|Encrypted/);
  });

  it('documents count against the organization quotas: 429 QUOTA_EXCEEDED with nothing written', async () => {
    await t.db.organization.update({ where: { id: w.orgA.id }, data: { documentQuota: 2, storageQuotaBytes: 1000n } });
    const kb = await user.post('/knowledge-bases', { name: 'Handbook' });
    expect(kb.status).toBe(201);
    const doc = (name: string, sizeBytes: number) => user.post('/documents', { knowledgeBaseId: kb.body.id, name, mimeType: 'text/plain', sizeBytes });
    expect((await doc('a.txt', 400)).status).toBe(201);
    const tooBig = await doc('b.txt', 700);
    expect(tooBig.status).toBe(429);
    expect(tooBig.body.error.code).toBe('QUOTA_EXCEEDED');
    expect(tooBig.headers.get('retry-after')).toBeTruthy();
    expect((await doc('c.txt', 100)).status).toBe(201);
    expect((await doc('d.txt', 1)).status).toBe(429);
    expect(await t.db.document.count({ where: { organizationId: w.orgA.id } })).toBe(2);
    const info = await user.get('/tenant/info');
    const docs = info.body.quotas.find((q: { metric: string }) => q.metric === 'DOCUMENTS');
    expect(docs).toMatchObject({ used: 2, limit: 2, remaining: 0, percentUsed: 100, warning: 'exceeded' });
    await t.db.organization.update({ where: { id: w.orgA.id }, data: { documentQuota: null, storageQuotaBytes: null } });
  });

  it('collections list knowledge bases with their vector collection', async () => {
    const res = await user.get('/tenant/collections');
    expect(res.status).toBe(200);
    expect(res.body.collections.some((c: { name: string }) => c.name === 'Handbook')).toBe(true);
  });
});

describe('assistants and chat', () => {
  it('lists tools by category, status, and runs a chat session', async () => {
    expect((await user.get('/tools?category=CORE')).status).toBe(200);
    expect((await user.get('/tools?category=NOPE')).status).toBe(400);
    expect((await user.get('/status')).body.overall).toMatch(/HEALTHY|DEGRADED|DOWN/);
    const s = await user.post('/chat-sessions', { title: 'Hello' });
    expect(s.status).toBe(201);
    expect((await user.post(`/chat-sessions/${s.body.id}/messages`, { role: 'USER', content: 'hi' })).status).toBe(201);
    expect((await user.get(`/chat-sessions/${s.body.id}/messages`)).body.items).toHaveLength(1);
    expect((await adminB.get(`/chat-sessions/${s.body.id}/messages`)).status).toBe(404);
    expect((await user.delete(`/chat-sessions/${s.body.id}`)).status).toBe(200);
  });
});

describe('users and organizations', () => {
  it('admins create, lock, unlock users; viewers and users may not; superadmin-only tenants', async () => {
    const created = await admin.post('/users', { username: `ada${Date.now()}`, email: `ada${Date.now()}@acme.example`, role: 'USER', password: 'initial-passphrase-1' });
    expect(created.status).toBe(201);
    expect(created.body.organizationId).toBe(w.orgA.id);
    expect(JSON.stringify(created.body)).not.toContain('passwordHash');
    const id = created.body.id;
    expect((await admin.post(`/users/${id}/lock`, {})).body.user.status).toBe('LOCKED');
    expect((await admin.post(`/users/${id}/unlock`)).body.status).toBe('ACTIVE');
    const temp = await admin.post(`/users/${id}/temporary-password`);
    expect(temp.body.password.length).toBeGreaterThan(11);
    expect((await admin.post('/users', { username: 'boss', email: 'boss@x.example', role: 'SUPERADMIN', password: 'initial-passphrase-1' })).status).toBe(400);
    expect((await viewer.post('/users', { username: 'v', email: 'v@x.example', password: 'initial-passphrase-1' })).status).toBe(403);
    const own = await user.get('/users'); // a USER's scope on users is their own row
    expect(own.body.items.map((u: { id: string }) => u.id)).toEqual([w.user.id]);
    expect((await admin.get('/admin/tenants')).status).toBe(403);
    expect((await admin.post(`/users/${w.adminB.id}/disable`)).status).toBe(404);
  });

  it('an organization disabled by a superadmin stops its keys on the next request', async () => {
    await t.db.organization.update({ where: { id: w.orgB.id }, data: { isActive: false } });
    expect((await adminB.get('/me')).status).toBe(401);
    await t.db.organization.update({ where: { id: w.orgB.id }, data: { isActive: true } });
    // Key lookups are cached for at most a second (the hot path's ApiKeyLookupCache): a refusal may outlive re-enabling by that long.
    const deadline = Date.now() + 2_500;
    let status = (await adminB.get('/me')).status;
    while (status !== 200 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      status = (await adminB.get('/me')).status;
    }
    expect(status).toBe(200);
  });
});

describe('metrics', () => {
  it('counts requests by route pattern and quota refusals by code', async () => {
    const text = await (await fetch(`${app.baseUrl}/metrics`)).text();
    expect(text).toMatch(/realmgate_http_requests_total\{method="GET",route="\/api\/v1\/realms\/:id",status="200"\} \d+/);
    expect(text).toMatch(/realmgate_quota_refusals_total\{code="QUOTA_EXCEEDED",limit="organization-(documents|storage-bytes)"\} [1-9]/);
    expect(text).toMatch(/realmgate_http_request_duration_seconds_bucket/);
    void adminKeyId;
  });
});
