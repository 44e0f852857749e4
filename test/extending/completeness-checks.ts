import type { Datamodel } from '../../src/db/dmmf.js';
import type { ActionAudit } from '../../src/admin/actions/action-audits.js';
import type { Tenancy } from '../../src/domain/access/tenancy.js';

/**
 * What must exist for every Prisma model and every custom action, as data, so
 * the completeness test can check the real registries and its own tests can
 * check that a missing piece is named. Each problem says what to add, where.
 */
export interface Registries {
  datamodel: Datamodel;
  /** RESOURCES of the permission matrix. */
  matrix: readonly string[];
  tenancy: Record<string, Tenancy>;
  /** Models with a screen factory (FACTORIES in src/admin/resources/index.ts). */
  screens: readonly string[];
  navigation: Record<string, string>;
  notInPanel: Record<string, string>;
  /** Row-level security as the migrated database has it, by table name. */
  rls: Map<string, { enabled: boolean; forced: boolean; policies: number; appGranted: boolean }>;
  /** Custom actions ("Resource.action") whose domain function writes the audit row. */
  domainAuditedActions: readonly string[];
  actionAudits: Record<string, ActionAudit>;
  /** Resources some test drives through the panel as every role (permissions.test.ts fixtures or test/resources/<name>.test.ts). */
  matrixTested: ReadonlySet<string>;
  /** `action` names passed to recordAudit anywhere in src/domain. */
  recordedAuditActions: ReadonlySet<string>;
}

const kebab = (model: string) => model.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
const SCAFFOLD = (model: string) => `(or run: npm run realmgate -- scaffold resource ${model} --tenancy org|realm|global)`;

export function completenessProblems(r: Registries): string[] {
  const problems: string[] = [];
  const models = r.datamodel.models;
  const names = new Set(models.map((m) => m.name));
  for (const m of models) {
    const table = m.dbName ?? m.name;
    const kind = r.tenancy[m.name];
    if (!r.matrix.includes(m.name)) {
      problems.push(
        `${m.name}: no permission matrix row. Add '${m.name}', to RESOURCES in src/domain/access/permissions.ts ` +
          `(superadmin-only until you open it in ADDED_ROWS there) ${SCAFFOLD(m.name)}`,
      );
    }
    if (r.matrix.includes(m.name) && !(m.name in r.notInPanel) && !r.matrixTested.has(m.name)) {
      problems.push(
        `${m.name}: no permission test. Add test/resources/${kebab(m.name)}.test.ts calling describeResourceMatrix (test/support/resource-matrix.ts), ` +
          `or fixtures for it in test/support/admin-fixtures.ts (makeRow, FIXTURE_RESOURCES) ${SCAFFOLD(m.name)}`,
      );
    }
    if (!kind) {
      problems.push(
        `${m.name}: no tenancy kind. Add ${m.name}: 'org' (or 'realm', 'catalog', 'global', 'platform', 'tenant') to TENANCY in src/domain/access/tenancy.ts`,
      );
    }
    const inPanel = !(m.name in r.notInPanel);
    if (inPanel && !r.screens.includes(m.name)) {
      problems.push(
        `${m.name}: no admin resource. Add src/admin/resources/<name>.resource.ts and register it in SCREEN_FACTORIES (src/admin/resources/screen-factories.ts), ` +
          `or list it in NOT_IN_PANEL (src/admin/resources/not-in-panel.ts) with the reason it stays out of the panel ${SCAFFOLD(m.name)}`,
      );
    }
    if (inPanel && !(m.name in r.navigation)) {
      problems.push(`${m.name}: no sidebar group. Add ${m.name}: '<group>' to NAVIGATION in src/admin/resources/index.ts (groups: see GROUPS there)`);
    }
    const fields = new Set(m.fields.map((f) => f.name));
    if (kind && ['org', 'realm', 'catalog'].includes(kind) && !fields.has('organizationId')) {
      problems.push(
        `${m.name}: a tenant table ('${kind}') without an organization_id column. Add ` +
          `organizationId String${kind === 'catalog' ? '?' : ''} @map("organization_id") @db.Uuid (with its relation and @@index([organizationId])) to model ${m.name} in prisma/schema.prisma`,
      );
    }
    if (kind === 'realm' && !fields.has('realmId')) {
      problems.push(`${m.name}: a realm-scoped table without a realm_id column. Add realmId String? @map("realm_id") @db.Uuid (with its relation and an index) to model ${m.name}`);
    }
    const rls = r.rls.get(table);
    const where = `in a migration (prisma/migrations/NNNN_name/migration.sql)`;
    if (!rls) {
      problems.push(`${m.name}: table "${table}" does not exist after the migrations. Write its CREATE TABLE ${where} ${SCAFFOLD(m.name)}`);
      continue;
    }
    if (!rls.enabled || !rls.forced) {
      problems.push(`${m.name}: row-level security is not ${rls.enabled ? 'forced' : 'enabled and forced'} on "${table}". Add ALTER TABLE "${table}" ENABLE ROW LEVEL SECURITY; ALTER TABLE "${table}" FORCE ROW LEVEL SECURITY; ${where}`);
    }
    if (rls.policies === 0) {
      problems.push(`${m.name}: no row-level security policy on "${table}" (every query of the app would see nothing, or, unforced, everything). Add CREATE POLICY statements for its tenancy ${where} ${SCAFFOLD(m.name)}`);
    }
    if (!rls.appGranted) {
      problems.push(`${m.name}: the app role may not read "${table}". Add GRANT SELECT, INSERT, UPDATE, DELETE ON "${table}" TO realmgate_app; (or TO realmgate_system for a table only system work touches) ${where}`);
    }
  }
  for (const name of r.matrix) if (!names.has(name)) problems.push(`${name}: in the permission matrix (RESOURCES) but no such Prisma model: remove it or add the model`);
  for (const name of Object.keys(r.notInPanel)) if (!names.has(name)) problems.push(`${name}: in NOT_IN_PANEL but no such Prisma model`);

  for (const action of r.domainAuditedActions) {
    const audit = r.actionAudits[action];
    if (!audit) {
      problems.push(
        `${action}: a custom action with no audit entry. Add '${action}': { records: ['<area>.<verb>'] } to ACTION_AUDITS in src/admin/actions/action-audits.ts ` +
          `and have its domain function call recordAudit(tx, actor, { action: '<area>.<verb>', ... }) in its transaction; ` +
          `or { readsOnly: '<what it shows>' } if it changes nothing (or run: npm run realmgate -- scaffold action <Resource> <name>)`,
      );
      continue;
    }
    if ('records' in audit) {
      for (const name of audit.records) {
        if (!r.recordedAuditActions.has(name)) problems.push(`${action}: ACTION_AUDITS says it records '${name}', but no recordAudit(..., { action: '${name}' }) call exists in src/domain`);
      }
    }
  }
  for (const action of Object.keys(r.actionAudits)) {
    if (!r.domainAuditedActions.includes(action)) problems.push(`${action}: in ACTION_AUDITS but no such custom action (renamed or removed?)`);
  }
  return problems;
}
