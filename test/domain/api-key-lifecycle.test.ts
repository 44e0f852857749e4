import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authenticateApiKey } from '../../src/domain/api-keys/authenticate-api-key.js';
import { bulkRevokeApiKeys } from '../../src/domain/api-keys/bulk-revoke-api-keys.js';
import { issueApiKey } from '../../src/domain/api-keys/issue-api-key.js';
import { revokeApiKey } from '../../src/domain/api-keys/revoke-api-key.js';
import { rotateApiKey } from '../../src/domain/api-keys/rotate-api-key.js';
import { AppError } from '../../src/domain/shared/app-error.js';
import type { Actor } from '../../src/domain/shared/actor.js';
import { appDatabase, type AppDatabase } from '../support/app-database.js';
import { actorFor, createModel, createOrg, createUser } from '../support/factories.js';

const PEPPER = 'test-pepper-lifecycle-0123456789-abcdef';
let t: AppDatabase;
let adminA: Actor;
let userA: Actor;
let otherUserA: Actor;
let viewerA: Actor;
let adminB: Actor;
let userAId: string;
let modelId: string;

beforeAll(async () => {
  t = await appDatabase('api_key_lifecycle');
  const orgA = await createOrg(t.db);
  const orgB = await createOrg(t.db);
  adminA = await actorFor(t.db, await createUser(t.db, orgA, 'ADMIN'));
  const u = await createUser(t.db, orgA, 'USER');
  userAId = u.id;
  userA = await actorFor(t.db, u);
  otherUserA = await actorFor(t.db, await createUser(t.db, orgA, 'USER'));
  viewerA = await actorFor(t.db, await createUser(t.db, orgA, 'VIEWER'));
  adminB = await actorFor(t.db, await createUser(t.db, orgB, 'ADMIN'));
  modelId = (await createModel(t.db, { organizationId: orgA.id })).id; // the org's own model: visible to its users
});
afterAll(async () => t?.drop());

const code = (p: Promise<unknown>) => p.then(() => 'OK', (e) => (e instanceof AppError ? e.code : String(e)));
const at = (iso: string) => () => new Date(iso);
const issue = (actor: Actor = userA, extra: Record<string, unknown> = {}) =>
  issueApiKey(t.app, actor, { name: 'gateway', scopes: ['models:read', 'usage:write'], maxTokens: 4096, rateLimitPerMinute: 60, allowedModelIds: [modelId], ...extra }, { pepper: PEPPER });
const auth = (secret: string, now?: string) => authenticateApiKey(t.app, secret, { pepper: PEPPER, now: now ? at(now) : undefined });

