import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UserRole } from '@prisma/client';
import { RESOURCES, scopeFor, type Operation, type ResourceName, type Scope } from '../../src/domain/access/permissions.js';
import { appDatabase, type AppDatabase } from '../support/app-database.js';
import { AdminClient, expectNoSecrets, type ApiResponse } from '../support/admin-client.js';
import {
  EDIT_FIELD,
  FIXTURE_RESOURCES,
  GLOBAL_RESOURCES,
  SECRET_MARK,
  createPayload,
  createWorld,
  delegateOf,
  editValue,
  idFieldOf,
  makeRow,
  personOf,
  type Person,
  type World,
} from '../support/admin-fixtures.js';
import { startRunningApp, type RunningApp } from '../support/running-app.js';

/**
 * The permission matrix, driven over HTTP against the real panel: every role
 * against every resource and built-in action. Each case reads the matrix
 * (src/domain/access/permissions.ts) and asserts what the panel answers:
 *   none -> 403 for the action;
 *   all  -> rows of every organization;
 *   org  -> rows of the actor's organization; another organization's -> 404 / absent;
 *   own  -> the actor's own rows; a colleague's -> 404 / absent.
 * Every response is checked for secrets (hashes, ciphertexts, session blobs).
 */
const ROLES: UserRole[] = ['SUPERADMIN', 'ADMIN', 'USER', 'VIEWER'];

let t: AppDatabase;
let app: RunningApp;
let world: World;
const clients = {} as Record<UserRole, AdminClient>;
const secrets: string[] = [SECRET_MARK];

beforeAll(async () => {
  t = await appDatabase('admin_permissions');
  world = await createWorld(t.db);
  app = await startRunningApp(t);
  for (const role of ROLES) clients[role] = await AdminClient.signIn(app.baseUrl, personOf(world, role).email);
  secrets.push((await t.db.user.findUniqueOrThrow({ where: { id: world.user.id } })).passwordHash, '$argon2');
});
afterAll(async () => {
  await app?.close();
  await t?.drop();
});

/** Whose row an operation of this scope targets: the actor's own, a colleague's, another organization's. */
function ownerFor(scope: Scope, role: UserRole): Person {
  if (scope === 'own') return personOf(world, role);
  if (scope === 'org') return world.peer;
  return world.userB;
}

/** A row just out of reach for this scope (null when nothing is: 'all'). */
function outsiderFor(scope: Scope, resource: ResourceName): Person | null {
  if (scope === 'all' || GLOBAL_RESOURCES.has(resource)) return null;
  if (scope === 'own' && !ORG_WIDE_OWN.has(resource)) return world.peer;
  return world.userB;
}

// For these, 'own' rows are the organization's: a USER's organization, and the
// models enabled for them (the organization's own models are all of them).
const ORG_WIDE_OWN = new Set<ResourceName>(['Organization', 'AiModel']);

/** The row fixture for `resource` owned by `owner`, as a list would show it. */
async function visibleRow(resource: ResourceName, owner: Person): Promise<string> {
  if (resource === 'User') return owner.id;
  if (resource === 'Organization') return owner.organizationId!;
  return makeRow(t.db, resource, owner);
}

function expectClean(res: ApiResponse, label: string): ApiResponse {
  expectNoSecrets(res.body, secrets, label);
  return res;
}

const idsOf = (res: ApiResponse): string[] => (res.body?.records ?? []).map((r: { id: string }) => String(r.id));

async function exists(resource: ResourceName, id: string): Promise<boolean> {
  return (await delegateOf(t.db, resource).count({ where: { [idFieldOf(resource)]: id } })) === 1;
}

