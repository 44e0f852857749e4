import type { PropertyOptions, ResourceOptions } from 'adminjs';
import type { AppDeps } from '../../app.js';
import { Components } from '../components.js';
import { aiModelActions } from './ai-model.actions.js';
import { apiKeyActions } from './api-key.actions.js';
import { organizationActions } from './organization.actions.js';
import { realmMigrationActions } from './realm-migration.actions.js';
import { realmActions } from './realm.actions.js';
import { userActions } from './user.actions.js';
import { usageChartAction } from './usage-chart.action.js';
import { ledgerListHandler, type LedgerKind } from '../ledger/ledger-list-action.js';
import { readAuditLinksAhead } from '../audit/readable-audit.js';

/** The ledger lists (usage, audit) by keyset with a capped total (src/admin/ledger). */
const ledgerListAction = (deps: AppDeps, kind: LedgerKind) => ({
  handler: ledgerListHandler(kind, deps, kind === 'audit' ? { readAhead: readAuditLinksAhead } : {}),
  component: Components.LedgerList,
});
// realmgate:scaffold action-imports (`realmgate scaffold action` adds imports above this line)

/** What a resource gets on top of its screen: custom actions, and show-page panels that read them. */
interface CustomSpec {
  actions: Record<string, Record<string, unknown>>;
  /** Virtual properties shown on the show page (before `related` when there is one). */
  showPanels?: Record<string, PropertyOptions>;
}

/** The quota usage panel on a show page: components/action-quota-stats.tsx calls the record's hidden quotaStats action. */
const QUOTA_PANEL: Record<string, PropertyOptions> = {
  quotaUsage: { type: 'string', isVisible: { list: false, filter: false, show: true, edit: false }, isSortable: false, components: { show: Components.ActionQuotaStats } },
};

/** The usage chart on a show page: components/usage-panel.tsx calls the record's hidden usageChart action (rollups). */
const USAGE_PANEL: Record<string, PropertyOptions> = {
  usageChart: { type: 'string', isVisible: { list: false, filter: false, show: true, edit: false }, isSortable: false, components: { show: Components.UsagePanel } },
};

/** The custom actions of each resource (src/admin/actions), by model name. */
export const CUSTOM_ACTIONS: Record<string, (deps: AppDeps) => CustomSpec> = {
  ApiKey: (deps) => ({ actions: { ...apiKeyActions(deps), usageChart: usageChartAction(deps, 'ApiKey') }, showPanels: { ...USAGE_PANEL, ...QUOTA_PANEL } }),
  Organization: (deps) => ({ actions: { ...organizationActions(deps), usageChart: usageChartAction(deps, 'Organization') }, showPanels: { ...USAGE_PANEL, ...QUOTA_PANEL } }),
  User: (deps) => ({ actions: { ...userActions(deps), usageChart: usageChartAction(deps, 'User') }, showPanels: { ...USAGE_PANEL, ...QUOTA_PANEL } }),
  Realm: (deps) => ({ actions: { ...realmActions(deps), usageChart: usageChartAction(deps, 'Realm') }, showPanels: USAGE_PANEL }),
  UsageEvent: (deps) => ({ actions: { list: ledgerListAction(deps, 'usage') } }),
  AuditLog: (deps) => ({ actions: { list: ledgerListAction(deps, 'audit') } }),
  AiModel: (deps) => ({ actions: aiModelActions(deps) }),
  RealmMigrationRun: (deps) => ({ actions: realmMigrationActions(deps) }),
};

/**
 * Single custom actions added with `realmgate scaffold action`, each from its own
 * file (src/admin/actions/<name>-<resource>.action.ts), merged into the
 * resource's custom actions like those above.
 */
export const ADDED_ACTIONS: Array<{ resource: string; name: string; action: (deps: AppDeps) => Record<string, unknown> }> = [
  // realmgate:scaffold actions (`realmgate scaffold action` adds entries above this line)
];

const toArray = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/**
 * `options` with the resource's custom actions merged in: new actions are
 * added; for an existing action our keys win and our `after` hooks run after
 * its own. Panels are added as properties and placed on the show page. The
 * permission matrix (enforceMatrix) is applied afterwards, as to every action.
 */
export function withCustomActions(modelName: string, deps: AppDeps, options: ResourceOptions): ResourceOptions {
  const own = CUSTOM_ACTIONS[modelName]?.(deps);
  const added = ADDED_ACTIONS.filter((a) => a.resource === modelName);
  if (!own && !added.length) return options;
  const custom: CustomSpec = { ...own, actions: { ...own?.actions, ...Object.fromEntries(added.map((a) => [a.name, a.action(deps)])) } };
  const actions: Record<string, any> = { ...options.actions };
  for (const [name, action] of Object.entries(custom.actions)) {
    const base = actions[name] ?? {};
    actions[name] = { ...base, ...action, after: [...toArray(base.after), ...toArray(action.after as unknown)] };
    if (!actions[name].after.length) delete actions[name].after;
  }
  const panels = Object.keys(custom.showPanels ?? {});
  let showProperties = options.showProperties;
  if (showProperties && panels.length) {
    const at = showProperties.indexOf('related');
    showProperties = at < 0 ? [...showProperties, ...panels] : [...showProperties.slice(0, at), ...panels, ...showProperties.slice(at)];
  }
  return {
    ...options,
    actions,
    properties: { ...options.properties, ...custom.showPanels },
    ...(showProperties ? { showProperties } : {}),
  };
}