describe('rotateApiKey', () => {
  it('returns a new secret once, copies the key, and keeps the old one working only for the grace period', async () => {
    const old = await issue(userA, { description: 'prod', type: 'GATEWAY' });
    const T = '2030-01-01T00:00:00.000Z';
    const r = await rotateApiKey(t.app, userA, { apiKeyId: old.apiKey.id, graceSeconds: 3600 }, { pepper: PEPPER, now: at(T) }, { ip: '192.0.2.1' });
    expect(r.secret).not.toBe(old.secret);
    expect(r.apiKey).not.toHaveProperty('keyHash');
    const pick = (k: Record<string, unknown>) => ({ name: k.name, description: k.description, type: k.type, scopes: k.scopes, maxTokens: k.maxTokens, rateLimitPerMinute: k.rateLimitPerMinute, allowedModelIds: k.allowedModelIds, realmId: k.realmId, userId: k.userId, organizationId: k.organizationId });
    expect(pick(r.apiKey)).toEqual(pick(old.apiKey));
    const oldRow = await t.db.apiKey.findUniqueOrThrow({ where: { id: old.apiKey.id } });
    expect(oldRow.replacedById).toBe(r.apiKey.id);
    expect(oldRow.expiresAt?.toISOString()).toBe('2030-01-01T01:00:00.000Z');
    expect(oldRow.revokedAt).toBeNull();

    expect((await auth(old.secret, '2030-01-01T00:59:59.999Z')).actor.apiKeyId).toBe(old.apiKey.id);
    expect(await code(auth(old.secret, '2030-01-01T01:00:00.000Z'))).toBe('UNAUTHENTICATED');
    expect((await auth(r.secret, '2030-01-01T05:00:00.000Z')).actor.apiKeyId).toBe(r.apiKey.id);

    const audits = await t.db.auditLog.findMany({ where: { recordId: { in: [old.apiKey.id, r.apiKey.id] }, action: { in: ['api-key.rotate', 'api-key.issue'] } } });
    expect(audits.map((a) => a.action).sort()).toEqual(['api-key.issue', 'api-key.issue', 'api-key.rotate']);
    expect(JSON.stringify(audits)).not.toContain(r.secret.slice(4));
  });

  it('with no grace the old secret stops at once; an earlier expiry is never extended', async () => {
    const a = await issue();
    await rotateApiKey(t.app, userA, { apiKeyId: a.apiKey.id, graceSeconds: 0 }, { pepper: PEPPER });
    expect(await code(auth(a.secret))).toBe('UNAUTHENTICATED');

    const soon = new Date(Date.now() + 60_000);
    const b = await issue(userA, { expiresAt: soon });
    const r = await rotateApiKey(t.app, adminA, { apiKeyId: b.apiKey.id, graceSeconds: 86_400 }, { pepper: PEPPER });
    expect((await t.db.apiKey.findUniqueOrThrow({ where: { id: b.apiKey.id } })).expiresAt?.getTime()).toBe(soon.getTime());
    expect(r.apiKey.expiresAt?.getTime()).toBe(soon.getTime()); // the new key inherits the expiry unless told otherwise
  });

  it('rotates a key once: concurrent rotations → one winner, no orphan key', async () => {
    const k = await issue();
    const before = await t.db.apiKey.count();
    const results = await Promise.all(Array.from({ length: 6 }, () => code(rotateApiKey(t.app, adminA, { apiKeyId: k.apiKey.id, graceSeconds: 60 }, { pepper: PEPPER }))));
    expect(results.filter((x) => x === 'OK')).toHaveLength(1);
    expect(results.filter((x) => x === 'CONFLICT')).toHaveLength(5);
    expect(await t.db.apiKey.count()).toBe(before + 1);
    expect(await code(rotateApiKey(t.app, adminA, { apiKeyId: k.apiKey.id, graceSeconds: 60 }, { pepper: PEPPER }))).toBe('CONFLICT');
  });

  it('validates the grace period and refuses revoked keys', async () => {
    const k = await issue();
    expect(await code(rotateApiKey(t.app, userA, { apiKeyId: k.apiKey.id, graceSeconds: 7 * 86_400 + 1 }, { pepper: PEPPER }))).toBe('INVALID');
    expect(await code(rotateApiKey(t.app, userA, { apiKeyId: k.apiKey.id, graceSeconds: -1 }, { pepper: PEPPER }))).toBe('INVALID');
    expect(await code(rotateApiKey(t.app, userA, { apiKeyId: k.apiKey.id, graceSeconds: 1.5 }, { pepper: PEPPER }))).toBe('INVALID');
    await revokeApiKey(t.app, userA, { apiKeyId: k.apiKey.id });
    expect(await code(rotateApiKey(t.app, userA, { apiKeyId: k.apiKey.id, graceSeconds: 7 * 86_400 }, { pepper: PEPPER }))).toBe('CONFLICT');
  });

  it('keeps tenants and owners apart', async () => {
    const k = await issue();
    expect(await code(rotateApiKey(t.app, adminB, { apiKeyId: k.apiKey.id, graceSeconds: 0 }, { pepper: PEPPER }))).toBe('NOT_FOUND');
    expect(await code(rotateApiKey(t.app, otherUserA, { apiKeyId: k.apiKey.id, graceSeconds: 0 }, { pepper: PEPPER }))).toBe('NOT_FOUND');
    expect(await code(rotateApiKey(t.app, viewerA, { apiKeyId: k.apiKey.id, graceSeconds: 0 }, { pepper: PEPPER }))).toBe('NOT_FOUND');
    expect((await t.db.apiKey.findUniqueOrThrow({ where: { id: k.apiKey.id } })).replacedById).toBeNull();
  });
});

