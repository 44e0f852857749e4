import { ForbiddenError, NotFoundError, ValidationError, type ActionContext, type ActionHandler, type ActionRequest, type ActionResponse, type Before, type RecordJSON, type ResourceOptions } from 'adminjs';
import type { Operation } from '../../domain/access/permissions.js';
import { actorFromAdmin, mayUse, rowScope } from '../auth/admin-access.js';
import { recordPanelAudit } from '../audit/panel-audit.js';

/** AdminJS's built-in actions and the permission-matrix operation each one is. */
export const BUILT_IN_OPERATIONS: Record<string, Operation> = {
  list: 'read',
  show: 'read',
  search: 'read',
  new: 'create',
  edit: 'update',
  delete: 'delete',
  bulkDelete: 'delete',
};

/** Where a guarded action keeps its operation (AdminJS deep-merges action options, so a plain key). */
export const OPERATION_KEY = 'realmgateOperation';

/** Who writes a guarded action's audit row: 'panel' (audited() below) or 'domain' (its domain function; see actions/action-audits.ts). */
export const AUDIT_KEY = 'realmgateAudit';

type ActionOptions = Record<string, any>;
type AccessCheck = boolean | ((context: ActionContext) => boolean) | undefined;

/** What the panel needs from a resource to guard and audit actions (RealmgateResource has it). */
interface GuardedResource {
  inScope(id: string | number, context: Pick<ActionContext, 'currentAdmin'>, op: Operation): Promise<boolean>;
  countInScope(ids: Array<string | number>, context: Pick<ActionContext, 'currentAdmin'>, op: Operation): Promise<{ found: number; asked: number }>;
  deleteAll(ids: Array<string | number>, context: ActionContext, action: 'delete' | 'bulk-delete'): Promise<void>;
  auditClient(): Parameters<typeof recordPanelAudit>[0];
}
const guarded = (resource: unknown): GuardedResource | null => (resource && typeof (resource as GuardedResource).inScope === 'function' ? (resource as GuardedResource) : null);

/** The operation the matrix checks for `actionName` (custom actions say theirs through guardAction; unknown ones count as updates). */
export function operationOfAction(actionName: string, options?: ActionOptions): Operation {
  return (options?.[OPERATION_KEY] as Operation | undefined) ?? BUILT_IN_OPERATIONS[actionName] ?? 'update';
}

/**
 * Wraps a custom action so the matrix governs it like a built-in one: hidden and
 * refused unless the role may `operation` the resource, its record(s) checked to
 * be within that operation's scope before any of its own `before` hooks run
 * (AdminJS runs `before` hooks ahead of isAccessible), and an audit row written
 * when it ran (POST, or any call of an action without a component). Pass
 * `audit: 'domain'` when the handler's domain function records its own row.
 * The audit row is written after the handler, not in its transaction: the
 * handler owns that transaction.
 */
export function guardAction<T extends ActionOptions>(resource: string, operation: Operation, action: T, opts: { audit?: 'panel' | 'domain' } = {}): T {
  const handler = action.handler as ActionHandler<ActionResponse> | undefined;
  return {
    ...action,
    [OPERATION_KEY]: operation,
    [AUDIT_KEY]: opts.audit ?? 'panel',
    isAccessible: both(matrixAllows(resource, operation), action.isAccessible as AccessCheck),
    before: [refuseOutOfScope(resource, operation), ...toArray(action.before)],
    ...(handler && opts.audit !== 'domain' ? { handler: audited(resource, action, handler) } : {}),
  };
}

/**
 * The matrix over a resource's options: built-in actions are allowed only when
 * the matrix allows their operation (whatever a resource spec says: a spec may
 * narrow, never widen) and are refused before any `before` hook runs; bulk delete
 * deletes all or nothing in one transaction; custom actions not wrapped with
 * guardAction are guarded as updates.
 */
export function enforceMatrix(resource: string, options: ResourceOptions): ResourceOptions {
  const actions: Record<string, ActionOptions> = { ...(options.actions as Record<string, ActionOptions> | undefined) };
  for (const [name, op] of Object.entries(BUILT_IN_OPERATIONS)) {
    const spec = actions[name] ?? {};
    actions[name] = {
      ...spec,
      [OPERATION_KEY]: op,
      isAccessible: both(matrixAllows(resource, op), spec.isAccessible as AccessCheck),
      before: [refuseOutOfScope(resource, op), ...toArray(spec.before)],
      ...(name === 'bulkDelete' && !spec.handler ? { handler: bulkDeleteAllOrNothing } : {}),
    };
  }
  for (const [name, action] of Object.entries(actions)) {
    if (action && !(name in BUILT_IN_OPERATIONS) && !action[OPERATION_KEY]) actions[name] = guardAction(resource, 'update', action);
  }
  return { ...options, actions };
}

