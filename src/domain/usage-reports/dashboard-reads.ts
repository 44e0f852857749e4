import { modelSql } from '../../db/model-sql.js';
import { noRead, type PreparedRead } from '../../db/tenant-sql-reads.js';
import { whereSql } from '../../db/where-sql.js';
import type { Where } from '../access/scope.js';

/**
 * The dashboard's own reads, beside the charts' (usage-charts.ts), the
 * gauges' (quota-gauges.ts) and the month's sums (rollupSumRead), as
 * statements for one message (readAll). Each takes the viewer's scope on its
 * resource (null: the viewer may see none).
 */

/** How many rows of `model` the scope holds that also meet `also` (SQL on that model's columns; `values` its parameters). */
export function countRead(model: string, scope: Where | null, also: (values: unknown[]) => string = () => 'TRUE'): PreparedRead<number | null> {
  if (!scope) return noRead(null);
  const { table, columns } = modelSql(model);
  const values: unknown[] = [];
  const text = `SELECT count(*)::int AS "n" FROM "${table}" WHERE ${whereSql(scope, columns, values)} AND ${also(values)}`;
  return { statements: [{ text, values }], parse: ([rows]) => Number(rows![0]!.n) };
}

export interface AuditLine {
  id: string;
  occurredAt: Date;
  actorLabel: string | null;
  action: string;
  resource: string;
}

/** The newest `take` audit rows in scope. */
export function latestAuditRead(scope: Where | null, take = 8): PreparedRead<AuditLine[]> {
  if (!scope) return noRead([]);
  const { table, columns, select } = modelSql('AuditLog');
  const values: unknown[] = [];
  const text = `SELECT ${select(['id', 'occurredAt', 'actorLabel', 'action', 'resource'])} FROM "${table}" WHERE ${whereSql(scope, columns, values)} ORDER BY "occurred_at" DESC, "id" DESC LIMIT ${take}`;
  return { statements: [{ text, values }], parse: ([rows]) => rows as unknown as AuditLine[] };
}

/** The name of organization `id`, if the scope holds it. */
export function organizationNameRead(scope: Where | null, id: string | null | undefined): PreparedRead<string | null> {
  if (!scope || !id) return noRead(null);
  const { table, columns } = modelSql('Organization');
  const values: unknown[] = [];
  const text = `SELECT "name" FROM "${table}" WHERE ${whereSql(scope, columns, values)} AND ${whereSql({ id }, columns, values)}`;
  return { statements: [{ text, values }], parse: ([rows]) => (rows![0]?.name as string | undefined) ?? null };
}
