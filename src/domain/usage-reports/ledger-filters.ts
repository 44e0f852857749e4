import { auditActionsReadAs } from '../audit/audit-actions.js';
import { AppError } from '../shared/app-error.js';

/** The usage list's filters; each is served by an index on usage_events (0012_scale). */
export interface UsageFilter {
  organizationId?: string;
  userId?: string;
  apiKeyId?: string;
  modelId?: string;
  realmId?: string;
  /** Inclusive lower bound of occurred_at. */
  from?: Date;
  /** Inclusive upper bound of occurred_at. */
  to?: Date;
}

/** The audit list's filters, each served by an index on audit_logs. */
export interface AuditFilter {
  organizationId?: string;
  actorId?: string;
  action?: string;
  resource?: string;
  recordId?: string;
  from?: Date;
  to?: Date;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function uuid(name: string, v: unknown): string | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v !== 'string' || !UUID.test(v)) throw new AppError('INVALID', `${name} must be a uuid`);
  return v;
}

function date(name: string, v: unknown, endOfDay = false): Date | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v !== 'string') throw new AppError('INVALID', `${name} must be a date`);
  // A bare day as an upper bound means "through that day".
  const bare = /^\d{4}-\d{2}-\d{2}$/.test(v);
  const d = new Date(bare ? `${v}T00:00:00.000Z` : v);
  if (Number.isNaN(d.getTime())) throw new AppError('INVALID', `${name} must be a date`);
  return bare && endOfDay ? new Date(d.getTime() + 86_400_000 - 1) : d;
}

function text(name: string, v: unknown, max: number): string | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v !== 'string' || v.length > max) throw new AppError('INVALID', `${name} must be text of at most ${max} characters`);
  return v;
}

type Flat = Record<string, unknown>;
const pick = (q: Flat, ...names: string[]) => names.map((n) => q[n]).find((v) => v !== undefined && v !== '');

/**
 * Usage filters from flat query parameters: the API's (organizationId, from,
 * to, ...) or the panel's (`filters.organization`, `filters.occurredAt~~from`).
 */
export function usageFilterFrom(q: Flat): UsageFilter {
  return {
    organizationId: uuid('organizationId', pick(q, 'organizationId', 'filters.organization', 'filters.organizationId')),
    userId: uuid('userId', pick(q, 'userId', 'filters.user', 'filters.userId')),
    apiKeyId: uuid('apiKeyId', pick(q, 'apiKeyId', 'filters.apiKey', 'filters.apiKeyId')),
    modelId: uuid('modelId', pick(q, 'modelId', 'filters.model', 'filters.modelId')),
    realmId: uuid('realmId', pick(q, 'realmId', 'filters.realm', 'filters.realmId')),
    from: date('from', pick(q, 'from', 'filters.occurredAt~~from')),
    to: date('to', pick(q, 'to', 'filters.occurredAt~~to'), true),
  };
}

export function auditFilterFrom(q: Flat): AuditFilter {
  return {
    organizationId: uuid('organizationId', pick(q, 'organizationId', 'filters.organization', 'filters.organizationId')),
    actorId: uuid('actorId', pick(q, 'actorId', 'filters.actor', 'filters.actorId')),
    action: text('action', pick(q, 'action', 'filters.action'), 60),
    resource: text('resource', pick(q, 'resource', 'filters.resource'), 60),
    recordId: text('recordId', pick(q, 'recordId', 'filters.recordId'), 100),
    from: date('from', pick(q, 'from', 'filters.occurredAt~~from')),
    to: date('to', pick(q, 'to', 'filters.occurredAt~~to'), true),
  };
}

function timeRange(f: { from?: Date; to?: Date }): Record<string, unknown> {
  if (!f.from && !f.to) return {};
  return { occurredAt: { ...(f.from ? { gte: f.from } : {}), ...(f.to ? { lte: f.to } : {}) } };
}

const defined = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));

export function usageWhere(f: UsageFilter): Record<string, unknown> {
  return defined({ organizationId: f.organizationId, userId: f.userId, apiKeyId: f.apiKeyId, modelId: f.modelId, realmId: f.realmId, ...timeRange(f) });
}

export function auditWhere(f: AuditFilter): Record<string, unknown> {
  // A code also finds the rows older versions wrote under its aliases (audit-actions.ts).
  const actions = f.action ? auditActionsReadAs(f.action) : [];
  const action = actions.length > 1 ? { in: actions } : f.action;
  return defined({ organizationId: f.organizationId, actorId: f.actorId, action, resource: f.resource, recordId: f.recordId, ...timeRange(f) });
}
