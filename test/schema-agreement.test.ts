import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import dmmfJson from '../src/generated/dmmf.json' with { type: 'json' };
import { emptyDatabase, type EmptyDatabase } from './setup/test-database.js';
import { migrateUp } from '../src/db/migrate.js';

/**
 * The Prisma schema (through the full DMMF that scripts/dmmf-generator.mjs writes)
 * and the database the SQL migrations build must agree, or Prisma and AdminJS
 * would read and write columns that do not exist or are shaped differently.
 *
 * Allowed on purpose: objects Prisma's schema language cannot express. Extra
 * indexes must be listed in DB_ONLY_INDEXES with their reason:
 */
const DB_ONLY_INDEXES: Record<string, string> = {
  // 0001_init: partial unique index, "at most one default realm per owner".
  realms_one_default_per_owner: 'partial unique index (WHERE is_default)',
  // 0005: partial unique index, realm names unique per owner among active realms.
  realms_owner_active_name_key: 'partial unique index (WHERE is_active)',
  // 0019: covering indexes (INCLUDE) for the dashboard's all-organization windows, index-only.
  usage_daily_model_rollups_day_covering_idx: 'covering index (INCLUDE total_tokens, requests)',
  usage_daily_key_rollups_day_covering_idx: 'covering index (INCLUDE total_tokens, requests)',
};
/**
 * Citus (0012_scale): on these distributed tables the database's primary key is
 * the model's @id prefixed with organization_id, the distribution column. Prisma
 * and AdminJS keep addressing rows by their uuid id (unique by construction);
 * test/citus-catalog.test.ts checks the distribution rules themselves.
 */
const DISTRIBUTION_PREFIXED_KEYS = new Set(['usage_daily_rollups', 'usage_daily_model_rollups', 'usage_daily_key_rollups', 'quota_counters', 'chat_messages']);
// Partitions of usage_events (monthly, 0012_scale) are not models: they are
// reached through their parent, which is compared like any table.
// Also not visible to Prisma and therefore not compared here: the append-only
// triggers on usage_events/audit_logs (test/append-only.test.ts), NULLS NOT DISTINCT
// on quota_counters_slot_key and usage_daily_rollups_slot_key, the generated
// columns of "session", and RLS policies (test/rls.test.ts).
const RUNNER_TABLE = '_realmgate_migrations';

// ── the DMMF, typed as far as this test reads it ──
interface Field {
  name: string;
  dbName?: string | null;
  kind: 'scalar' | 'object' | 'enum' | 'unsupported';
  isList: boolean;
  isRequired: boolean;
  isUnique: boolean;
  isId: boolean;
  type: string;
  nativeType?: [string, string[]] | null;
  relationFromFields?: string[];
  relationToFields?: string[];
  relationOnDelete?: string;
  relationOnUpdate?: string;
}
interface Model {
  name: string;
  dbName: string | null;
  fields: Field[];
  primaryKey: { name: string | null; fields: string[] } | null;
}
interface DmmfIndex {
  model: string;
  type: 'id' | 'unique' | 'normal' | 'fulltext';
  dbName?: string;
  fields: { name: string }[];
}
interface DmmfEnum {
  name: string;
  dbName?: string | null;
  values: { name: string; dbName: string | null }[];
}
const datamodel = (dmmfJson as unknown as { datamodel: { models: Model[]; enums: DmmfEnum[]; indexes: DmmfIndex[] } }).datamodel;

const tableOf = (m: Model) => m.dbName ?? m.name;
const columnOf = (f: Field) => f.dbName ?? f.name;
const modelByName = new Map(datamodel.models.map((m) => [m.name, m]));
const enumDbName = new Map(datamodel.enums.map((e) => [e.name, e.dbName ?? e.name]));
const columnsOf = (m: Model, names: string[]) =>
  names.map((n) => {
    const f = m.fields.find((x) => x.name === n);
    if (!f) throw new Error(`${m.name} has no field ${n}`);
    return columnOf(f);
  });

