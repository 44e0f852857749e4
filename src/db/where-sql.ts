/** A field's column and the type its values are cast to, e.g. { column: 'organization_id', type: 'uuid' }. */
export type ColumnOf = Record<string, { column: string; type: string }>;

const RANGE: Record<string, string> = { gt: '>', gte: '>=', lt: '<', lte: '<=' };

/**
 * A Prisma `where` of the shapes that access scopes and ledger filters are
 * made of (a field equal to a value or null, `equals`, `in`, the ranges gt /
 * gte / lt / lte, a list column's `has` and `isEmpty`, `AND` and `OR` lists),
 * as one SQL condition whose values are pushed onto `values` as `$n::type`
 * placeholders. It lets a statement Prisma cannot send (COPY, for the ledger
 * exports) apply the very `where` the lists apply: one copy of each rule.
 * Anything else (NOT, relations, a field without a column) throws rather than
 * widen the query.
 */
export function whereSql(where: Record<string, unknown>, columns: ColumnOf, values: unknown[]): string {
  const parts: string[] = [];
  const list = (condition: unknown) => (Array.isArray(condition) ? condition : [condition]) as Record<string, unknown>[];
  for (const [key, condition] of Object.entries(where)) {
    if (key === 'AND') {
      for (const inner of list(condition)) parts.push(`(${whereSql(inner, columns, values)})`);
      continue;
    }
    if (key === 'OR') {
      // As Prisma reads it: an empty OR matches nothing, an empty member everything.
      const alternatives = list(condition).map((inner) => `(${whereSql(inner, columns, values)})`);
      parts.push(alternatives.length ? `(${alternatives.join(' OR ')})` : 'FALSE');
      continue;
    }
    const target = columns[key];
    if (!target) throw new Error(`whereSql: no column for "${key}"`);
    const column = `"${target.column}"`;
    const isList = target.type.endsWith('[]');
    const param = (v: unknown, type = target.type) => {
      values.push(v);
      return `$${values.length}::${type}`;
    };
    const equal = (v: unknown) => (v === null ? `${column} IS NULL` : `${column} = ${param(v)}`);
    if (condition === null || typeof condition !== 'object' || condition instanceof Date) {
      parts.push(equal(condition));
      continue;
    }
    for (const [op, v] of Object.entries(condition as Record<string, unknown>)) {
      if (v === undefined) continue;
      if (op === 'equals') parts.push(equal(v));
      else if (op === 'in' && Array.isArray(v)) parts.push(`${column} = ANY(${param(v, `${target.type}[]`)})`);
      else if (op in RANGE && v !== null) parts.push(`${column} ${RANGE[op]} ${param(v)}`);
      else if (op === 'has' && v !== null && isList) parts.push(`${param(v, target.type.slice(0, -2))} = ANY(${column})`);
      else if (op === 'isEmpty' && typeof v === 'boolean' && isList) parts.push(`COALESCE(cardinality(${column}), 0) ${v ? '=' : '>'} 0`);
      else throw new Error(`whereSql: "${key}: { ${op} }" is not supported`);
    }
  }
  return parts.length ? parts.join(' AND ') : 'TRUE';
}
