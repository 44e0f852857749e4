import crypto from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import AdminJS, { ComponentLoader } from 'adminjs';

/**
 * The one place custom React components (components/*.tsx) are registered.
 * AdminJS bundles them with Rollup + Babel: in production at initialize()
 * (about 1.5-2.5 s here), otherwise on the first request for components.bundle.js.
 */
const DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../components');

export const componentLoader = new ComponentLoader();

const add = (name: string, file: string): string => componentLoader.add(name, path.join(DIR, file));

export const Components = {
  Dashboard: add('RealmgateDashboard', 'dashboard.tsx'),
  RelatedRecords: add('RelatedRecords', 'related-records.tsx'),
  JsonValue: add('JsonValue', 'json-value.tsx'),
  ValueList: add('ValueList', 'value-list.tsx'),
  IconName: add('IconName', 'icon-name.tsx'),
  Quantity: add('Quantity', 'quantity.tsx'),
  RecordLink: add('RecordLink', 'record-link.tsx'),
  SecretInput: add('SecretInput', 'secret-input.tsx'),
  MultiSelect: add('MultiSelect', 'multi-select.tsx'),
  LedgerList: add('LedgerList', 'ledger-list.tsx'),
  UsagePanel: add('UsagePanel', 'usage-panel.tsx'),
  StatusBadge: add('StatusBadge', 'status-badge.tsx'),
  AuditChanges: add('AuditChanges', 'audit-changes.tsx'),
  // Custom actions (src/admin/actions).
  ActionSecretOnce: add('ActionSecretOnce', 'action-secret-once.tsx'),
  ActionConfirm: add('ActionConfirm', 'action-confirm.tsx'),
  ActionDeleteRecord: add('ActionDeleteRecord', 'action-delete-record.tsx'),
  ActionIssueKey: add('ActionIssueKey', 'action-issue-key.tsx'),
  ActionRotateKey: add('ActionRotateKey', 'action-rotate-key.tsx'),
  ActionGenerateKey: add('ActionGenerateKey', 'action-generate-key.tsx'),
  ActionQuotaStats: add('ActionQuotaStats', 'action-quota-stats.tsx'),
  ActionQuotaReset: add('ActionQuotaReset', 'action-quota-reset.tsx'),
  ActionManageModels: add('ActionManageModels', 'action-manage-models.tsx'),
  ActionGrantModel: add('ActionGrantModel', 'action-grant-model.tsx'),
  ActionTemporaryPassword: add('ActionTemporaryPassword', 'action-temporary-password.tsx'),
  ActionRealmMigration: add('ActionRealmMigration', 'action-realm-migration.tsx'),
  ActionRealmStats: add('ActionRealmStats', 'action-realm-stats.tsx'),
  // Form pieces of issue #10 (lists of tasks, tags, allowed models).
  TaskListEdit: add('TaskListEdit', 'task-list-edit.tsx'),
  TagSelect: add('TagSelect', 'tag-select.tsx'),
  ModelMultiSelect: add('ModelMultiSelect', 'model-multi-select.tsx'),
  ModelList: add('ModelList', 'model-list.tsx'),
  // realmgate:scaffold components (`realmgate scaffold action` adds components above this line)
} as const;

// AdminJS's own components we replace: the header of every action page, so that
// its heading and the document title say what the page shows.
componentLoader.override('ActionHeader', path.join(DIR, 'action-header.tsx'));
// Every date of the panel in one format, ISO and UTC: lists, show pages and the picker of forms.
componentLoader.override('DefaultDatetimeListProperty', path.join(DIR, 'datetime-utc-list.tsx'));
componentLoader.override('DefaultDatetimeShowProperty', path.join(DIR, 'datetime-utc-show.tsx'));
componentLoader.override('DefaultDatetimeEditProperty', path.join(DIR, 'datetime-utc-edit.tsx'));
// The filter drawer's reference selects load their options when opened, not with every list page.
componentLoader.override('DefaultReferenceFilterProperty', path.join(DIR, 'reference-filter.tsx'));

