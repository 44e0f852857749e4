// CREATE statements for a Prisma datamodel (the DMMF in src/generated/dmmf.json),
// following Prisma's own naming for keys, indexes and foreign keys. Used by
// scripts/sql-from-schema.mjs (the whole schema) and by `realmgate scaffold
// resource` (one model's table for its migration).

const q = (s) => `"${s}"`;
const tableOf = (m) => m.dbName ?? m.name;
const colOf = (m, name) => {
  const f = m.fields.find((x) => x.name === name);
  return f.dbName ?? f.name;
};

export function sqlType(f) {
  const [native, args = []] = f.nativeType ?? [];
  let t;
  if (f.kind === 'enum') t = q(f.type);
  else if (f.type === 'String') t = native === 'Uuid' ? 'UUID' : native === 'VarChar' ? (args.length ? `VARCHAR(${args[0]})` : 'VARCHAR') : 'TEXT';
  else if (f.type === 'Int') t = 'INTEGER';
  else if (f.type === 'BigInt') t = 'BIGINT';
  else if (f.type === 'Float') t = 'DOUBLE PRECISION';
  else if (f.type === 'Boolean') t = 'BOOLEAN';
  else if (f.type === 'Decimal') t = 'DECIMAL(65,30)';
  else if (f.type === 'Json') t = native === 'Json' ? 'JSON' : 'JSONB';
  else if (f.type === 'DateTime') t = native === 'Date' ? 'DATE' : native === 'Timestamp' ? `TIMESTAMP(${args[0] ?? 3})` : native === 'Timestamptz' ? `TIMESTAMPTZ(${args[0] ?? 3})` : 'TIMESTAMP(3)';
  else throw new Error(`unmapped type ${f.type}`);
  return f.isList ? `${t}[]` : t;
}

export function sqlDefault(f) {
  if (!f.hasDefaultValue || f.default === undefined) return '';
  const d = f.default;
  if (typeof d === 'object' && !Array.isArray(d) && d.name) {
    if (d.name === 'dbgenerated') return ` DEFAULT ${d.args[0]}`;
    if (d.name === 'now') return ' DEFAULT CURRENT_TIMESTAMP';
    throw new Error(`unmapped default ${d.name}`);
  }
  if (Array.isArray(d)) return ` DEFAULT ARRAY[${d.map((v) => `'${v}'`).join(', ')}]::${sqlType(f)}`;
  if (typeof d === 'boolean' || typeof d === 'number') return ` DEFAULT ${d}`;
  return ` DEFAULT '${String(d).replace(/'/g, "''")}'`;
}

export function enumSql(e) {
  return `CREATE TYPE ${q(e.name)} AS ENUM (${e.values.map((v) => `'${v.dbName ?? v.name}'`).join(', ')});`;
}

/** CREATE TABLE for one model: columns, defaults, primary key. */
export function tableSql(m) {
  const cols = m.fields.filter((f) => f.kind !== 'object').map((f) => `    ${q(f.dbName ?? f.name)} ${sqlType(f)}${f.isRequired ? ' NOT NULL' : ''}${sqlDefault(f)}`);
  const pk = m.primaryKey ? m.primaryKey.fields.map((n) => q(colOf(m, n))) : m.fields.filter((f) => f.isId).map((f) => q(f.dbName ?? f.name));
  cols.push(`    CONSTRAINT ${q(`${tableOf(m)}_pkey`)} PRIMARY KEY (${pk.join(', ')})`);
  return `CREATE TABLE ${q(tableOf(m))} (\n${cols.join(',\n')}\n);`;
}

/** CREATE [UNIQUE] INDEX for the indexes and unique constraints of `modelName` (all models when omitted). */
export function indexSql(datamodel, modelName) {
  const models = new Map(datamodel.models.map((m) => [m.name, m]));
  const out = [];
  for (const idx of datamodel.indexes) {
    if (idx.type === 'id' || (modelName && idx.model !== modelName)) continue;
    const m = models.get(idx.model);
    const cols = idx.fields.map((x) => colOf(m, x.name));
    const unique = idx.type === 'unique';
    const name = idx.dbName ?? `${tableOf(m)}_${cols.join('_')}_${unique ? 'key' : 'idx'}`;
    out.push(`CREATE ${unique ? 'UNIQUE ' : ''}INDEX ${q(name)} ON ${q(tableOf(m))}(${cols.map(q).join(', ')});`);
  }
  return out;
}

/** ALTER TABLE ... ADD CONSTRAINT ... FOREIGN KEY for the relations `m` holds. */
export function foreignKeySql(datamodel, m) {
  const models = new Map(datamodel.models.map((x) => [x.name, x]));
  const out = [];
  for (const f of m.fields) {
    if (f.kind !== 'object' || !f.relationFromFields?.length) continue;
    const target = models.get(f.type);
    const from = f.relationFromFields.map((n) => colOf(m, n));
    const to = f.relationToFields.map((n) => colOf(target, n));
    const onDelete = (f.relationOnDelete ?? (f.isRequired ? 'Restrict' : 'SetNull')).replace(/([a-z])([A-Z])/g, '$1 $2').toUpperCase();
    out.push(`ALTER TABLE ${q(tableOf(m))} ADD CONSTRAINT ${q(`${tableOf(m)}_${from.join('_')}_fkey`)} FOREIGN KEY (${from.map(q).join(', ')}) REFERENCES ${q(tableOf(target))}(${to.map(q).join(', ')}) ON DELETE ${onDelete} ON UPDATE CASCADE;`);
  }
  return out;
}

/** The whole schema as SQL: enums, tables, indexes, foreign keys. */
export function schemaSql(datamodel) {
  const out = datamodel.enums.map(enumSql);
  for (const m of datamodel.models) out.push(`\n${tableSql(m)}`);
  out.push(...indexSql(datamodel));
  for (const m of datamodel.models) out.push(...foreignKeySql(datamodel, m));
  return out.join('\n');
}
