import type { Tx } from '../shared/actor-transaction.js';

/**
 * The admin who owns an organization's rows that have no owning user: the
 * oldest active ADMIN, else the oldest ADMIN. Same rule as ORG_ADMINS_CTE in
 * realm-migration-sql.ts, so the panel and the migration agree.
 */
export async function designatedOrgAdmin(tx: Tx, organizationId: string): Promise<{ id: string; organizationId: string } | null> {
  const orderBy = [{ createdAt: 'asc' as const }, { id: 'asc' as const }];
  const select = { id: true, organizationId: true } as const;
  const admin =
    (await tx.user.findFirst({ where: { organizationId, role: 'ADMIN', status: 'ACTIVE' }, orderBy, select })) ??
    (await tx.user.findFirst({ where: { organizationId, role: 'ADMIN' }, orderBy, select }));
  return admin?.organizationId ? { id: admin.id, organizationId: admin.organizationId } : null;
}
