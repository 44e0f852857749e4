import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueApiKey } from '../../src/domain/api-keys/issue-api-key.js';
import { hashApiKey, isWellFormedApiKey } from '../../src/domain/api-keys/api-key-secret.js';
import { AppError } from '../../src/domain/shared/app-error.js';
import type { Actor } from '../../src/domain/shared/actor.js';
import { appDatabase, type AppDatabase } from '../support/app-database.js';
import { actorFor, createModel, createOrg, createUser } from '../support/factories.js';

const PEPPER = 'test-pepper-0123456789-0123456789-xx';
let t: AppDatabase;
let orgA: { id: string };
let orgB: { id: string };
let adminA: Actor;
let userA: Actor;
let userAId: string;
let viewerA: Actor;
let userBId: string;

beforeAll(async () => {
  t = await appDatabase('issue_api_key');
  orgA = await createOrg(t.db, { type: 'MARKETING', pricingPlan: 'PRO' });
  orgB = await createOrg(t.db);
  adminA = await actorFor(t.db, await createUser(t.db, orgA, 'ADMIN'));
  const u = await createUser(t.db, orgA, 'USER');
  userAId = u.id;
  userA = await actorFor(t.db, u);
  viewerA = await actorFor(t.db, await createUser(t.db, orgA, 'VIEWER'));
  userBId = (await createUser(t.db, orgB, 'USER')).id;
});
afterAll(async () => t?.drop());

const code = async (p: Promise<unknown>) => p.then(() => 'OK', (e) => (e instanceof AppError ? e.code : String(e)));

describe('issueApiKey', () => {
  it('returns the secret once and stores only its HMAC and a display prefix', async () => {
    const { apiKey, secret } = await issueApiKey(t.app, userA, { name: 'CLI' }, { pepper: PEPPER });
    expect(isWellFormedApiKey(secret)).toBe(true);
    expect(apiKey).not.toHaveProperty('keyHash');
    const row = await t.db.apiKey.findUniqueOrThrow({ where: { id: apiKey.id } });
    expect(row.keyHash).toBe(hashApiKey(PEPPER, secret));
    expect(secret.startsWith(row.prefix)).toBe(true);
    // the secret is nowhere in the database
    const { rows } = await import('pg').then(async ({ default: pg }) => {
      const c = new pg.Client({ connectionString: t.url });
      await c.connect();
      try {
        return await c.query(`SELECT count(*)::int AS n FROM api_keys k, audit_logs a WHERE k::text LIKE $1 OR a::text LIKE $1`, [`%${secret.slice(12)}%`]);
      } finally {
        await c.end();
      }
    });
    expect(rows[0].n).toBe(0);
  });

  it("lands in the owner's default realm when none is given, creating it once", async () => {
    const [a, b] = await Promise.all([
      issueApiKey(t.app, adminA, { name: 'k1', userId: userAId }, { pepper: PEPPER }),
      issueApiKey(t.app, adminA, { name: 'k2', userId: userAId }, { pepper: PEPPER }),
    ]);
    expect(a.apiKey.realmId).toBeTruthy();
    expect(a.apiKey.realmId).toBe(b.apiKey.realmId);
    expect(await t.db.realm.count({ where: { ownerId: userAId, isDefault: true } })).toBe(1);
  });

  it('is audited with the secret absent', async () => {
    const { apiKey } = await issueApiKey(t.app, adminA, { name: 'audited', userId: userAId, scopes: ['models:read'] }, { pepper: PEPPER }, { ip: '203.0.113.9' });
    const audit = await t.db.auditLog.findFirstOrThrow({ where: { recordId: apiKey.id } });
    expect(audit.action).toBe('api-key.issue');
    expect(audit.ip).toBe('203.0.113.9');
    expect(JSON.stringify(audit.changes)).not.toMatch(/keyHash"\s*:\s*"[0-9a-f]{64}/);
  });

  it('keeps tenants apart and respects roles', async () => {
    expect(await code(issueApiKey(t.app, adminA, { name: 'x', userId: userBId }, { pepper: PEPPER }))).toBe('NOT_FOUND');
    expect(await code(issueApiKey(t.app, userA, { name: 'x', userId: (await t.db.user.findFirstOrThrow({ where: { organizationId: orgA.id, role: 'ADMIN' } })).id }, { pepper: PEPPER }))).toBe('NOT_FOUND');
    expect(await code(issueApiKey(t.app, viewerA, { name: 'x' }, { pepper: PEPPER }))).toBe('NOT_FOUND');
  });

  it('rejects bad input with INVALID and writes nothing', async () => {
    const before = await t.db.apiKey.count();
    expect(await code(issueApiKey(t.app, userA, { name: '' }, { pepper: PEPPER }))).toBe('INVALID');
    expect(await code(issueApiKey(t.app, userA, { name: 'x', scopes: ['root' as never] }, { pepper: PEPPER }))).toBe('INVALID');
    expect(await code(issueApiKey(t.app, userA, { name: 'x', expiresAt: new Date(Date.now() - 1000) }, { pepper: PEPPER }))).toBe('INVALID');
    const foreignModel = await createModel(t.db, { organizationId: orgB.id });
    expect(await code(issueApiKey(t.app, adminA, { name: 'x', allowedModelIds: [foreignModel.id] }, { pepper: PEPPER }))).toBe('INVALID');
    expect(await t.db.apiKey.count()).toBe(before);
  });
});