describe.each(ROLES)('%s', (role) => {
  const client = () => clients[role];
  const me = () => personOf(world, role);

  describe.each(RESOURCES.filter((r) => FIXTURE_RESOURCES.includes(r)).map((r) => [r]))('%s', (resource: ResourceName) => {
    const scope = (op: Operation) => scopeFor(role, resource, op);

    it('list and search: exactly the rows in scope', async () => {
      const read = scope('read');
      const kinds: Array<[string, Person]> = [['peer', world.peer], ['other', world.userB]];
      if (me().organizationId) kinds.unshift(['mine', me()]);
      const rows = Object.fromEntries(await Promise.all(kinds.map(async ([k, p]) => [k, await visibleRow(resource, p)] as const)));
      const list = expectClean(await client().list(resource), 'list');
      const search = expectClean(await client().search(resource), 'search');
      if (read === 'none') {
        expect(list.outcome).toBe('forbidden');
        expect(search.outcome).toBe('forbidden');
        return;
      }
      expect(list.outcome).toBe('ok');
      expect(search.outcome).toBe('ok');
      const expected = (kind: string) => {
        if (read === 'all' || GLOBAL_RESOURCES.has(resource)) return true;
        if (kind === 'other') return false;
        return kind === 'mine' || read === 'org' || ORG_WIDE_OWN.has(resource);
      };
      for (const res of [list, search]) {
        const ids = idsOf(res);
        for (const [kind, id] of Object.entries(rows)) expect(ids.includes(id), `${kind} row listed`).toBe(expected(kind));
        // Nothing at all of organization B, for anyone bound to organization A.
        if (read !== 'all' && !GLOBAL_RESOURCES.has(resource)) {
          if (resource === 'Organization') expect(ids).not.toContain(world.orgB.id);
          else expect(await delegateOf(t.db, resource).count({ where: { [idFieldOf(resource)]: { in: ids }, organizationId: world.orgB.id } })).toBe(0);
        }
      }
    });

    it('show: a record in scope, and one out of scope as not found', async () => {
      const read = scope('read');
      const target = await visibleRow(resource, ownerFor(read === 'none' ? 'org' : read, role));
      const res = expectClean(await client().show(resource, target), 'show');
      if (read === 'none') return void expect(res.outcome).toBe('forbidden');
      expect(res.outcome).toBe('ok');
      expect(String(res.body.record.id)).toBe(target);
      const outsider = outsiderFor(read, resource);
      if (outsider) expect(expectClean(await client().show(resource, await visibleRow(resource, outsider)), 'show').outcome).toBe('not-found');
      expect((await client().show(resource, '00000000-0000-4000-8000-000000000000')).outcome).toBe('not-found');
    });

    it('new: creates within scope, with tenancy and owner from the actor', async () => {
      const create = scope('create');
      const owner = ownerFor(create === 'none' ? 'org' : create, role);
      const payload = await createPayload(t.db, resource, me(), owner);
      const res = expectClean(await client().create(resource, payload?.fields ?? { name: 'x' }), 'new');
      if (create === 'none') {
        expect(res.outcome).toBe('forbidden');
        if (payload) expect(await delegateOf(t.db, resource).count({ where: payload.find })).toBe(0);
        return;
      }
      expect(payload, 'a create payload for this resource').not.toBeNull();
      expect(res.outcome, JSON.stringify(res.body?.record?.errors ?? res.body?.notice)).toBe('ok');
      const row = await delegateOf(t.db, resource).findFirst({ where: payload!.find });
      expect(row, 'created row').not.toBeNull();
      if ('organizationId' in row! && resource !== 'User') expect(row!.organizationId).toBe(owner.organizationId);
      if (resource === 'User') expect(row!.organizationId).toBe(owner.organizationId);
      if (create === 'own') expect(row!.userId ?? row!.ownerId).toBe(me().id);
      if ('realmId' in row!) expect(row!.realmId, 'lands in a realm').not.toBeNull();
    });

    it('edit: changes a record in scope; one out of scope is not found and unchanged', async () => {
      const update = scope('update');
      const field = EDIT_FIELD[resource];
      const target = await visibleRow(resource, ownerFor(update === 'none' ? 'org' : update, role));
      if (update === 'none') {
        expect(expectClean(await client().editForm(resource, target), 'edit form').outcome).toBe('forbidden');
        expect((await client().edit(resource, target, { [field ?? 'name']: 'x' })).outcome).toBe('forbidden');
        return;
      }
      expect(field, 'an editable field for this resource').toBeDefined();
      const value = editValue(resource);
      const res = expectClean(await client().editLikeTheForm(resource, target, { [field!]: value }), 'edit');
      expect(res.outcome, JSON.stringify(res.body?.record?.errors ?? res.body?.notice)).toBe('ok');
      const row = await delegateOf(t.db, resource).findFirst({ where: { [idFieldOf(resource)]: target } });
      expect(String(row![field!])).toBe(value);
      const outsider = outsiderFor(update, resource);
      if (!outsider) return;
      const victim = await visibleRow(resource, outsider);
      const before = await delegateOf(t.db, resource).findFirst({ where: { [idFieldOf(resource)]: victim } });
      expect((await client().editForm(resource, victim)).outcome).toBe('not-found');
      expect(expectClean(await client().edit(resource, victim, { [field!]: editValue(resource) }), 'edit').outcome).toBe('not-found');
      expect(await delegateOf(t.db, resource).findFirst({ where: { [idFieldOf(resource)]: victim } })).toEqual(before);
    });

    it('delete: removes a record in scope; one out of scope is not found and stays', async () => {
      const del = scope('delete');
      const victim = await makeRow(t.db, resource, ownerFor(del === 'none' ? 'org' : del, role));
      const res = expectClean(await client().delete(resource, victim), 'delete');
      if (del === 'none') {
        expect(res.outcome).toBe('forbidden');
        expect(await exists(resource, victim)).toBe(true);
        return;
      }
      expect(res.outcome, JSON.stringify(res.body?.notice)).toBe('ok');
      expect(await exists(resource, victim)).toBe(false);
      const outsider = outsiderFor(del, resource);
      if (!outsider) return;
      const kept = await makeRow(t.db, resource, outsider);
      expect((await client().delete(resource, kept)).outcome).toBe('not-found');
      expect(await exists(resource, kept)).toBe(true);
    });

    it('bulkDelete: all in scope go; a batch with one out of scope is not found and nothing goes', async () => {
      const del = scope('delete');
      const owner = ownerFor(del === 'none' ? 'org' : del, role);
      const victims = [await makeRow(t.db, resource, owner), await makeRow(t.db, resource, owner)];
      const res = expectClean(await client().bulkDelete(resource, victims), 'bulkDelete');
      if (del === 'none') {
        expect(res.outcome).toBe('forbidden');
        for (const v of victims) expect(await exists(resource, v)).toBe(true);
        return;
      }
      expect(res.outcome, JSON.stringify(res.body?.notice)).toBe('ok');
      for (const v of victims) expect(await exists(resource, v)).toBe(false);
      const outsider = outsiderFor(del, resource);
      if (!outsider) return;
      const mine = await makeRow(t.db, resource, owner);
      const theirs = await makeRow(t.db, resource, outsider);
      expect((await client().bulkDelete(resource, [mine, theirs])).outcome).toBe('not-found');
      expect(await exists(resource, mine)).toBe(true);
      expect(await exists(resource, theirs)).toBe(true);
    });
  });
});
