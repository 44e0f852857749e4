import type { RealmMigrationPlan } from '../domain/realms/plan-realm-migration.js';
import type { RealmMigrationStatus } from '../domain/realms/realm-migration-status.js';
import { REALM_KINDS, type KindCounts } from '../domain/realms/realm-kinds.js';

// Plain-text reports for `realmgate realms ...`: aligned columns, no colours,
// so they read the same in a terminal, a CI log or a file.

const SHORT: Record<keyof KindCounts, string> = {
  API_KEY: 'keys',
  VECTOR_SERVER: 'servers',
  KNOWLEDGE_BASE: 'kbs',
  DOCUMENT: 'docs',
  INGESTION_JOB: 'jobs',
  CHAT_SESSION: 'chats',
};

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((c, i) => (i < 3 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

const countCells = (c: KindCounts, total: number) => [...REALM_KINDS.map((k) => String(c[k.kind])), String(total)];
const KIND_HEADER = [...REALM_KINDS.map((k) => SHORT[k.kind]), 'total'];

export function formatPlan(plan: RealmMigrationPlan): string {
  const out: string[] = ['Realm migration dry run: nothing was changed.', ''];
  if (plan.owners.length) {
    out.push(
      table(
        ['organization', 'user', 'rows of', ...KIND_HEADER],
        plan.owners.map((o) => [o.organizationName, `${o.username}${o.hasDefaultRealm ? '' : ' (new Default realm)'}`, o.source === 'USER' ? 'user' : 'organization', ...countCells(o.counts, o.total)]),
      ),
      '',
    );
  } else {
    out.push('No row without a realm can move.', '');
  }
  if (plan.blocked.length) {
    out.push('Blocked (these rows stay without a realm):');
    out.push(
      table(
        ['reason', 'organization', 'user id', ...KIND_HEADER],
        plan.blocked.map((b) => [b.reason, `${b.organizationName} (${b.organizationId})`, b.userId ?? '-', ...countCells(b.counts, b.total)]),
      ),
      '',
    );
  }
  const t = plan.totals;
  out.push(`Would move ${t.rows} rows (${REALM_KINDS.map((k) => `${t.byKind[k.kind]} ${k.label}`).join(', ')}).`);
  out.push(`Would create ${t.realmsToCreate} default realm(s).${t.blockedRows ? ` ${t.blockedRows} row(s) are blocked.` : ''}`);
  if (t.usersWithoutOrganization) out.push(`${t.usersWithoutOrganization} user(s) without an organization get no realm.`);
  return out.join('\n');
}

export function formatStatus(s: RealmMigrationStatus): string {
  const out: string[] = [];
  const left = Object.values(s.withoutRealm).reduce((a, b) => a + b, 0);
  if (!s.latest) out.push('No realm migration has run on this database.');
  else {
    const r = s.latest;
    const state = r.status === 'RUNNING' && !s.live ? 'RUNNING, but no process holds the lock: interrupted; run `realms migrate` to resume' : r.status;
    out.push(`Latest run ${r.id}: ${state}`);
    out.push(`  rows ${r.rowsDone}/${r.rowsTotal}, default realms created ${r.realmsCreated}, batch size ${r.batchSize}`);
    out.push(`  started ${r.startedAt.toISOString()}, heartbeat ${r.heartbeatAt.toISOString()}${r.finishedAt ? `, finished ${r.finishedAt.toISOString()}` : ''}`);
    if (r.error) out.push(`  ${r.error}`);
  }
  out.push(`A migration is ${s.live ? '' : 'not '}running now.`);
  out.push(`Rows without a realm: ${left}${left ? ` (${REALM_KINDS.map((k) => `${s.withoutRealm[k.kind]} ${k.label}`).join(', ')})` : ''}`);
  if (s.recent.length > 1) {
    out.push('', 'Recent runs:');
    for (const r of s.recent) out.push(`  ${r.startedAt.toISOString()}  ${r.id}  ${r.status.padEnd(11)} ${r.rowsDone}/${r.rowsTotal}`);
  }
  return out.join('\n');
}
