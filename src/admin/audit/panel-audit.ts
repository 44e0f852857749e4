import type { Prisma, PrismaClient } from '@prisma/client';
import { isSecretField } from '../../domain/access/permissions.js';
import { recordAudit } from '../../domain/audit/record-audit.js';
import type { UserActor } from '../access/admin-request.js';
import { adminRequestMeta } from '../access/admin-request.js';

type Row = Record<string, unknown>;

export type PanelChange = 'create' | 'update' | 'delete' | 'bulk-delete';

/** The audit action for a change made in the panel: "user.update", "api-key.rotate", ... */
export function panelAuditAction(resource: string, action: string): string {
  return `${kebab(resource)}.${kebab(action)}`;
}

/**
 * Appends the audit row for a change a person made through the panel, in the
 * caller's transaction when given one: who (actor, role), what (resource,
 * record id, the fields that changed before and after, secrets redacted), from
 * where (IP, user agent of the request being served).
 */
export async function recordPanelAudit(
  db: Prisma.TransactionClient | PrismaClient,
  actor: UserActor,
  entry: { resource: string; action: string; recordId: string | null; before?: Row | null; after?: Row | null },
): Promise<void> {
  const row = entry.after ?? entry.before ?? {};
  await recordAudit(
    db,
    actor,
    {
      action: panelAuditAction(entry.resource, entry.action),
      resource: entry.resource,
      recordId: entry.recordId,
      organizationId: organizationOf(entry.resource, row, entry.action),
      before: entry.before ? redactSecrets(entry.resource, entry.before, null) : null,
      after: entry.after ? redactSecrets(entry.resource, entry.after, entry.before ?? null) : null,
    },
    adminRequestMeta(),
  );
}

/**
 * The organization whose admins see the entry: the record's. A deleted
 * organization's own entry has none (audit rows keep their organization, so
 * one pointing at the deleted row could not be written).
 */
function organizationOf(resource: string, row: Row, action: string): string | null {
  if (resource === 'Organization') return action === 'delete' || action === 'bulk-delete' ? null : ((row.id as string | undefined) ?? null);
  const org = row.organizationId;
  return typeof org === 'string' && org ? org : null;
}

/**
 * Secret columns keep their key but never their value; a changed secret reads
 * differently from an unchanged one, so the diff still lists it (recordAudit
 * redacts secret-looking keys once more).
 */
function redactSecrets(resource: string, row: Row, before: Row | null): Row {
  return Object.fromEntries(
    Object.entries(row).map(([k, v]) => {
      if (!isSecretField(resource, k) || v == null) return [k, v];
      return [k, before && before[k] !== v ? '[redacted, changed]' : '[redacted]'];
    }),
  );
}

function kebab(s: string): string {
  return s.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
}
