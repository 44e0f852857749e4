import crypto from 'node:crypto';
import type { PrismaClient, UserRole } from '@prisma/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDatamodel } from '../../src/db/dmmf.js';
import { scopeFor, type ResourceName } from '../../src/domain/access/permissions.js';
import { withTenant } from '../../src/db/tenant-context.js';
import { appDatabase, type AppDatabase } from './app-database.js';
import { AdminClient, type ApiResponse } from './admin-client.js';
import { createWorld, personOf, type Person, type World } from './admin-fixtures.js';
import { startRunningApp, type RunningApp } from './running-app.js';

/** What a generated resource test (test/resources/*.test.ts) says about its resource. */
export interface ResourceMatrixSpec {
  resource: string;
  tenancy: 'org' | 'realm' | 'global';
  /** A new row belonging to `owner` (their organization, realm and user), written as the database owner. */
  makeRow(db: PrismaClient, owner: Person): Promise<string>;
  /** The fields the "new" form would post, marked with `mark`. */
  createForm(mark: string): Record<string, unknown>;
  /** A where that finds the row createForm(mark) made; null when nothing can. */
  findCreated: ((mark: string) => Record<string, unknown>) | null;
}

const ROLES: UserRole[] = ['SUPERADMIN', 'ADMIN', 'USER', 'VIEWER'];

/**
 * The permission matrix over HTTP for one resource, whatever its row says:
 * none -> 403; all -> every organization's rows; org -> the actor's
 * organization's only; own -> the actor's own only. Another organization's row
 * is never listed, shown, changed or deleted by anyone bound to an
 * organization, and row-level security alone (no where clause) hides it too.
 */
export function describeResourceMatrix(spec: ResourceMatrixSpec): void {
  const resource = spec.resource as ResourceName;
  const model = loadDatamodel().models.find((m) => m.name === spec.resource);
  const delegate = (db: PrismaClient) => (db as unknown as Record<string, any>)[spec.resource.charAt(0).toLowerCase() + spec.resource.slice(1)];
  const hasField = (name: string) => !!model?.fields.some((f) => f.name === name);
  let t: AppDatabase;
  let app: RunningApp;
  let world: World;
  const clients = {} as Record<UserRole, AdminClient>;

  beforeAll(async () => {
    expect(model, `model ${spec.resource} in src/generated/dmmf.json (run npm run generate)`).toBeDefined();
    t = await appDatabase(`resource_${spec.resource}`);
    world = await createWorld(t.db);
    app = await startRunningApp(t);
    for (const role of ROLES) clients[role] = await AdminClient.signIn(app.baseUrl, personOf(world, role).email);
  });
  afterAll(async () => {
    await app?.close();
    await t?.drop();
  });

  const ids = (res: ApiResponse): string[] => (res.body?.records ?? []).map((r: { id: string }) => String(r.id));
  const exists = async (id: string) => (await delegate(t.db).count({ where: { id } })) === 1;
  const global = spec.tenancy === 'global';

  it('row-level security alone keeps organizations apart', async () => {
    const theirs = await spec.makeRow(t.db, world.userB);
    const ctx = { role: 'ADMIN' as const, orgId: world.orgA.id, userId: world.admin.id };
    const seen = await withTenant(ctx, () => delegate(t.app).findMany({ where: { id: theirs } }));
    expect(seen.length, 'organization A sees a row of organization B').toBe(global ? 1 : 0);
    if (!global) expect((await delegate(t.app).findMany({ where: { id: theirs } })).length, 'no tenant context sees the row').toBe(0);
  });

  describe.each(ROLES)('%s', (role) => {
    const me = () => personOf(world, role);
    const scope = (op: 'read' | 'create' | 'update' | 'delete') => scopeFor(role, resource, op);

    it('list: exactly the rows in scope, never another organization\'s', async () => {
      const mine = me().organizationId ? await spec.makeRow(t.db, me()) : null;
      const peer = await spec.makeRow(t.db, world.peer);
      const theirs = await spec.makeRow(t.db, world.userB);
      const res = await clients[role].list(spec.resource);
      if (scope('read') === 'none') return void expect(res.outcome).toBe('forbidden');
      expect(res.outcome).toBe('ok');
      const listed = ids(res);
      const read = scope('read');
      if (mine) expect(listed.includes(mine), 'own row listed').toBe(true);
      expect(listed.includes(peer), 'a colleague\'s row listed').toBe(read === 'all' || read === 'org' || global);
      expect(listed.includes(theirs), 'another organization\'s row listed').toBe(read === 'all' || global);
    });

    it('show, edit and delete of another organization\'s row: refused, nothing changes', async () => {
      const theirs = await spec.makeRow(t.db, world.userB);
      const before = await delegate(t.db).findUnique({ where: { id: theirs } });
      const show = await clients[role].show(spec.resource, theirs);
      const del = await clients[role].delete(spec.resource, theirs);
      if (scope('read') === 'all' || global) {
        expect(show.outcome).toBe(scope('read') === 'none' ? 'forbidden' : 'ok');
      } else {
        expect(show.outcome).toBe(scope('read') === 'none' ? 'forbidden' : 'not-found');
      }
      if (scope('delete') === 'all') {
        expect(del.outcome).toBe('ok');
        return void expect(await exists(theirs)).toBe(false);
      }
      expect(['forbidden', 'not-found']).toContain(del.outcome);
      expect(await delegate(t.db).findUnique({ where: { id: theirs } })).toEqual(before);
    });

    it('new: allowed exactly when the matrix says, into the actor\'s organization', async () => {
      const mark = crypto.randomBytes(4).toString('hex');
      const fields: Record<string, unknown> = { ...spec.createForm(mark) };
      const owner = role === 'SUPERADMIN' ? world.user : me();
      if (role === 'SUPERADMIN' && !global) fields.organization = owner.organizationId;
      if (role !== 'USER' && hasField('userId')) fields.user = owner.id;
      const res = await clients[role].create(spec.resource, fields);
      const created = spec.findCreated ? await delegate(t.db).findFirst({ where: spec.findCreated(mark) }) : null;
      if (scope('create') === 'none') {
        expect(res.outcome).toBe('forbidden');
        if (spec.findCreated) expect(created).toBeNull();
        return;
      }
      expect(res.outcome, JSON.stringify(res.body?.record?.errors ?? res.body?.notice)).toBe('ok');
      if (!spec.findCreated) return;
      expect(created, 'created row').not.toBeNull();
      if (!global) expect(created.organizationId).toBe(owner.organizationId);
    });

    it('delete of an own-organization row follows the matrix', async () => {
      const owner = me().organizationId ? me() : world.user;
      const row = await spec.makeRow(t.db, owner);
      const res = await clients[role].delete(spec.resource, row);
      if (scope('delete') === 'none') {
        expect(res.outcome).toBe('forbidden');
        return void expect(await exists(row)).toBe(true);
      }
      expect(res.outcome).toBe('ok');
      expect(await exists(row)).toBe(false);
    });
  });
}

/** A random hex suffix for fixture values. */
export const suffix = (): string => crypto.randomBytes(4).toString('hex');
