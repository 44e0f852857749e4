/** A field's column and the type its values are cast to, e.g. { column: 'organization_id', type: 'uuid' }. */
export type ColumnOf = Record<string, { column: string; type: string }>;

const RANGE: Record<string, string> = { gt: '>', gte: '>=', lt: '<', lte: '<=' };

/**
 * A Prisma `where` of the shapes that access scopes and ledger filters are
 * made of (a field equal to a value or null, `equals`, `in`, the ranges gt /
 * gte / lt / lte, `AND` lists), as one SQL condition whose values are pushed
 * onto `values` as `$n::type` placeholders. It lets a statement Prisma cannot
 * send (COPY, for the ledger exports) apply the very `where` the lists apply:
 * one copy of each rule. Anything else (OR, NOT, relations, a field without a
 * column) throws rather than widen the query.
 */
export function whereSql(where: Record<string, unknown>, columns: ColumnOf, values: unknown[]): string {
  const parts: string[] = [];
  for (const [key, condition] of Object.entries(where)) {
    if (key === 'AND') {
      for (const inner of Array.isArray(condition) ? condition : [condition]) parts.push(`(${whereSql(inner as Record<string, unknown>, columns, values)})`);
      continue;
    }
    const target = columns[key];
    if (!target) throw new Error(`whereSql: no column for "${key}"`);
    const column = `"${target.column}"`;
    const param = (v: unknown, array = false) => {
      values.push(v);
      return `$${values.length}::${target.type}${array ? '[]' : ''}`;
    };
    const equal = (v: unknown) => (v === null ? `${column} IS NULL` : `${column} = ${param(v)}`);
    if (condition === null || typeof condition !== 'object' || condition instanceof Date) {
      parts.push(equal(condition));
      continue;
    }
    for (const [op, v] of Object.entries(condition as Record<string, unknown>)) {
      if (v === undefined) continue;
      if (op === 'equals') parts.push(equal(v));
      else if (op === 'in' && Array.isArray(v)) parts.push(`${column} = ANY(${param(v, true)})`);
      else if (op in RANGE && v !== null) parts.push(`${column} ${RANGE[op]} ${param(v)}`);
      else throw new Error(`whereSql: "${key}: { ${op} }" is not supported`);
    }
  }
  return parts.length ? parts.join(' AND ') : 'TRUE';
}
