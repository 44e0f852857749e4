import type { Prisma, PrismaClient } from '@prisma/client';
import type { Actor } from '../shared/actor.js';

type Tx = Prisma.TransactionClient | PrismaClient;

export interface AuditEntry {
  action: string;
  resource: string;
  recordId?: string | null;
  organizationId?: string | null;
  before?: Record<string, unknown> | null;
  after?: Record<string, unknown> | null;
}

export interface RequestMeta {
  ip?: string | null;
  userAgent?: string | null;
  /** The HTTP request's X-Request-Id, to find its log lines. */
  requestId?: string | null;
}

// Names of secrets, not of counts: "accessToken" is redacted, "maxTokens" and "tokenLimit" are not.
const SECRET_KEY = /password|secret|hash|encrypted|pepper|^sess$|^token$|[a-z]Token$/i;

/** Replaces secret-looking values with "[redacted]", recursively. */
export function redact(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redact);
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    // A flag named after a secret ("mustChangePassword") is no secret: booleans stay readable.
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, SECRET_KEY.test(k) && typeof v !== 'boolean' ? (v == null ? v : '[redacted]') : redact(v)]));
  }
  if (typeof value === 'bigint') return value.toString();
  return value;
}

/** Only the fields that changed, before and after, secrets redacted. */
export function diffForAudit(before: Record<string, unknown> | null | undefined, after: Record<string, unknown> | null | undefined) {
  if (!before || !after) return { before: before ? redact(before) : null, after: after ? redact(after) : null };
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].filter(
    (k) => JSON.stringify(redact(before[k])) !== JSON.stringify(redact(after[k])) || (SECRET_KEY.test(k) && before[k] !== after[k]),
  );
  const pick = (o: Record<string, unknown>) => redact(Object.fromEntries(keys.filter((k) => k in o).map((k) => [k, o[k]])));
  return { before: pick(before), after: pick(after) };
}

/** Appends one audit row (in the caller's transaction when given one); the table is append-only. */
export async function recordAudit(db: Tx, actor: Actor, entry: AuditEntry, meta: RequestMeta = {}): Promise<void> {
  const changes = diffForAudit(entry.before, entry.after);
  await db.auditLog.create({
    data: {
      actorId: actor.kind === 'user' ? actor.userId : actor.kind === 'api-key' ? actor.userId : null,
      actorRole: actor.kind === 'user' ? (actor.apiKeyId ? 'API_KEY' : actor.role) : actor.kind === 'api-key' ? 'API_KEY' : 'SYSTEM',
      actorLabel:
        actor.kind === 'user' ? (actor.apiKeyId ? `key:${actor.apiKeyId}` : (actor.email ?? null)) : actor.kind === 'api-key' ? `key:${actor.apiKeyId}` : actor.reason,
      organizationId: entry.organizationId ?? (actor.kind === 'system' ? null : actor.organizationId),
      action: entry.action,
      resource: entry.resource,
      recordId: entry.recordId ?? null,
      changes: changes as Prisma.InputJsonValue,
      ip: meta.ip ?? null,
      userAgent: meta.userAgent ?? null,
      requestId: meta.requestId ?? null,
    },
  });
}