/** The matrix allows the operation; on a given record, unless its params show it is out of scope (buttons that would only 404 stay hidden). */
function matrixAllows(resourceName: string, op: Operation) {
  return ({ currentAdmin, record, resource }: ActionContext) => {
    if (!mayUse(currentAdmin, resourceName, op)) return false;
    const admits = (resource as { admits?: (r: unknown, w: Record<string, unknown> | null) => boolean | undefined } | undefined)?.admits;
    if (!record || op === 'create' || !admits) return true;
    return admits.call(resource, record, rowScope(currentAdmin, resourceName, op)) !== false;
  };
}

function both(matrix: (context: ActionContext) => boolean, spec: AccessCheck): (context: ActionContext) => boolean {
  return (context) => matrix(context) && (spec === undefined ? true : typeof spec === 'function' ? !!spec(context) : !!spec);
}

function refuseOutOfScope(resourceName: string, op: Operation): Before {
  return async (request: ActionRequest, context: ActionContext) => {
    if (!mayUse(context.currentAdmin, resourceName, op)) throw new ForbiddenError('You may not do this');
    const resource = guarded(context.resource);
    if (!resource) return request;
    if (context.record && !(await resource.inScope(context.record.id(), context, op))) throw new NotFoundError('Record not found', 'Action#before');
    if (context.records?.length) {
      const { found, asked } = await resource.countInScope(context.records.map((r) => r.id()), context, op);
      if (found !== asked) throw new NotFoundError('Record not found', 'Action#before');
    }
    return request;
  };
}

function audited(resourceName: string, action: ActionOptions, handler: ActionHandler<ActionResponse>): ActionHandler<ActionResponse> {
  return async (request, response, context) => {
    const result = await handler(request, response, context);
    const ran = request.method === 'post' || action.component === false;
    const failed = (result as { notice?: { type?: string } } | undefined)?.notice?.type === 'error';
    const actor = actorFromAdmin(context.currentAdmin);
    const resource = guarded(context.resource);
    if (!ran || failed || !actor || !resource) return result;
    const targets = context.record ? [context.record] : (context.records ?? []);
    const name = String(action.name ?? context.action?.name ?? 'action');
    if (!targets.length) {
      await recordPanelAudit(resource.auditClient(), actor, { resource: resourceName, action: name, recordId: null, after: { payload: request.payload ?? {} } });
      return result;
    }
    for (const before of targets) {
      const after = await context.resource.findOne(before.id(), context);
      await recordPanelAudit(resource.auditClient(), actor, { resource: resourceName, action: name, recordId: String(before.id()), before: before.params, after: after?.params ?? null });
    }
    return result;
  };
}

/** AdminJS's bulk delete deletes each record on its own; this one deletes all or none, with an audit row each. */
const bulkDeleteAllOrNothing: ActionHandler<ActionResponse> = async (request, _response, context) => {
  const { records, resource, h, currentAdmin } = context;
  if (!records?.length) throw new NotFoundError('no records were selected.', 'Action#handler');
  const json = (): RecordJSON[] => records.map((r) => r.toJSON(currentAdmin));
  if (request.method !== 'post') return { records: json() };
  const target = guarded(resource);
  if (!target) throw new ForbiddenError('Bulk delete is not available here');
  try {
    await target.deleteAll(records.map((r) => r.id()), context, 'bulk-delete');
  } catch (e) {
    if (!(e instanceof ValidationError)) throw e;
    return { records: json(), notice: { message: e.baseError?.message ?? 'thereWereValidationErrors', type: 'error' } };
  }
  return {
    records: json(),
    notice: { message: records.length > 1 ? 'successfullyBulkDeleted_plural' : 'successfullyBulkDeleted', options: { count: records.length }, resourceId: resource.id(), type: 'success' },
    redirectUrl: h.resourceUrl({ resourceId: resource._decorated?.id() || resource.id() }),
  };
};

function toArray<T>(v: T | T[] | undefined): T[] {
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}
