import fs from 'node:fs';
import path from 'node:path';
import type { Datamodel } from '../../db/dmmf.js';
import { AppError } from '../../domain/shared/app-error.js';
import { namesOf } from './names.js';
import { applyEdit, editProblem, type RegistryEdit } from './registry-edit.js';
import { resourceMigration, type ScaffoldTenancy } from './resource-migration.js';
import { resourceFile, resourceTestFile } from './resource-templates.js';

export const TENANCIES: readonly ScaffoldTenancy[] = ['org', 'realm', 'global'];
const GROUPS = ['Tenancy', 'Models', 'Access', 'Usage and quotas', 'Knowledge', 'Assistants', 'System'];

export interface ScaffoldResourceOptions {
  root: string;
  model: string;
  tenancy: ScaffoldTenancy;
  /** Sidebar group (GROUPS in src/admin/resources/index.ts). */
  group?: string;
  /** Migration folder name; default: the next number after the newest, then the table name. */
  migration?: string;
}

export interface ScaffoldResult {
  written: string[];
  edited: string[];
  next: string[];
}

const rel = (root: string, p: string) => path.relative(root, p);

function readDatamodel(root: string): Datamodel {
  const file = path.join(root, 'src/generated/dmmf.json');
  if (!fs.existsSync(file)) throw new AppError('INVALID', 'src/generated/dmmf.json is missing: run `npm run generate` first');
  return (JSON.parse(fs.readFileSync(file, 'utf8')) as { datamodel: Datamodel }).datamodel;
}

function migrationsDir(root: string): string {
  return path.join(root, 'prisma/migrations');
}

function allMigrationSql(root: string): string {
  const dir = migrationsDir(root);
  return fs
    .readdirSync(dir)
    .filter((d) => fs.existsSync(path.join(dir, d, 'migration.sql')))
    .map((d) => fs.readFileSync(path.join(dir, d, 'migration.sql'), 'utf8'))
    .join('\n');
}

function nextMigrationName(root: string, table: string): string {
  const numbers = fs.readdirSync(migrationsDir(root)).map((d) => /^(\d{4})_/.exec(d)?.[1]).filter(Boolean).map(Number);
  const next = String(Math.max(0, ...numbers) + 1).padStart(4, '0');
  return `${next}_${table.toLowerCase().replace(/[^a-z0-9]+/g, '_')}`;
}

/**
 * Writes everything a new model needs to be a tenant-safe resource, refusing
 * (before writing anything) when any piece exists already. The model must be in
 * prisma/schema.prisma and generated (src/generated/dmmf.json).
 */