/** How PostgreSQL's format_type() spells an identifier. */
const quoteIdent = (s: string) => (/^[a-z_][a-z0-9_$]*$/.test(s) ? s : `"${s.replace(/"/g, '""')}"`);

/** The column type (as format_type() prints it) that Prisma expects for a scalar or enum field. */
function expectedType(f: Field): string {
  const [native, args = []] = f.nativeType ?? [undefined, []];
  const withArgs = (base: string) => (args.length ? `${base}(${args.join(',')})` : base);
  let t: string;
  if (f.kind === 'enum') {
    t = quoteIdent(enumDbName.get(f.type) ?? f.type);
  } else {
    switch (`${f.type}:${native ?? ''}`) {
      case 'String:':
      case 'String:Text':
        t = 'text';
        break;
      case 'String:VarChar':
        t = withArgs('character varying');
        break;
      case 'String:Char':
        t = withArgs('character');
        break;
      case 'String:Uuid':
        t = 'uuid';
        break;
      case 'String:Inet':
        t = 'inet';
        break;
      case 'String:Citext':
        t = 'citext';
        break;
      case 'Int:':
      case 'Int:Integer':
        t = 'integer';
        break;
      case 'Int:SmallInt':
        t = 'smallint';
        break;
      case 'BigInt:':
      case 'BigInt:BigInt':
        t = 'bigint';
        break;
      case 'Float:':
      case 'Float:DoublePrecision':
        t = 'double precision';
        break;
      case 'Float:Real':
        t = 'real';
        break;
      case 'Decimal:':
        t = 'numeric(65,30)';
        break;
      case 'Decimal:Decimal':
        t = withArgs('numeric');
        break;
      case 'Boolean:':
      case 'Boolean:Boolean':
        t = 'boolean';
        break;
      case 'DateTime:':
        t = 'timestamp(3) without time zone';
        break;
      case 'DateTime:Timestamp':
        t = args.length ? `timestamp(${args[0]}) without time zone` : 'timestamp without time zone';
        break;
      case 'DateTime:Timestamptz':
        t = args.length ? `timestamp(${args[0]}) with time zone` : 'timestamp with time zone';
        break;
      case 'DateTime:Date':
        t = 'date';
        break;
      case 'Json:':
      case 'Json:JsonB':
        t = 'jsonb';
        break;
      case 'Json:Json':
        t = 'json';
        break;
      case 'Bytes:':
      case 'Bytes:ByteA':
        t = 'bytea';
        break;
      default:
        throw new Error(`schema-agreement.test.ts does not know Prisma type ${f.type} @db.${native}: add it to expectedType()`);
    }
  }
  return f.isList ? `${t}[]` : t;
}

const ON_ACTION: Record<string, string> = { a: 'NoAction', r: 'Restrict', c: 'Cascade', n: 'SetNull', d: 'SetDefault' };

// ── the database, read from the catalogs ──
interface DbColumn {
  table: string;
  column: string;
  type: string;
  notNull: boolean;
  isArray: boolean;
}
interface DbIndex {
  table: string;
  name: string;
  columns: (string | null)[];
  unique: boolean;
  primary: boolean;
  partial: boolean;
}
interface DbForeignKey {
  table: string;
  name: string;
  columns: string[];
  refTable: string;
  refColumns: string[];
  onDelete: string;
  onUpdate: string;
}

let database: EmptyDatabase;
let tables: string[];
let columns: DbColumn[];
let indexes: DbIndex[];
let foreignKeys: DbForeignKey[];
let enums: Map<string, string[]>;

