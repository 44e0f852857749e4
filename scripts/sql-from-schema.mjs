#!/usr/bin/env node
// Prints CREATE statements for the Prisma datamodel (from src/generated/dmmf.json),
// following Prisma's own naming for keys, indexes and foreign keys. `prisma migrate`
// needs a schema-engine binary that cannot be fetched here, so new migrations start
// from this output (diff it against the previous one) and are then reviewed by hand.
import fs from 'node:fs';

const file = new URL('../src/generated/dmmf.json', import.meta.url);
const { datamodel } = JSON.parse(fs.readFileSync(file, 'utf8'));
const models = new Map(datamodel.models.map((m) => [m.name, m]));
const enums = new Set(datamodel.enums.map((e) => e.name));
const q = (s) => `"${s}"`;
const table = (m) => m.dbName ?? m.name;
const col = (m, name) => {
  const f = m.fields.find((x) => x.name === name);
  return f.dbName ?? f.name;
};

function sqlType(f) {
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

function sqlDefault(f) {
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

const out = [];
for (const e of datamodel.enums) {
  out.push(`CREATE TYPE ${q(e.name)} AS ENUM (${e.values.map((v) => `'${v.dbName ?? v.name}'`).join(', ')});`);
}
for (const m of datamodel.models) {
  const cols = m.fields.filter((f) => f.kind !== 'object').map((f) => `    ${q(f.dbName ?? f.name)} ${sqlType(f)}${f.isRequired ? ' NOT NULL' : ''}${sqlDefault(f)}`);
  const pk = m.primaryKey ? m.primaryKey.fields.map((n) => q(col(m, n))) : m.fields.filter((f) => f.isId).map((f) => q(f.dbName ?? f.name));
  cols.push(`    CONSTRAINT ${q(`${table(m)}_pkey`)} PRIMARY KEY (${pk.join(', ')})`);
  out.push(`\nCREATE TABLE ${q(table(m))} (\n${cols.join(',\n')}\n);`);
}
for (const idx of datamodel.indexes) {
  if (idx.type === 'id') continue;
  const m = models.get(idx.model);
  const cols = idx.fields.map((x) => col(m, x.name));
  const unique = idx.type === 'unique';
  const name = idx.dbName ?? `${table(m)}_${cols.join('_')}_${unique ? 'key' : 'idx'}`;
  out.push(`CREATE ${unique ? 'UNIQUE ' : ''}INDEX ${q(name)} ON ${q(table(m))}(${cols.map(q).join(', ')});`);
}
for (const m of datamodel.models) {
  for (const f of m.fields) {
    if (f.kind !== 'object' || !f.relationFromFields?.length) continue;
    const target = models.get(f.type);
    const from = f.relationFromFields.map((n) => col(m, n));
    const to = f.relationToFields.map((n) => col(target, n));
    const onDelete = (f.relationOnDelete ?? (f.isRequired ? 'Restrict' : 'SetNull')).replace(/([a-z])([A-Z])/g, '$1 $2').toUpperCase();
    out.push(`ALTER TABLE ${q(table(m))} ADD CONSTRAINT ${q(`${table(m)}_${from.join('_')}_fkey`)} FOREIGN KEY (${from.map(q).join(', ')}) REFERENCES ${q(table(target))}(${to.map(q).join(', ')}) ON DELETE ${onDelete} ON UPDATE CASCADE;`);
  }
}
console.log(out.join('\n'));
