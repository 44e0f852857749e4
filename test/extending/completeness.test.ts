import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDatamodel } from '../../src/db/dmmf.js';
import { ACTION_AUDITS } from '../../src/admin/actions/action-audits.js';
import { AUDIT_KEY } from '../../src/admin/access/guard-action.js';
import { FACTORIES, NAVIGATION, buildResources } from '../../src/admin/resources/index.js';
import { NOT_IN_PANEL } from '../../src/admin/resources/not-in-panel.js';
import { parseConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { RESOURCES } from '../../src/domain/access/permissions.js';
import { TENANCY } from '../../src/domain/access/tenancy.js';
import { ensureAppLogin } from '../../src/db/app-role.js';
import { freshDatabase, withClient, type TestDatabase } from '../setup/test-database.js';
import { ROOT } from '../setup/app-process.js';
import { namesOf } from '../../src/cli/scaffold/names.js';
import { FIXTURE_RESOURCES } from '../support/admin-fixtures.js';
import { completenessProblems, type Registries } from './completeness-checks.js';

/**
 * Forgetting a step is a red test, not a leak: every Prisma model has a
 * permission matrix row, a tenancy kind, a screen and a sidebar group (or an
 * explicit "not in the panel" entry), a table with row-level security enabled,
 * forced and at least one policy, granted to the app role, and (tenant tables)
 * an organization_id column; every custom action whose domain function audits
 * names what it records. The message of a failure says what to add where.
 */
let t: TestDatabase;
let registries: Registries;

beforeAll(async () => {
  t = await freshDatabase('completeness');
  await ensureAppLogin(t.url, 'completeness-test-app-login');
  const rls = await withClient(t.url, async (c) => {
    const { rows } = await c.query<{ relname: string; enabled: boolean; forced: boolean; policies: number; granted: boolean }>(`
      SELECT c.relname, c.relrowsecurity AS enabled, c.relforcerowsecurity AS forced,
             (SELECT count(*)::int FROM pg_policies p WHERE p.schemaname = n.nspname AND p.tablename = c.relname) AS policies,
             (has_table_privilege('realmgate_app', c.oid, 'SELECT') OR has_table_privilege('realmgate_system', c.oid, 'SELECT')) AS granted
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p')`);
    return new Map(rows.map((r) => [r.relname, { enabled: r.enabled, forced: r.forced, policies: r.policies, appGranted: r.granted }]));
  });
  const datamodel = loadDatamodel();
  const config = parseConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', SESSION_SECRET: 'x'.repeat(40), API_KEY_PEPPER: 'y'.repeat(40), ENCRYPTION_KEY: 'a'.repeat(64) });
  const resources = buildResources({ config, db: t.db, databaseUrl: t.url, systemDb: t.db, systemDatabaseUrl: t.url, log: createLogger('silent') }, datamodel);
  const domainAuditedActions = resources.flatMap(({ resource, options }) =>
    Object.entries((options.actions ?? {}) as Record<string, Record<string, unknown> | undefined>)
      .filter(([, a]) => a?.[AUDIT_KEY] === 'domain')
      .map(([name]) => `${(resource as { model: { name: string } }).model.name}.${name}`),
  );
  registries = {
    datamodel,
    matrix: RESOURCES,
    tenancy: TENANCY,
    screens: Object.keys(FACTORIES),
    navigation: NAVIGATION,
    notInPanel: NOT_IN_PANEL,
    rls,
    domainAuditedActions,
    actionAudits: ACTION_AUDITS,
    matrixTested: new Set([
      ...FIXTURE_RESOURCES,
      ...datamodel.models.map((m) => m.name).filter((n) => fs.existsSync(path.join(ROOT, 'test/resources', `${namesOf(n).kebab}.test.ts`))),
    ]),
    recordedAuditActions: auditNamesIn(path.join(ROOT, 'src/domain')),
  };
});
afterAll(async () => {
  await t?.drop();
});

/** The `action: '...'` names recordAudit calls pass, anywhere under `dir`. */
function auditNamesIn(dir: string): Set<string> {
  const names = new Set<string>();
  for (const f of fs.readdirSync(dir, { recursive: true }) as string[]) {
    if (!f.endsWith('.ts') || f.endsWith('.test.ts')) continue;
    for (const m of fs.readFileSync(path.join(dir, f), 'utf8').matchAll(/\baction: ['`]([a-z0-9.-]+)['`]/g)) names.add(m[1]!);
  }
  return names;
}

describe('every model and custom action is complete', () => {
  it('has no missing piece', () => {
    const problems = completenessProblems(registries);
    expect(problems, `\n${problems.map((p) => `  - ${p}`).join('\n')}\n`).toEqual([]);
  });

  it('found the registries it checks (an empty list would prove nothing)', () => {
    expect(registries.datamodel.models.length).toBeGreaterThan(20);
    expect(registries.rls.size).toBeGreaterThanOrEqual(registries.datamodel.models.length);
    expect(registries.domainAuditedActions.length).toBeGreaterThan(10);
    expect(registries.recordedAuditActions.has('api-key.revoke')).toBe(true);
  });
});

describe('a missing piece is named', () => {
  const without = (patch: (r: Registries) => Partial<Registries>) => completenessProblems({ ...registries, ...patch(registries) });

  it('a permission test', () => {
    const matrixTested = new Set([...registries.matrixTested].filter((n) => n !== 'Tool'));
    expect(without(() => ({ matrixTested }))).toEqual([expect.stringMatching(/^Tool: no permission test\. Add test\/resources\/tool\.test\.ts/)]);
  });

  it('a matrix row', () => {
    expect(without((r) => ({ matrix: r.matrix.filter((n) => n !== 'Document') }))).toEqual([
      expect.stringMatching(/^Document: no permission matrix row\. Add 'Document', to RESOURCES in src\/domain\/access\/permissions\.ts/),
    ]);
  });

  it('a policy, forcing, a grant', () => {
    const rls = new Map(registries.rls);
    rls.set('documents', { enabled: true, forced: false, policies: 0, appGranted: false });
    const problems = without(() => ({ rls }));
    expect(problems).toHaveLength(3);
    expect(problems[0]).toMatch(/^Document: row-level security is not forced on "documents"/);
    expect(problems[1]).toMatch(/^Document: no row-level security policy on "documents"/);
    expect(problems[2]).toMatch(/^Document: the app role may not read "documents"\. Add GRANT/);
  });

  it('a screen, a sidebar group, a tenancy kind, an organization_id', () => {
    const datamodel = structuredClone(registries.datamodel);
    const doc = datamodel.models.find((m) => m.name === 'Document')!;
    (doc as unknown as { fields: unknown[] }).fields = doc.fields.filter((f) => f.name !== 'organizationId');
    const { Document: _n, ...navigation } = registries.navigation;
    const problems = without((r) => ({ datamodel, navigation, screens: r.screens.filter((n) => n !== 'Document') }));
    expect(problems.map((p) => p.split('.')[0])).toEqual([
      'Document: no admin resource',
      'Document: no sidebar group',
      'Document: a tenant table (\'realm\') without an organization_id column',
    ]);
    const untyped = without((r) => ({ tenancy: Object.fromEntries(Object.entries(r.tenancy).filter(([k]) => k !== 'Tool')) }));
    expect(untyped).toEqual([expect.stringMatching(/^Tool: no tenancy kind\. Add Tool: 'org'/)]);
  });

  it('an audit entry of a custom action', () => {
    const { ['ApiKey.revoke']: _r, ...actionAudits } = registries.actionAudits;
    expect(without(() => ({ actionAudits }))).toEqual([expect.stringMatching(/^ApiKey\.revoke: a custom action with no audit entry\. Add 'ApiKey\.revoke'/)]);
    const recorded = new Set([...registries.recordedAuditActions].filter((n) => n !== 'user.lock'));
    expect(without(() => ({ recordedAuditActions: recorded }))).toEqual([expect.stringMatching(/^User\.lock: ACTION_AUDITS says it records 'user\.lock'/)]);
  });
});
