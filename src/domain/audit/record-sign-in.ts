import type { PrismaClient } from '@prisma/client';
import { asSystem } from '../seed/system-transaction.js';
import { recordAudit, type RequestMeta } from './record-audit.js';

export type SignInEvent =
  | { kind: 'sign-in'; user: { id: string; email: string; role: string; organizationId: string | null } }
  | { kind: 'sign-out'; user: { id: string; email: string; role: string; organizationId: string | null } }
  | { kind: 'sign-in-failed'; email: string };

/**
 * One audit row per sign-in, failed sign-in and sign-out, with IP and browser.
 * A failed attempt names the address typed (cut to the column) and no user:
 * who it was is exactly what is unknown, and the answer never says.
 */
export async function recordSignInEvent(db: PrismaClient, event: SignInEvent, meta: RequestMeta): Promise<void> {
  await asSystem(db, (tx) => {
    if (event.kind === 'sign-in-failed') {
      return tx.auditLog
        .create({ data: { action: 'user.sign-in-failed', resource: 'User', actorLabel: event.email.slice(0, 254) || null, ip: meta.ip ?? null, userAgent: meta.userAgent ?? null, changes: {} } })
        .then(() => undefined);
    }
    const { user } = event;
    const actor = { kind: 'user' as const, userId: user.id, organizationId: user.organizationId, role: user.role as 'USER', email: user.email };
    return recordAudit(tx, actor, { action: `user.${event.kind}`, resource: 'User', recordId: user.id, organizationId: user.organizationId }, meta);
  });
}
