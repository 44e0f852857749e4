import type { Datamodel, Model } from '../../db/dmmf.js';
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
const ROLE = "NULLIF(pg_catalog.current_setting('app.role', true), '')";
const ORG = "organization_id = NULLIF(pg_catalog.current_setting('app.org_id', true), '')::uuid";
const READER = `${ROLE} IN ('ADMIN', 'USER', 'VIEWER')`;
const WRITER = `${ROLE} IN ('ADMIN', 'USER')`;

/**
 * One migration for a new table: the table as the Prisma schema says (columns,
 * keys, indexes, foreign keys), row-level security enabled and forced, the
 * policies of its tenancy kind, and grants. Policies are per role and compare
 * organization_id inline (no per-row function calls). With the system login
 * (migration 0006_hardening creates realmgate_system) the tenant login's
 * policies admit organization members only, and realmgate_system, which serves
 * system work and superadmins, gets a policy of its own; before it, 'system'
 * and 'SUPERADMIN' contexts pass the app role's policies as in 0002.
 */
export function resourceMigration(ctx: MigrationContext, name: string): { up: string; down: string } {
  const { model, datamodel, tenancy, hasSystemRole } = ctx;
  const table = model.dbName ?? model.name;
  const q = `"${table}"`;
  const newEnums = [...new Set(model.fields.filter((f) => f.kind === 'enum').map((f) => f.type))].filter((e) => !ctx.existingEnums.has(e));
  const enums = datamodel.enums.filter((e) => newEnums.includes(e.name));

  const privileged = hasSystemRole ? null : `${ROLE} IN ('system', 'SUPERADMIN')`;
  const either = (cond: string) => (privileged ? `${privileged}\n    OR (${cond})` : cond);
  // A row may only name a realm of its own organization (checked on write).
  const realmCheck = `(realm_id IS NULL OR EXISTS (SELECT 1 FROM "realms" r WHERE r.id = ${q}.realm_id AND r.organization_id = ${q}.organization_id))`;
  const read = tenancy === 'global' ? (hasSystemRole ? READER : 'true') : either(`${ORG} AND ${READER}`);
  const write = tenancy === 'global' ? privileged : either(`${ORG} AND ${WRITER}`);
  const checked = write && tenancy === 'realm' ? `(${write})\n    AND ${realmCheck}` : write;

  const who = hasSystemRole ? 'superadmins and system work go through realmgate_system' : "superadmins and the 'system' context see and write every row";
  const why = {
    org: `Rows of one organization: its members read them, its ADMIN and USER write them\n-- (the permission matrix, src/domain/access/permissions.ts, narrows this further);\n-- ${who}.`,
    realm: `Rows of one organization inside one of its realms: its members read them, its\n-- ADMIN and USER write them (the permission matrix narrows this further), and a\n-- row may only name a realm of its own organization; ${who}.`,
    global: `Rows nobody owns: every member reads them; only platform staff write them${hasSystemRole ? ' (through realmgate_system)' : ''}.`,
  }[tenancy];

  const policies = [
    `CREATE POLICY rg_app_select ON ${q} FOR SELECT TO realmgate_app USING (\n    ${read});`,
    ...(write && checked
      ? [
          `CREATE POLICY rg_app_insert ON ${q} FOR INSERT TO realmgate_app WITH CHECK (\n    ${checked});`,
          `CREATE POLICY rg_app_update ON ${q} FOR UPDATE TO realmgate_app USING (\n    ${write}) WITH CHECK (\n    ${checked});`,
          `CREATE POLICY rg_app_delete ON ${q} FOR DELETE TO realmgate_app USING (\n    ${write});`,
        ]
      : []),
    ...(hasSystemRole ? [`CREATE POLICY rg_system ON ${q} FOR ALL TO realmgate_system USING (true) WITH CHECK (true);`] : []),
  ];
  const grants = [
    `-- Grants, for the roles this database has (a managed database may lack them: see 0002${hasSystemRole ? ' and 0006' : ''}).`,
    'DO $$',
    'BEGIN',
    `  IF EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'realmgate_app') THEN`,
    `    GRANT SELECT, INSERT, UPDATE, DELETE ON ${q} TO realmgate_app;`,
    '  END IF;',
    ...(hasSystemRole
      ? [`  IF EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'realmgate_system') THEN`, `    GRANT SELECT, INSERT, UPDATE, DELETE ON ${q} TO realmgate_system;`, '  END IF;']
      : []),
    'END',
    '$$;',
  ];

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
    ...policies,
    '',
    ...grants,
    '',
  ].join('\n');

  const down = [`-- Rolls back ${name}.`, `DROP TABLE ${q};`, ...enums.map((e) => `DROP TYPE "${e.name}";`), ''].join('\n');
  return { up, down };
}
