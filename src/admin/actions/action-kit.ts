import type { ActionContext, ActionHandler, ActionRequest, ActionResponse, RecordJSON } from 'adminjs';
import type { Logger } from '../../logger.js';
import type { Operation, ResourceName } from '../../domain/access/permissions.js';
import { can, mayWriteField } from '../../domain/access/scope.js';
import { AppError, isAppError } from '../../domain/shared/app-error.js';
import { adminRequestMeta, type UserActor } from '../access/admin-request.js';
import { guardAction } from '../access/guard-action.js';
import { actorFromAdmin } from '../auth/admin-access.js';

/**
 * Shared plumbing of the panel's custom actions: each one is a thin adapter
 * (request -> domain call -> notice and data back). The domain function is the
 * real guard; isAccessible only hides buttons a role could not use.
 */

export type Notice = { message: string; type: 'success' | 'error' | 'info' };
export type Payload = Record<string, unknown>;
export type AdapterResult = Record<string, unknown> & { notice?: Notice };

/** What a handler body gets: who is asking, the parsed request, and the audit meta of this request. */
export interface ActionInput {
  actor: UserActor;
  request: ActionRequest;
  context: ActionContext;
  payload: Payload;
  /** GET (load the screen) or POST (do it). */
  isPost: boolean;
  /** { ip, userAgent } of the request being served, for the audit rows the domain writes. */
  meta: { ip?: string | null; userAgent?: string | null };
}

export const GENERIC_FAILURE = 'Something went wrong; nothing was changed. Try again, and tell an administrator if it persists.';

/** The notice for a failure: an AppError's own message, anything else logged and answered generically. */
export function failureNotice(e: unknown, log: Logger, action: string): Notice {
  if (isAppError(e)) return { message: e.message, type: 'error' };
  log.error({ err: e, action }, 'admin action failed');
  return { message: GENERIC_FAILURE, type: 'error' };
}

/** The shown record(s) as JSON, as every record (bulk) action response must carry them. */
export function shownRecords(context: ActionContext): { record?: RecordJSON; records?: RecordJSON[] } {
  const { record, records, currentAdmin } = context;
  return {
    ...(record ? { record: record.toJSON(currentAdmin) } : {}),
    ...(records ? { records: records.map((r) => r.toJSON(currentAdmin)) } : {}),
  };
}

/**
 * An action handler around `body`: resolves the actor (none = FORBIDDEN
 * notice), passes the request's audit meta, always answers with the record(s)
 * the route expects, and turns errors into notices.
 */
export function adapt(log: Logger, name: string, body: (input: ActionInput) => Promise<AdapterResult>): ActionHandler<ActionResponse> {
  return async (request, _response, context) => {
    const base = shownRecords(context);
    try {
      const actor = actorFromAdmin(context.currentAdmin);
      if (!actor) throw new AppError('FORBIDDEN', 'You are not signed in');
      const result = await body({ actor, request, context, payload: (request.payload ?? {}) as Payload, isPost: request.method === 'post', meta: adminRequestMeta() });
      return { ...base, ...result } as ActionResponse;
    } catch (e) {
      return { ...base, notice: failureNotice(e, log, name) } as ActionResponse;
    }
  };
}

/** The actor for isAccessible checks (null: hide). */
export const actorIn = (context: ActionContext): UserActor | null => actorFromAdmin(context.currentAdmin);

/** The matrix says the actor may `op` on `resource` (hides buttons only; the domain decides). */
export const allows = (actor: UserActor | null, resource: ResourceName, op: Operation): boolean => !!actor && can(actor, resource, op);

export const writes = (actor: UserActor | null, resource: ResourceName, field: string): boolean => !!actor && mayWriteField(actor, resource, field);

/**
 * A custom action under the permission matrix (hidden and refused unless the
 * role may `operation` the resource, its record(s) checked in scope first);
 * the domain functions write their own audit rows.
 */
export function customAction<T extends Record<string, unknown>>(resource: ResourceName, operation: Operation, action: T): T {
  return guardAction(resource, operation, action, { audit: 'domain' });
}

// Values arrive as multipart strings (the panel's forms, tests) or JSON (components via ApiClient).
export const text = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v.trim() : typeof v === 'number' ? String(v) : undefined);

export function int(v: unknown): number | undefined {
  const t = text(v);
  if (t === undefined) return undefined;
  const n = Number(t);
  if (!Number.isInteger(n)) throw new AppError('INVALID', `Not a whole number: ${t}`);
  return n;
}

export function bool(v: unknown): boolean | undefined {
  if (typeof v === 'boolean') return v;
  const t = text(v)?.toLowerCase();
  return t === undefined ? undefined : t === 'true' || t === '1' || t === 'on' || t === 'yes';
}

/** A JSON value sent as a string field (works the same over multipart and JSON bodies), or already parsed. */
export function json<T>(v: unknown, what: string): T {
  if (v !== null && typeof v === 'object') return v as T;
  const t = text(v);
  if (t === undefined) throw new AppError('INVALID', `${what} is missing`);
  try {
    return JSON.parse(t) as T;
  } catch {
    throw new AppError('INVALID', `${what} is not valid JSON`);
  }
}

/** A list: an array, a JSON array, a comma-separated string, or the flattened `key.0`, `key.1` fields of a form. */
export function list(payload: Payload, key: string): string[] {
  const v = payload[key];
  if (Array.isArray(v)) return v.map(String);
  const t = text(v);
  if (t !== undefined) return t.startsWith('[') ? json<unknown[]>(t, key).map(String) : t.split(',').map((s) => s.trim()).filter(Boolean);
  return Object.keys(payload)
    .filter((k) => k.startsWith(`${key}.`))
    .sort((a, b) => Number(a.slice(key.length + 1)) - Number(b.slice(key.length + 1)))
    .map((k) => String(payload[k]));
}

export const plural = (n: number, one: string, many = `${one}s`): string => `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