export function scaffoldResource(opts: ScaffoldResourceOptions): ScaffoldResult {
  const { root, tenancy } = opts;
  if (!TENANCIES.includes(tenancy)) throw new AppError('INVALID', `--tenancy must be one of ${TENANCIES.join(', ')}`);
  const group = opts.group ?? (tenancy === 'global' ? 'System' : tenancy === 'realm' ? 'Knowledge' : 'Tenancy');
  if (!GROUPS.includes(group)) throw new AppError('INVALID', `--group must be one of: ${GROUPS.join(', ')}`);
  const datamodel = readDatamodel(root);
  const model = datamodel.models.find((m) => m.name === opts.model);
  if (!model) {
    throw new AppError('NOT_FOUND', `No model ${opts.model} in src/generated/dmmf.json. Add it to prisma/schema.prisma, then run \`npm run generate\` and this command again.`);
  }
  const names = namesOf(model.name);
  const fields = new Set(model.fields.map((f) => f.name));
  const needs = (field: string, hint: string) => {
    if (!fields.has(field)) throw new AppError('INVALID', `A '${tenancy}' resource needs ${field}: add \`${hint}\` (with its relation and an index) to model ${model.name}`);
  };
  if (tenancy !== 'global') needs('organizationId', 'organizationId String @map("organization_id") @db.Uuid');
  if (tenancy === 'realm') needs('realmId', 'realmId String? @map("realm_id") @db.Uuid');
  if (!model.fields.some((f) => f.name === 'id' && f.isId)) throw new AppError('INVALID', `${model.name} needs a single \`id\` primary key (the panel and the generated test address rows by id)`);

  const table = model.dbName ?? model.name;
  const existingSql = allMigrationSql(root);
  if (new RegExp(`CREATE TABLE (IF NOT EXISTS )?"?${table}"?\\s*\\(`).test(existingSql)) {
    throw new AppError('CONFLICT', `A migration already creates table "${table}": nothing written`);
  }
  const migration = opts.migration ?? nextMigrationName(root, table);
  if (!/^\d{4}_[a-z0-9_]+$/.test(migration)) throw new AppError('INVALID', `Migration folder ${migration} must match NNNN_lower_snake_name`);
  const existingEnums = new Set([...existingSql.matchAll(/CREATE TYPE "([^"]+)"/g)].map((m) => m[1]!));
  const hasSystemRole = /CREATE ROLE realmgate_system\b/.test(existingSql);
  const sql = resourceMigration({ datamodel, model, tenancy, existingEnums, hasSystemRole }, migration);
  const enumValues = new Map(datamodel.enums.map((e) => [e.name, e.values.map((v) => v.name)]));

  const files: Array<[string, string]> = [
    [path.join(migrationsDir(root), migration, 'migration.sql'), sql.up],
    [path.join(migrationsDir(root), migration, 'down.sql'), sql.down],
    [path.join(root, 'src/admin/resources', `${names.kebab}.resource.ts`), resourceFile(model, names, tenancy)],
    [path.join(root, 'test/resources', `${names.kebab}.test.ts`), resourceTestFile(model, names, tenancy, enumValues)],
  ];
  const p = (f: string) => path.join(root, f);
  const M = model.name;
  const edits: RegistryEdit[] = [
    { file: p('src/domain/access/permissions.ts'), anchor: 'resources', lines: [`'${M}',`], exists: new RegExp(`^\\s*'${M}',`, 'm') },
    {
      file: p('src/domain/access/permissions.ts'),
      anchor: 'permissions',
      lines: [
        `// ${M}: superadmin only until opened here, e.g. ${tenancy === 'global' ? "ADMIN: r('all'), USER: r('all'), VIEWER: r('all')" : 'ADMIN: ORG_CRUD, USER: OWN_CRUD, VIEWER: ORG_READ'}`,
        `${M}: { ADMIN: NONE, USER: NONE, VIEWER: NONE },`,
      ],
      exists: new RegExp(`^\\s*${M}: \\{ ADMIN`, 'm'),
    },
    { file: p('src/domain/access/tenancy.ts'), anchor: 'tenancy', lines: [`${M}: '${tenancy}',`], exists: new RegExp(`^\\s*${M}: '`, 'm') },
    { file: p('src/admin/resources/labels.ts'), anchor: 'labels', lines: [`${M}: '${names.label}',`], exists: new RegExp(`^\\s*${M}: '`, 'm') },
    { file: p('src/admin/resources/index.ts'), anchor: 'navigation', lines: [`${M}: '${group}',`], exists: new RegExp(`^\\s*${M}: '`, 'm') },
    {
      file: p('src/admin/resources/screen-factories.ts'),
      anchor: 'imports',
      lines: [`import { ${names.camel}Resource } from './${names.kebab}.resource.js';`],
      exists: new RegExp(`\\b${names.camel}Resource\\b`),
    },
    { file: p('src/admin/resources/screen-factories.ts'), anchor: 'screens', lines: [`${M}: ${names.camel}Resource,`], exists: new RegExp(`^\\s*${M}: `, 'm') },
  ];

  const problems = [
    ...files.filter(([f]) => fs.existsSync(f)).map(([f]) => `${rel(root, f)} exists`),
    ...(fs.existsSync(path.join(migrationsDir(root), migration)) ? [`prisma/migrations/${migration} exists`] : []),
    ...edits.map(editProblem).filter((x): x is string => !!x).map((x) => x.replace(`${root}/`, '')),
  ];
  if (problems.length) throw new AppError('CONFLICT', `Refusing to overwrite anything; nothing was written:\n  - ${[...new Set(problems)].join('\n  - ')}`);

  for (const [file, text] of files) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
  }
  for (const e of edits) applyEdit(e);

  return {
    written: files.map(([f]) => rel(root, f)),
    edited: [...new Set(edits.map((e) => rel(root, e.file)))],
    next: [
      `Review prisma/migrations/${migration}/migration.sql (table, indexes, policies, grants), then apply it: npm run migrate -- up (or just npm start)`,
      `Open ${M} to roles in ADDED_ROWS in src/domain/access/permissions.ts (it is superadmin-only now)`,
      `Adjust the screen in src/admin/resources/${names.kebab}.resource.ts`,
      `Run the checks: npx vitest run test/resources/${names.kebab}.test.ts test/extending/completeness.test.ts test/schema-agreement.test.ts`,
    ],
  };
}
