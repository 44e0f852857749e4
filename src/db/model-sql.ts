import { loadDatamodel, type Field, type Model } from './dmmf.js';
import type { ColumnOf } from './where-sql.js';

/** A model as plain SQL sees it: its table, its scalar fields' columns and casts, and a select list that names each column as its field. */
export interface ModelSql {
  table: string;
  /** field -> { column, type } for whereSql */
  columns: ColumnOf;
  /** `"occurred_at" AS "occurredAt", ...`: rows come back shaped as Prisma's, field names as keys */
  select(fields?: readonly string[]): string;
  /**
   * Every scalar field, each read so that node-postgres returns what Prisma
   * returns, but for BigInt (a string here, a bigint there: the panel's
   * records make both strings): enum lists as text[] (node-postgres has no
   * parser for an enum's array type and would return '{A,B}'), dates and
   * timestamps without time zone as UTC instants (Prisma reads them as UTC,
   * node-postgres in the process's time zone). test/model-sql-parity.test.ts
   * holds every model to it.
   */
  selectAsPrisma(): string;
}

const NATIVE: Record<string, string> = {
  Uuid: 'uuid', Timestamptz: 'timestamptz', Timestamp: 'timestamp', Date: 'date', VarChar: 'text', Char: 'text', Text: 'text',
  Inet: 'inet', SmallInt: 'int2', Integer: 'int', BigInt: 'bigint', JsonB: 'jsonb', Json: 'json',
};
const SCALAR: Record<string, string> = {
  String: 'text', Int: 'int', BigInt: 'bigint', Boolean: 'boolean', Json: 'jsonb', DateTime: 'timestamp', Float: 'float8', Decimal: 'numeric', Bytes: 'bytea',
};

/** The cast a value compared with this field's column takes: its native type, or its enum's type. */
function castOf(field: Field, enumNames: Map<string, string>): string {
  const base = field.kind === 'enum' ? `"${enumNames.get(field.type) ?? field.type}"` : NATIVE[field.nativeType?.[0] ?? ''] ?? SCALAR[field.type];
  if (!base) throw new Error(`model-sql: no SQL type for ${field.name} (${field.type})`);
  return field.isList ? `${base}[]` : base;
}

const cache = new Map<string, ModelSql>();

/**
 * The model's table and columns from the full datamodel (dmmf.ts), for reads
 * that Prisma would make dear: a ledger list page through Prisma costs about
 * 1.5-2 ms of CPU per query in its query compiler, the same rows through
 * node-postgres about 0.2-0.4 ms (measured in the README, "Usage at scale").
 * Only scalar fields; relations are not columns.
 */
export function modelSql(modelName: string): ModelSql {
  let found = cache.get(modelName);
  if (found) return found;
  const datamodel = loadDatamodel();
  const model: Model | undefined = datamodel.models.find((m) => m.name === modelName);
  if (!model) throw new Error(`model-sql: no model ${modelName}`);
  const enumNames = new Map(datamodel.enums.map((e) => [e.name, e.dbName ?? e.name]));
  const scalars = model.fields.filter((f) => f.kind === 'scalar' || f.kind === 'enum');
  const columns: ColumnOf = Object.fromEntries(scalars.map((f) => [f.name, { column: f.dbName ?? f.name, type: castOf(f, enumNames) }]));
  const all = scalars.map((f) => f.name);
  const asPrisma = all
    .map((name) => {
      const { column, type } = columns[name]!;
      const read = type.startsWith('"') && type.endsWith('[]') ? `"${column}"::text[]` : type === 'date' ? `("${column}"::timestamp AT TIME ZONE 'UTC')` : type === 'timestamp' ? `("${column}" AT TIME ZONE 'UTC')` : `"${column}"`;
      return read === `"${name}"` ? read : `${read} AS "${name}"`;
    })
    .join(', ');
  found = {
    table: model.dbName ?? model.name,
    columns,
    select: (fields = all) =>
      fields
        .map((name) => {
          const c = columns[name];
          if (!c) throw new Error(`model-sql: ${modelName} has no column for ${name}`);
          return c.column === name ? `"${name}"` : `"${c.column}" AS "${name}"`;
        })
        .join(', '),
    selectAsPrisma: () => asPrisma,
  };
  cache.set(modelName, found);
  return found;
}