beforeAll(async () => {
  database = await emptyDatabase('schema_agreement');
  await migrateUp(database.url);
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  try {
    tables = (
      await client.query<{ name: string }>(
        `SELECT c.relname AS name FROM pg_class c WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p') AND NOT c.relispartition`,
      )
    ).rows.map((r) => r.name);
    // Tables in other user schemas would be invisible to Prisma (it only knows "public").
    const elsewhere = await client.query<{ name: string }>(
      `SELECT n.nspname || '.' || c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('public', 'pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'`,
    );
    tables.push(...elsewhere.rows.map((r) => r.name));
    columns = (
      await client.query<DbColumn>(
        `SELECT c.relname AS table, a.attname AS column, format_type(a.atttypid, a.atttypmod) AS type,
                a.attnotnull AS "notNull", (t.typcategory = 'A') AS "isArray"
         FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_type t ON t.oid = a.atttypid
         WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped`,
      )
    ).rows;
    indexes = (
      await client.query<DbIndex>(
        `SELECT c.relname AS table, ic.relname AS name, i.indisunique AS unique, i.indisprimary AS primary,
                (i.indpred IS NOT NULL) AS partial,
                ARRAY(SELECT a.attname::text FROM unnest(i.indkey::int2[]) WITH ORDINALITY k(attnum, ord)
                      LEFT JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum AND k.attnum > 0
                      WHERE k.ord <= i.indnkeyatts ORDER BY k.ord) AS columns
         FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid JOIN pg_class ic ON ic.oid = i.indexrelid
         WHERE c.relnamespace = 'public'::regnamespace`,
      )
    ).rows;
    foreignKeys = (
      await client.query<DbForeignKey>(
        `SELECT c.relname AS table, con.conname AS name, rc.relname AS "refTable",
                ARRAY(SELECT a.attname::text FROM unnest(con.conkey) WITH ORDINALITY k(attnum, ord)
                      JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum ORDER BY k.ord) AS columns,
                ARRAY(SELECT a.attname::text FROM unnest(con.confkey) WITH ORDINALITY k(attnum, ord)
                      JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.attnum ORDER BY k.ord) AS "refColumns",
                con.confdeltype::text AS "onDelete", con.confupdtype::text AS "onUpdate"
         FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid JOIN pg_class rc ON rc.oid = con.confrelid
         WHERE con.contype = 'f' AND c.relnamespace = 'public'::regnamespace`,
      )
    ).rows.map((fk) => ({ ...fk, onDelete: ON_ACTION[fk.onDelete]!, onUpdate: ON_ACTION[fk.onUpdate]! }));
    enums = new Map(
      (
        await client.query<{ name: string; labels: string[] }>(
          `SELECT t.typname AS name, array_agg(e.enumlabel::text ORDER BY e.enumsortorder) AS labels
           FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid WHERE t.typnamespace = 'public'::regnamespace GROUP BY t.typname`,
        )
      ).rows.map((r) => [r.name, r.labels]),
    );
  } finally {
    await client.end();
  }
});

afterAll(async () => {
  await database?.drop();
});

const sameColumns = (a: (string | null)[], b: string[]) => a.length === b.length && a.every((c, i) => c === b[i]);

