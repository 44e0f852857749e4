import type { PrismaClient } from '@prisma/client';
import type { Actor } from '../shared/actor.js';
import { inActorTransaction, type Tx } from '../shared/actor-transaction.js';
import { REALM_KINDS, sumCounts, zeroCounts, type KindCounts } from './realm-kinds.js';
import { requireMigrationActor } from './realm-migration-access.js';
import { classifySql, LONG_TX_MS, type BlockedReason, type OwnerSource } from './realm-migration-sql.js';

export interface PlannedOwner {
  /** The user whose default realm receives the rows. */
  userId: string;
  username: string;
  email: string;
  organizationId: string;
  organizationName: string;
  /** USER: the user's own rows; ORGANIZATION: rows of the organization without an owning user. */
  source: OwnerSource;
  hasDefaultRealm: boolean;
  counts: KindCounts;
  total: number;
}

export interface BlockedGroup {
  reason: BlockedReason;
  organizationId: string;
  organizationName: string;
  /** The owning user, when the row has one. */
  userId: string | null;
  counts: KindCounts;
  total: number;
}

export interface RealmMigrationPlan {
  owners: PlannedOwner[];
  blocked: BlockedGroup[];
  totals: {
    byKind: KindCounts;
    /** Rows that would move. */
    rows: number;
    blockedRows: number;
    /** Users (with an organization) who get a new "Default" realm. */
    realmsToCreate: number;
    /** Platform users without an organization: they cannot own a realm. */
    usersWithoutOrganization: number;
  };
}

interface ClassRow {
  owner_id: string | null;
  source: OwnerSource;
  organization_id: string;
  blocked: BlockedReason | null;
  n: number;
}

/** Reads, per owner, what a run would move; shared by the dry run and a run's total. */
export async function classifyRows(tx: Tx): Promise<Array<ClassRow & { kind: (typeof REALM_KINDS)[number]['kind'] }>> {
  const out: Array<ClassRow & { kind: (typeof REALM_KINDS)[number]['kind'] }> = [];
  for (const k of REALM_KINDS) {
    for (const row of await tx.$queryRaw<ClassRow[]>(classifySql(k))) out.push({ ...row, kind: k.kind });
  }
  return out;
}

/**
 * Dry run: changes nothing. Per user, how many rows of each realm-scoped kind
 * have no realm and would move to their default realm, and which cannot move.
 */
export async function planRealmMigration(db: PrismaClient, actor: Actor): Promise<RealmMigrationPlan> {
  requireMigrationActor(actor);
  return inActorTransaction(db, actor, async (tx) => {
    const rows = await classifyRows(tx);
    const owners = new Map<string, PlannedOwner>();
    const blocked = new Map<string, BlockedGroup>();
    const byKind = zeroCounts();
    let blockedRows = 0;
    for (const r of rows) {
      if (r.blocked) {
        const key = `${r.blocked}/${r.organization_id}/${r.source === 'USER' ? r.owner_id : ''}`;
        const g = blocked.get(key) ?? { reason: r.blocked, organizationId: r.organization_id, organizationName: '', userId: r.source === 'USER' ? r.owner_id : null, counts: zeroCounts(), total: 0 };
        g.counts[r.kind] += r.n;
        g.total += r.n;
        blocked.set(key, g);
        blockedRows += r.n;
        continue;
      }
      const key = `${r.owner_id}/${r.source}`;
      const o =
        owners.get(key) ??
        ({ userId: r.owner_id!, username: '', email: '', organizationId: r.organization_id, organizationName: '', source: r.source, hasDefaultRealm: false, counts: zeroCounts(), total: 0 } satisfies PlannedOwner);
      o.counts[r.kind] += r.n;
      o.total += r.n;
      byKind[r.kind] += r.n;
      owners.set(key, o);
    }

    const userIds = [...new Set([...owners.values()].map((o) => o.userId))];
    const users = await tx.user.findMany({
      where: { id: { in: userIds } },
      select: { id: true, username: true, email: true, organization: { select: { name: true } }, realms: { where: { isDefault: true }, select: { id: true } } },
    });
    const byId = new Map(users.map((u) => [u.id, u]));
    for (const o of owners.values()) {
      const u = byId.get(o.userId);
      o.username = u?.username ?? '';
      o.email = u?.email ?? '';
      o.organizationName = u?.organization?.name ?? '';
      o.hasDefaultRealm = (u?.realms.length ?? 0) > 0;
    }

    const orgIds = [...new Set([...blocked.values()].map((b) => b.organizationId))];
    const orgs = new Map((await tx.organization.findMany({ where: { id: { in: orgIds } }, select: { id: true, name: true } })).map((o) => [o.id, o.name]));
    for (const b of blocked.values()) b.organizationName = orgs.get(b.organizationId) ?? '';

    const realmsToCreate = await tx.user.count({ where: { organizationId: { not: null }, realms: { none: { isDefault: true } } } });
    const usersWithoutOrganization = await tx.user.count({ where: { organizationId: null } });
    const sorted = [...owners.values()].sort((a, b) => a.organizationName.localeCompare(b.organizationName) || a.username.localeCompare(b.username) || a.source.localeCompare(b.source));
    return {
      owners: sorted,
      blocked: [...blocked.values()],
      totals: { byKind, rows: sumCounts(byKind), blockedRows, realmsToCreate, usersWithoutOrganization },
    };
  }, { timeout: LONG_TX_MS });
}
