import type { Datamodel, Model } from '../../admin/dmmf.js';
import { enumSql, foreignKeySql, indexSql, tableSql } from '../../../scripts/schema-sql.mjs';

export type ScaffoldTenancy = 'org' | 'realm' | 'global';

export interface MigrationContext {
  datamodel: Datamodel;
  model: Model;
  tenancy: ScaffoldTenancy;
  /** Enum types some migration already creates (CREATE TYPE "Name"). */
  existingEnums: ReadonlySet<string>;
  /** True once a migration creates the system login's role: it then gets policies of its own. */
  hasSystemRole: boolean;
}

// The request context as the policies read it (src/db/tenant-context.ts sets it
// per transaction). After a transaction the settings read '' rather than NULL.
const ROLE = "NULLIF(current_setting('app.role', true), '')";
const ORG = "NULLIF(current_setting('app.org_id', true), '')::uuid";

/**
 * One migration for a new table: the table as the Prisma schema says (columns,
 * keys, indexes, foreign keys), row-level security enabled and forced, the
 * policies of its tenancy kind, and grants to the app role. Policies are
 * per role (TO realmgate_app, and TO realmgate_system once that role exists)
 * with inline comparisons of organization_id: no per-row function calls.
 */
export function resourceMigration(ctx: MigrationContext, name: string): { up: string; down: string } {
  const { model, datamodel, tenancy } = ctx;
  const table = model.dbName ?? model.name;
  const q = `"${table}"`;
  const newEnums = [...new Set(model.fields.filter((f) => f.kind === 'enum').map((f) => f.type))].filter((e) => !ctx.existingEnums.has(e));
  const enums = datamodel.enums.filter((e) => newEnums.includes(e.name));

  const privileged = ctx.hasSystemRole ? `${ROLE} = 'SUPERADMIN'` : `${ROLE} IN ('system', 'SUPERADMIN')`;
  const member = (roles: string) => `(${ROLE} IN (${roles}) AND organization_id = ${ORG})`;
  const read = tenancy === 'global' ? 'true' : `${privileged}\n    OR ${member("'ADMIN', 'USER', 'VIEWER'")}`;
  const write = tenancy === 'global' ? privileged : `${privileged}\n    OR ${member("'ADMIN', 'USER'")}`;
  // A realm of another organization must not be named: the realm's organization is checked on write.
  const realmCheck =
    tenancy === 'realm'
      ? `\n    AND (realm_id IS NULL OR EXISTS (SELECT 1 FROM "realms" r WHERE r.id = ${q}.realm_id AND r.organization_id = ${q}.organization_id))`
      : '';
  const checked = tenancy === 'realm' ? `(${write})${realmCheck}` : write;

  const why = {
    org: `Rows of one organization: its members read them, its ADMIN and USER write them\n-- (the permission matrix, src/domain/access/permissions.ts, narrows this further);\n-- superadmins${ctx.hasSystemRole ? '' : ' and the system context'} see and write every row.`,
    realm: `Rows of one organization inside one of its realms: its members read them, its\n-- ADMIN and USER write them (the permission matrix narrows this further), and a\n-- row may only name a realm of its own organization; superadmins${ctx.hasSystemRole ? '' : ' and the system\n-- context'} see and write every row.`,
    global: `Rows nobody owns: every context reads them, only platform staff write them.`,
  }[tenancy];

  const up = [
    `-- ${name}: the ${model.name} resource (tenancy '${tenancy}'), written by`,
    `-- \`npm run realmgate -- scaffold resource ${model.name} --tenancy ${tenancy}\`. Review it before it is applied:`,
    `-- applied migrations are checksummed and must not change afterwards.`,
    '',
    ...enums.map(enumSql),
    ...(enums.length ? [''] : []),
    tableSql(model),
    '',
    ...indexSql(datamodel, model.name),
    ...foreignKeySql(datamodel, model),
    '',
    `-- ${why}`,
    `ALTER TABLE ${q} ENABLE ROW LEVEL SECURITY;`,
    `ALTER TABLE ${q} FORCE ROW LEVEL SECURITY;`,
    `CREATE POLICY rg_app_select ON ${q} FOR SELECT TO realmgate_app USING (\n    ${read});`,
    `CREATE POLICY rg_app_insert ON ${q} FOR INSERT TO realmgate_app WITH CHECK (\n    ${checked});`,
    `CREATE POLICY rg_app_update ON ${q} FOR UPDATE TO realmgate_app USING (\n    ${write}) WITH CHECK (\n    ${checked});`,
    `CREATE POLICY rg_app_delete ON ${q} FOR DELETE TO realmgate_app USING (\n    ${write});`,
    ...(ctx.hasSystemRole ? [`-- Seeds, migrations and cross-tenant batches run as the system login.`, `CREATE POLICY rg_system_all ON ${q} FOR ALL TO realmgate_system USING (true) WITH CHECK (true);`] : []),
    '',
    `GRANT SELECT, INSERT, UPDATE, DELETE ON ${q} TO realmgate_app;`,
    ...(ctx.hasSystemRole ? [`GRANT SELECT, INSERT, UPDATE, DELETE ON ${q} TO realmgate_system;`] : []),
    '',
  ].join('\n');

  const down = [`-- Rolls back ${name}.`, `DROP TABLE ${q};`, ...enums.map((e) => `DROP TYPE "${e.name}";`), ''].join('\n');
  return { up, down };
}