describe('the Prisma schema and the migrated database agree', () => {
  it('the DMMF is the full one (relations and ids present)', () => {
    expect(datamodel.models.length).toBeGreaterThan(10);
    expect(datamodel.models.some((m) => m.fields.some((f) => f.kind === 'object' && f.relationFromFields?.length))).toBe(true);
    expect(datamodel.indexes.length).toBeGreaterThan(0);
  });

  it('every model has a table, and there is no table outside the models', () => {
    const modelTables = datamodel.models.map(tableOf).sort();
    for (const t of modelTables) expect(tables, `table for model`).toContain(t);
    expect(tables.filter((t) => !modelTables.includes(t) && t !== RUNNER_TABLE).sort(), 'tables with no Prisma model').toEqual([]);
  });

  describe.each(datamodel.models.map((m) => [m.name, m] as const))('%s', (_name, model) => {
    const table = tableOf(model);
    const scalars = model.fields.filter((f) => f.kind === 'scalar' || f.kind === 'enum');

    it('has every field as a column of the right type, nullability and array-ness, and no other column', () => {
      const dbColumns = columns.filter((c) => c.table === table);
      const actual = Object.fromEntries(dbColumns.map((c) => [c.column, { type: c.type, notNull: c.notNull, isArray: c.isArray }]));
      const expected = Object.fromEntries(scalars.map((f) => [columnOf(f), { type: expectedType(f), notNull: f.isRequired, isArray: f.isList }]));
      expect(actual).toEqual(expected);
    });

    it('has the primary key of the model', () => {
      const idFields = model.primaryKey?.fields ?? model.fields.filter((f) => f.isId).map((f) => f.name);
      const pk = indexes.filter((i) => i.table === table && i.primary);
      expect(pk).toHaveLength(1);
      const expected = columnsOf(model, idFields);
      expect(pk[0]!.columns).toEqual(DISTRIBUTION_PREFIXED_KEYS.has(table) ? ['organization_id', ...expected] : expected);
    });

    it('has a unique index for every @unique and @@unique, and an index for every @@index', () => {
      const own = datamodel.indexes.filter((i) => i.model === model.name && (i.type === 'unique' || i.type === 'normal'));
      // Field-level @unique may be missing from `indexes` in older DMMFs: add them.
      for (const f of model.fields.filter((x) => x.isUnique)) {
        if (!own.some((i) => i.type === 'unique' && i.fields.length === 1 && i.fields[0]!.name === f.name)) {
          own.push({ model: model.name, type: 'unique', fields: [{ name: f.name }] });
        }
      }
      for (const wanted of own) {
        const cols = columnsOf(model, wanted.fields.map((x) => x.name));
        const label = `${wanted.type} index on ${table}(${cols.join(', ')})`;
        const found = indexes.filter(
          (i) => i.table === table && !i.partial && sameColumns(i.columns, cols) && (wanted.type === 'normal' || i.unique),
        );
        expect(found.length, `${label} is missing`).toBeGreaterThan(0);
        if (wanted.dbName) expect(found.map((i) => i.name), `${label} is named ${wanted.dbName}`).toContain(wanted.dbName);
      }
    });

    it('has a foreign key for every relation, with its onDelete and onUpdate, and no other foreign key', () => {
      const relations = model.fields.filter((f) => f.kind === 'object' && f.relationFromFields?.length);
      const own = foreignKeys.filter((fk) => fk.table === table);
      const expected = relations.map((f) => {
        const target = modelByName.get(f.type)!;
        return {
          columns: columnsOf(model, f.relationFromFields!),
          refTable: tableOf(target),
          refColumns: columnsOf(target, f.relationToFields!),
          // Prisma's defaults when the schema does not say.
          onDelete: f.relationOnDelete ?? (f.isRequired ? 'Restrict' : 'SetNull'),
          onUpdate: f.relationOnUpdate ?? 'Cascade',
        };
      });
      const actual = own.map(({ columns: c, refTable, refColumns, onDelete, onUpdate }) => ({ columns: c, refTable, refColumns, onDelete, onUpdate }));
      const key = (x: { columns: string[] }) => x.columns.join(',');
      expect([...actual].sort((a, b) => key(a).localeCompare(key(b)))).toEqual([...expected].sort((a, b) => key(a).localeCompare(key(b))));
    });

    it('has no index the schema does not know about, except the listed DB-only ones', () => {
      const known = datamodel.indexes.filter((i) => i.model === model.name).map((i) => columnsOf(model, i.fields.map((x) => x.name)));
      for (const f of model.fields.filter((x) => x.isUnique)) known.push([columnOf(f)]);
      const extra = indexes
        .filter((i) => i.table === table && !i.primary)
        .filter((i) => i.partial || !known.some((cols) => sameColumns(i.columns, cols)))
        .map((i) => i.name)
        .filter((n) => !(n in DB_ONLY_INDEXES));
      expect(extra, 'index not in the Prisma schema: add it there, or to DB_ONLY_INDEXES with its reason').toEqual([]);
    });
  });

  it('every enum exists with the same values in the same order, and there is no other enum', () => {
    const expected = Object.fromEntries(datamodel.enums.map((e) => [e.dbName ?? e.name, e.values.map((v) => v.dbName ?? v.name)]));
    expect(Object.fromEntries(enums)).toEqual(expected);
  });
});
