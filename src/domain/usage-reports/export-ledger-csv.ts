import type { PrismaClient } from '@prisma/client';
import type { Actor } from '../shared/actor.js';
import { AppError } from '../shared/app-error.js';
import { scopeWhere } from '../access/scope.js';
import { listAuditPage, listUsagePage } from './list-ledger-page.js';
import { readLedgerAsTenant } from '../../db/tenant-context.js';
import type { AuditFilter, UsageFilter } from './ledger-filters.js';

/** Rows per keyset page while exporting: memory stays flat whatever the export's size. */
const EXPORT_PAGE = 2_000;

const USAGE_COLUMNS = ['occurred_at', 'id', 'organization_id', 'user_id', 'api_key_id', 'realm_id', 'model_id', 'idempotency_key', 'input_tokens', 'output_tokens', 'total_tokens', 'requests'] as const;
const AUDIT_COLUMNS = ['occurred_at', 'id', 'organization_id', 'actor_id', 'actor_role', 'actor_label', 'action', 'resource', 'record_id', 'ip', 'changes'] as const;

/**
 * One CSV field: quoted when needed, and a leading = + - @ (a spreadsheet
 * formula) defused with an apostrophe, so an exported value never runs.
 */
export function csvField(v: unknown): string {
  if (v === null || v === undefined) return '';
  let s = v instanceof Date ? v.toISOString() : typeof v === 'object' ? JSON.stringify(v) : String(v);
  if (/^[=+\-@\t\r]/.test(s) && typeof v === 'string') s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

const line = (values: unknown[]) => `${values.map(csvField).join(',')}\r\n`;

function mustRead(actor: Actor, resource: 'UsageEvent' | 'AuditLog'): void {
  if (!scopeWhere(actor, resource, 'read')) throw new AppError('FORBIDDEN', 'You may not read this ledger');
}

/**
 * The usage ledger as CSV lines for a filter, within the actor's scope,
 * newest first: a header, then one line per row, read by keyset pages (each
 * read as a list page is, readLedgerAsTenant) so a million rows take no more
 * memory than one page.
 */
export async function* usageCsv(db: PrismaClient, actor: Actor, filter: UsageFilter, signal?: AbortSignal): AsyncGenerator<string> {
  mustRead(actor, 'UsageEvent');
  yield line([...USAGE_COLUMNS]);
  let after: string | null = null;
  do {
    if (signal?.aborted) return;
    const page = await readLedgerAsTenant(db, (tx) => listUsagePage(tx, actor, { filter, after, limit: EXPORT_PAGE, withTotal: false }));
    let chunk = '';
    for (const r of page.rows) {
      chunk += line([r.occurredAt, r.id, r.organizationId, r.userId, r.apiKeyId, r.realmId, r.modelId, r.idempotencyKey, r.inputTokens, r.outputTokens, r.totalTokens, r.requests]);
    }
    if (chunk) yield chunk;
    after = page.nextCursor;
  } while (after);
}

/** The audit log as CSV lines, as usageCsv. */
export async function* auditCsv(db: PrismaClient, actor: Actor, filter: AuditFilter, signal?: AbortSignal): AsyncGenerator<string> {
  mustRead(actor, 'AuditLog');
  yield line([...AUDIT_COLUMNS]);
  let after: string | null = null;
  do {
    if (signal?.aborted) return;
    const page = await readLedgerAsTenant(db, (tx) => listAuditPage(tx, actor, { filter, after, limit: EXPORT_PAGE, withTotal: false }));
    let chunk = '';
    for (const r of page.rows) {
      chunk += line([r.occurredAt, r.id, r.organizationId, r.actorId, r.actorRole, r.actorLabel, r.action, r.resource, r.recordId, r.ip, r.changes]);
    }
    if (chunk) yield chunk;
    after = page.nextCursor;
  } while (after);
}
