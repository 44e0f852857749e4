import AdminJS, { ViewHelpers, type ActionContext, type ActionRequest, type CurrentAdmin } from 'adminjs';
import { getModelByName } from '@adminjs/prisma';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UserRole } from '@prisma/client';
import { enforceMatrix, guardAction } from '../../src/admin/access/guard-action.js';
import { runAdminRequest } from '../../src/admin/access/admin-request.js';
import { clientModule, loadDatamodel } from '../../src/db/dmmf.js';
import type { RealmgateResource } from '../../src/admin/prisma-resource.js';
import { withTenant } from '../../src/db/tenant-context.js';
import { appDatabase, type AppDatabase } from '../support/app-database.js';
import { createWorld, makeRow, type Person, type World } from '../support/admin-fixtures.js';
import { startRunningApp, type RunningApp } from '../support/running-app.js';

/**
 * Custom actions under the matrix: guardAction (what screens use for their own
 * buttons) refuses roles without the operation and records outside its scope
 * before the action's own hooks run, and writes an audit row for each run;
 * enforceMatrix guards a custom action nobody wrapped as an update.
 */
let t: AppDatabase;
let app: RunningApp; // registers the panel's Prisma adapter, as the app does
let w: World;
let admin: AdminJS;
const ran: string[] = [];

beforeAll(async () => {
  t = await appDatabase('admin_custom_actions');
  w = await createWorld(t.db);
  app = await startRunningApp(t);
  const module = clientModule(loadDatamodel());
  const model = getModelByName('Document', module);
  const deprecate = async (_request: ActionRequest, _response: unknown, context: ActionContext) => {
    ran.push(String(context.record!.id()));
    await t.app.document.update({ where: { id: String(context.record!.id()) }, data: { state: 'DEPRECATED' } });
    return { record: context.record!.toJSON(context.currentAdmin) };
  };
  admin = new AdminJS({
    resources: [
      {
        resource: { model, client: t.app, clientModule: module },
        options: enforceMatrix('Document', {
          actions: {
            deprecate: guardAction('Document', 'update', { actionType: 'record', component: false, handler: deprecate }),
            unwrapped: { actionType: 'record', component: false, handler: deprecate },
          },
        }),
      },
    ],
  });
});
afterAll(async () => {
  await app?.close();
  await t?.drop();
});

/** Runs a record action as `person` would through the panel: their tenant, their request context. */
async function run(person: Person, actionName: string, recordId: string): Promise<{ notice?: { type: string; message: string } }> {
  const currentAdmin: CurrentAdmin = { id: person.id, email: person.email, role: person.role, organizationId: person.organizationId } as CurrentAdmin;
  const org = person.organizationId ? await t.db.organization.findUniqueOrThrow({ where: { id: person.organizationId } }) : null;
  const actor = { kind: 'user' as const, userId: person.id, organizationId: person.organizationId, role: person.role as UserRole, email: person.email, org: org && { type: org.type, pricingPlan: org.pricingPlan } };
  return runAdminRequest({ sessionUserId: person.id, actor, meta: { ip: '10.1.2.3', userAgent: 'custom-action-test' } }, () =>
    withTenant({ role: person.role, orgId: person.organizationId, userId: person.id }, async () => {
      const resource = admin.findResource('Document') as RealmgateResource;
      const action = resource.decorate().actions[actionName]!;
      // A crafted id reaches the action with a record built from the id alone (the panel would 404 earlier).
      const record = (await resource.findOne(recordId, { currentAdmin } as ActionContext)) ?? resource.build({ id: recordId });
      const context = { resource, action, h: new ViewHelpers({ options: admin.options }), currentAdmin, _admin: admin, record } as unknown as ActionContext;
      return (await action.handler({ method: 'get', params: { resourceId: 'Document', action: actionName, recordId }, query: {}, payload: {} } as ActionRequest, {}, context)) as { notice?: { type: string; message: string } };
    }),
  );
}

const stateOf = async (id: string) => (await t.db.document.findUniqueOrThrow({ where: { id } })).state;

describe('guardAction', () => {
  it('runs for a role with the operation, on a record in scope, and audits it', async () => {
    const doc = await makeRow(t.db, 'Document', w.peer);
    const res = await run(w.admin, 'deprecate', doc);
    expect(res.notice?.type).not.toBe('error');
    expect(await stateOf(doc)).toBe('DEPRECATED');
    const rows = await t.db.auditLog.findMany({ where: { recordId: doc } });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ action: 'document.deprecate', resource: 'Document', actorId: w.admin.id, actorRole: 'ADMIN', organizationId: w.orgA.id, ip: '10.1.2.3', userAgent: 'custom-action-test' });
    const changes = rows[0]!.changes as { before: Record<string, unknown>; after: Record<string, unknown> };
    expect(changes.before.state).toBe('PENDING');
    expect(changes.after.state).toBe('DEPRECATED');
  });

  it('answers not found for a record outside the scope, before the handler runs', async () => {
    const doc = await makeRow(t.db, 'Document', w.userB);
    ran.length = 0;
    const res = await run(w.admin, 'deprecate', doc);
    expect(res.notice?.type).toBe('error');
    expect(ran).toEqual([]);
    expect(await stateOf(doc)).toBe('PENDING');
    expect(await t.db.auditLog.count({ where: { recordId: doc } })).toBe(0);
  });

  it('refuses a role without the operation (a VIEWER), and a USER on a colleague\'s record', async () => {
    const doc = await makeRow(t.db, 'Document', w.peer);
    ran.length = 0;
    expect((await run(w.viewer, 'deprecate', doc)).notice?.type).toBe('error');
    expect((await run(w.user, 'deprecate', doc)).notice?.type).toBe('error');
    expect(ran).toEqual([]);
    expect(await stateOf(doc)).toBe('PENDING');
  });
});

describe('enforceMatrix', () => {
  it('guards a custom action nobody wrapped as an update, and audits it', async () => {
    const doc = await makeRow(t.db, 'Document', w.viewer);
    expect((await run(w.viewer, 'unwrapped', doc)).notice?.type).toBe('error');
    expect(await stateOf(doc)).toBe('PENDING');
    expect((await run(w.admin, 'unwrapped', doc)).notice?.type).not.toBe('error');
    expect(await stateOf(doc)).toBe('DEPRECATED');
    expect((await t.db.auditLog.findFirstOrThrow({ where: { recordId: doc } })).action).toBe('document.unwrapped');
  });

  it('lets a resource spec narrow a built-in action, never widen it', () => {
    const options = enforceMatrix('AuditLog', { actions: { edit: { isAccessible: true }, list: { isAccessible: false } } });
    const superadmin = { currentAdmin: { id: w.superadmin.id, email: w.superadmin.email, role: 'SUPERADMIN', organizationId: null } } as unknown as ActionContext;
    const actions = options.actions as Record<string, { isAccessible: (c: ActionContext) => boolean }>;
    expect(actions.edit!.isAccessible(superadmin)).toBe(false); // the matrix: audit rows are never edited
    expect(actions.list!.isAccessible(superadmin)).toBe(false); // the spec narrowed it
    expect(actions.show!.isAccessible(superadmin)).toBe(true);
  });
});