// Where AdminJS writes and serves the bundle (its ADMIN_JS_TMP_DIR, read once at import).
const tmpDir = () => path.resolve(process.env.ADMIN_JS_TMP_DIR || '.adminjs');
const bundleFile = () => path.join(tmpDir(), 'bundle.js');
const stampFile = () => path.join(tmpDir(), 'bundle.stamp.json');
const sha = (data: string | Buffer) => crypto.createHash('sha256').update(data).digest('hex');

/**
 * What the production bundle is made of: AdminJS's version, the registered
 * names and every file under components/ (registered or imported by one).
 */
function sourcesFingerprint(): string {
  // createRequire rather than import.meta.resolve, which test runners' module loaders may lack.
  const adminjsPkg = path.join(path.dirname(createRequire(import.meta.url).resolve('adminjs')), 'package.json');
  const parts = [`adminjs@${JSON.parse(fs.readFileSync(adminjsPkg, 'utf8')).version as string}`, JSON.stringify(componentLoader.getComponents())];
  const files = (fs.readdirSync(DIR, { recursive: true }) as string[]).filter((f) => fs.statSync(path.join(DIR, f)).isFile()).sort();
  for (const f of files) parts.push(`${f}:${sha(fs.readFileSync(path.join(DIR, f)))}`);
  return sha(parts.join('\n'));
}

/** Where the production components bundle is written. */
export const componentsBundleFile = (): string => bundleFile();

/** True when the bundle on disk is a production build of exactly today's components. */
export function componentsBundleIsCurrent(): boolean {
  return prebuiltIsCurrent();
}

function prebuiltIsCurrent(): boolean {
  try {
    const stamp = JSON.parse(fs.readFileSync(stampFile(), 'utf8')) as { sources?: string; bundle?: string };
    return stamp.sources === sourcesFingerprint() && stamp.bundle === sha(fs.readFileSync(bundleFile()));
  } catch {
    return false;
  }
}

function writeStamp(): void {
  fs.writeFileSync(stampFile(), JSON.stringify({ sources: sourcesFingerprint(), bundle: sha(fs.readFileSync(bundleFile())) }));
}

/**
 * Gets the components bundle ready before the panel serves. In production a
 * bundle prebuilt for the same sources (`src/cli/bundle-admin.ts`, or an
 * earlier start) is used as is; otherwise AdminJS bundles now and the result
 * is stamped so the next start skips it. Outside production AdminJS serves
 * whatever bundle.js exists and builds one only when none does, so a bundle
 * older than a component is removed here.
 */
export async function prepareComponents(admin: AdminJS): Promise<{ bundled: boolean; ms: number }> {
  const started = Date.now();
  if (process.env.NODE_ENV !== 'production') {
    dropStaleDevBundle();
    return { bundled: false, ms: 0 };
  }
  if (process.env.ADMIN_JS_SKIP_BUNDLE === 'true' || prebuiltIsCurrent()) return { bundled: false, ms: Date.now() - started };
  await admin.initialize();
  writeStamp();
  return { bundled: true, ms: Date.now() - started };
}

/** Builds the production bundle ahead of start (what @adminjs/bundler does, minus copying AdminJS's own assets for a CDN). */
export async function prebuildComponents(): Promise<{ file: string; ms: number }> {
  if (process.env.NODE_ENV !== 'production') throw new Error('Run with NODE_ENV=production: AdminJS builds a production bundle only then');
  const admin = new AdminJS({ componentLoader });
  const { ms } = await prepareComponents(admin);
  return { file: bundleFile(), ms };
}

function dropStaleDevBundle(): void {
  if (prebuiltIsCurrent()) return; // the production build of today's components (npm run bundle:admin)
  try {
    const built = fs.statSync(bundleFile()).mtimeMs;
    const sources = [...(fs.readdirSync(DIR, { recursive: true }) as string[]).map((f) => path.join(DIR, f)), fileURLToPath(import.meta.url)];
    if (Math.max(...sources.map((f) => fs.statSync(f).mtimeMs)) > built) fs.rmSync(bundleFile(), { force: true });
  } catch {
    /* no bundle yet */
  }
}
