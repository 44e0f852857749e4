import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appDatabase, type AppDatabase } from '../support/app-database.js';
import { AdminClient } from '../support/admin-client.js';
import { createWorld, makeRow, type World } from '../support/admin-fixtures.js';
import { createUser } from '../support/factories.js';
import { startRunningApp, type RunningApp } from '../support/running-app.js';

/**
 * The audit log of changes people make through the panel, read straight from
 * audit_logs: who, role, action, resource, record id, the changed fields before
 * and after with secrets redacted, IP, user agent, time; written in the same
 * transaction as the change; visible to superadmins entirely and to an org's
 * admins for their organization, in a list filterable by action, resource,
 * actor, time and record id.
 */
let t: AppDatabase;
let app: RunningApp;
let w: World;
let superadmin: AdminClient;
let admin: AdminClient;
let adminB: AdminClient;

beforeAll(async () => {
  t = await appDatabase('admin_audit');
  w = await createWorld(t.db);
  app = await startRunningApp(t);
  [superadmin, admin, adminB] = await Promise.all([w.superadmin, w.admin, w.adminB].map((p) => AdminClient.signIn(app.baseUrl, p.email)));
});
afterAll(async () => {
  await app?.close();
  await t?.drop();
});

const auditFor = (recordId: string) => t.db.auditLog.findMany({ where: { recordId }, orderBy: { occurredAt: 'asc' } });

async function allAuditText(): Promise<string> {
  const c = new pg.Client({ connectionString: t.url });
  await c.connect();
  try {
    const { rows } = await c.query<{ t: string }>(`SELECT coalesce(string_agg(a::text, E'\\n'), '') AS t FROM audit_logs a`);
    return rows[0]!.t;
  } finally {
    await c.end();
  }
}

describe('writes through the panel are audited', () => {
  it('create: actor, role, action, resource, record id, the new values with the password hash redacted, IP, user agent, time', async () => {
    const started = new Date(Date.now() - 1000);
    const res = await admin.create('User', { username: 'audited1', email: 'audited1@test.example', password: 'a-long-enough-password', displayName: 'Aud' });
    expect(res.outcome).toBe('ok');
    const created = await t.db.user.findUniqueOrThrow({ where: { username: 'audited1' } });
    const [row, ...more] = await auditFor(created.id);
    expect(more).toEqual([]);
    expect(row).toMatchObject({
      actorId: w.admin.id,
      actorRole: 'ADMIN',
      actorLabel: w.admin.email,
      organizationId: w.orgA.id,
      action: 'user.create',
      resource: 'User',
      recordId: created.id,
      userAgent: admin.userAgent,
    });
    expect(row!.ip).toMatch(/127\.0\.0\.1/);
    expect(row!.occurredAt.getTime()).toBeGreaterThanOrEqual(started.getTime());
    const changes = row!.changes as { before: unknown; after: Record<string, unknown> };
    expect(changes.before).toBeNull();
    expect(changes.after).toMatchObject({ username: 'audited1', displayName: 'Aud', role: 'USER', organizationId: w.orgA.id, passwordHash: '[redacted]' });
    expect(await allAuditText()).not.toContain(created.passwordHash);
    expect(await allAuditText()).not.toContain('a-long-enough-password');
  });

  it('update: only the changed fields, before and after; a password is refused there (issue #7) and never logged', async () => {
    const peer = await createUser(t.db, w.orgA, 'USER', { displayName: 'Old name' });
    const refused = await admin.editLikeTheForm('User', peer.id, { displayName: 'New name', password: 'another-long-password' });
    expect(refused.outcome).toBe('invalid');
    expect(await auditFor(peer.id)).toEqual([]);
    // The password itself changes only through setTemporaryPassword / the change-password form; here a script sets it.
    await t.db.user.update({ where: { id: peer.id }, data: { passwordHash: 'changed-elsewhere', passwordChangedAt: new Date() } });
    const res = await admin.editLikeTheForm('User', peer.id, { displayName: 'New name' });
    expect(res.outcome).toBe('ok');
    const rows = await auditFor(peer.id);
    expect(rows.map((r) => r.action)).toEqual(['user.update']);
    const { before, after } = rows[0]!.changes as { before: Record<string, unknown>; after: Record<string, unknown> };
    expect(before).toMatchObject({ displayName: 'Old name' });
    expect(after).toMatchObject({ displayName: 'New name' });
    expect(Object.keys(after)).not.toContain('email'); // unchanged fields are left out
    expect(Object.keys(after)).not.toContain('passwordHash');
    const text = await allAuditText();
    expect(text).not.toContain((await t.db.user.findUniqueOrThrow({ where: { id: peer.id } })).passwordHash);
    expect(text).not.toContain('another-long-password');
  });

  it('an edit that changes nothing writes nothing', async () => {
    const peer = await createUser(t.db, w.orgA, 'USER');
    expect((await admin.editLikeTheForm('User', peer.id, {})).outcome).toBe('ok');
    expect(await auditFor(peer.id)).toEqual([]);
  });

  it('delete: the record as it was', async () => {
    const docId = await makeRow(t.db, 'Document', w.peer);
    expect((await admin.delete('Document', docId)).outcome).toBe('ok');
    const [row] = await auditFor(docId);
    expect(row).toMatchObject({ action: 'document.delete', resource: 'Document', actorId: w.admin.id, organizationId: w.orgA.id });
    expect((row!.changes as { before: Record<string, unknown>; after: unknown }).before).toMatchObject({ id: docId, userId: w.peer.id });
  });

  it('bulk delete: one row per record, all in one transaction with the deletes', async () => {
    const ids = [await makeRow(t.db, 'ApiKey', w.peer), await makeRow(t.db, 'ApiKey', w.peer)];
    expect((await admin.bulkDelete('ApiKey', ids)).outcome).toBe('ok');
    for (const id of ids) {
      const rows = await auditFor(id);
      expect(rows.map((r) => r.action)).toEqual(['api-key.bulk-delete']);
      expect(JSON.stringify(rows[0]!.changes)).toContain('[redacted]'); // keyHash
      expect(JSON.stringify(rows[0]!.changes)).not.toMatch(/S3CR3TMARK/);
    }
  });

  it('a superadmin deleting an organization: the entry belongs to no organization', async () => {
    const org = await t.db.organization.create({ data: { name: `Doomed ${Date.now()}` } });
    expect((await superadmin.delete('Organization', org.id)).outcome).toBe('ok');
    const [row] = await auditFor(org.id);
    expect(row).toMatchObject({ action: 'organization.delete', actorRole: 'SUPERADMIN', organizationId: null });
  });

  it('a refused or failed write leaves no audit row', async () => {
    const before = await t.db.auditLog.count();
    expect((await admin.create('User', { username: 'x', email: 'x@test.example', password: 'a-long-enough-password', role: 'SUPERADMIN' })).outcome).toBe('invalid');
    // A unique violation: the database refuses, the transaction rolls back.
    expect((await admin.create('User', { username: 'audited1', email: 'dup@test.example', password: 'a-long-enough-password' })).outcome).toBe('invalid');
    expect(await t.db.auditLog.count()).toBe(before);
  });

  it('the audit row and the change commit together: when the audit insert fails, the change is rolled back', async () => {
    await t.db.$executeRawUnsafe(`
      CREATE FUNCTION test_fail_audit() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'audit refused for the test'; END $$;
      CREATE TRIGGER test_fail_audit BEFORE INSERT ON audit_logs FOR EACH ROW
        WHEN (NEW.changes::text LIKE '%audit-must-fail%') EXECUTE FUNCTION test_fail_audit();`);
    try {
      const res = await admin.create('Agent', { key: 'audit-must-fail', name: 'audit-must-fail' });
      expect(res.outcome).not.toBe('ok');
      expect(await t.db.agent.count({ where: { key: 'audit-must-fail' } })).toBe(0);
      const docId = await makeRow(t.db, 'Document', w.peer);
      expect((await admin.edit('Document', docId, { name: 'audit-must-fail' })).outcome).not.toBe('ok');
      expect((await t.db.document.findUniqueOrThrow({ where: { id: docId } })).name).not.toBe('audit-must-fail');
    } finally {
      await t.db.$executeRawUnsafe('DROP TRIGGER test_fail_audit ON audit_logs; DROP FUNCTION test_fail_audit();');
    }
  });
});