describe('revokeApiKey', () => {
  it('takes effect at once, is idempotent and audited once', async () => {
    const k = await issue();
    await auth(k.secret);
    const r = await revokeApiKey(t.app, adminA, { apiKeyId: k.apiKey.id }, {}, { ip: '192.0.2.2' });
    expect(r.alreadyRevoked).toBe(false);
    expect(r.apiKey.revokedAt).toBeInstanceOf(Date);
    expect(await code(auth(k.secret))).toBe('UNAUTHENTICATED');
    const again = await revokeApiKey(t.app, userA, { apiKeyId: k.apiKey.id });
    expect(again.alreadyRevoked).toBe(true);
    expect(again.apiKey.revokedAt?.getTime()).toBe(r.apiKey.revokedAt?.getTime());
    expect(await t.db.auditLog.count({ where: { recordId: k.apiKey.id, action: 'api-key.revoke' } })).toBe(1);
  });

  it('answers NOT_FOUND outside scope', async () => {
    const k = await issue();
    expect(await code(revokeApiKey(t.app, adminB, { apiKeyId: k.apiKey.id }))).toBe('NOT_FOUND');
    expect(await code(revokeApiKey(t.app, viewerA, { apiKeyId: k.apiKey.id }))).toBe('NOT_FOUND');
    expect(await code(revokeApiKey(t.app, otherUserA, { apiKeyId: k.apiKey.id }))).toBe('NOT_FOUND');
    expect(await code(revokeApiKey(t.app, adminA, { apiKeyId: 'nope' }))).toBe('INVALID');
    expect((await auth(k.secret)).actor.userId).toBe(userAId);
  });
});

describe('bulkRevokeApiKeys', () => {
  it('revokes all listed keys in one go and reports those already revoked', async () => {
    const keys = await Promise.all([issue(), issue(), issue(otherUserA)]);
    await revokeApiKey(t.app, adminA, { apiKeyId: keys[0].apiKey.id });
    const r = await bulkRevokeApiKeys(t.app, adminA, { apiKeyIds: keys.map((k) => k.apiKey.id) });
    expect(r.revoked.sort()).toEqual([keys[1].apiKey.id, keys[2].apiKey.id].sort());
    expect(r.alreadyRevoked).toEqual([keys[0].apiKey.id]);
    for (const k of keys) expect(await code(auth(k.secret))).toBe('UNAUTHENTICATED');
    expect(await t.db.auditLog.count({ where: { recordId: { in: r.revoked }, action: 'api-key.revoke' } })).toBe(2);
  });

  it('is all-or-nothing: one key out of scope and none is revoked', async () => {
    const mine = await issue();
    const colleague = await issue(otherUserA);
    expect(await code(bulkRevokeApiKeys(t.app, userA, { apiKeyIds: [mine.apiKey.id, colleague.apiKey.id] }))).toBe('NOT_FOUND');
    expect(await code(bulkRevokeApiKeys(t.app, adminB, { apiKeyIds: [mine.apiKey.id] }))).toBe('NOT_FOUND');
    expect(await code(bulkRevokeApiKeys(t.app, viewerA, { apiKeyIds: [mine.apiKey.id] }))).toBe('NOT_FOUND');
    expect(await code(bulkRevokeApiKeys(t.app, adminA, { apiKeyIds: [] }))).toBe('INVALID');
    expect(await code(bulkRevokeApiKeys(t.app, adminA, { apiKeyIds: [mine.apiKey.id, mine.apiKey.id] }))).toBe('INVALID');
    expect(await t.db.apiKey.count({ where: { id: { in: [mine.apiKey.id, colleague.apiKey.id] }, revokedAt: { not: null } } })).toBe(0);
  });
});