describe('the audit screen', () => {
  let docA: string;
  let docB: string;
  beforeAll(async () => {
    docA = await makeRow(t.db, 'Document', w.peer);
    docB = await makeRow(t.db, 'Document', w.userB);
    expect((await admin.edit('Document', docA, { name: 'renamed A' })).outcome).toBe('ok');
    expect((await adminB.edit('Document', docB, { name: 'renamed B' })).outcome).toBe('ok');
  });

  const recordIdsOf = async (client: AdminClient, query = '') => {
    const res = await client.list('AuditLog', query);
    expect(res.outcome).toBe('ok');
    return res.body.records.map((r: { params: { recordId: string } }) => r.params.recordId);
  };

  it('superadmins see every organization\'s entries, admins only their own', async () => {
    expect(await recordIdsOf(superadmin)).toEqual(expect.arrayContaining([docA, docB]));
    const mine = await recordIdsOf(admin);
    expect(mine).toContain(docA);
    expect(mine).not.toContain(docB);
    const entryB = await t.db.auditLog.findFirstOrThrow({ where: { recordId: docB } });
    expect((await admin.show('AuditLog', entryB.id)).outcome).toBe('not-found');
  });

    // The filter is on actorId: the log has no foreign key to users any more (migration 0009), the column is a reference to User.
  it('filters by action, resource, actor, record id and time', async () => {
    const entryA = await t.db.auditLog.findFirstOrThrow({ where: { recordId: docA } });
    const from = new Date(entryA.occurredAt.getTime() - 1).toISOString();
    const to = new Date(entryA.occurredAt.getTime() + 1).toISOString();
    expect(await recordIdsOf(superadmin, `filters.recordId=${docA}`)).toEqual([docA]);
    expect(await recordIdsOf(superadmin, `filters.action=document.update&filters.actorId=${w.adminB.id}`)).toEqual([docB]);
    expect(new Set(await recordIdsOf(superadmin, `filters.resource=Document&filters.actorId=${w.admin.id}&filters.occurredAt~~from=${from}&filters.occurredAt~~to=${to}`))).toEqual(new Set([docA]));
    expect(await recordIdsOf(admin, `filters.actorId=${w.adminB.id}`)).toEqual([]);
  });

  it('is read-only: nobody edits or deletes an entry', async () => {
    const entry = await t.db.auditLog.findFirstOrThrow({ where: { recordId: docA } });
    expect((await superadmin.edit('AuditLog', entry.id, { action: 'forged' })).outcome).toBe('forbidden');
    expect((await superadmin.delete('AuditLog', entry.id)).outcome).toBe('forbidden');
    expect((await superadmin.create('AuditLog', { action: 'forged', resource: 'X' })).outcome).toBe('forbidden');
    expect((await t.db.auditLog.findUniqueOrThrow({ where: { id: entry.id } })).action).toBe('document.update');
  });
});
