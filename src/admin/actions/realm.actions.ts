import type { ActionContext } from 'adminjs';
import type { AppDeps } from '../../app.js';
import { REALM_KINDS } from '../../domain/realms/realm-kinds.js';
import { realmStats } from '../../domain/realms/realm-stats.js';
import { Components } from '../components.js';
import { actorIn, adapt, allows, customAction } from './action-kit.js';
import { generateKeyAction } from './generate-key.action.js';

/** Realm: generate a key in it (for its owner) and the counts of what it holds. */
export function realmActions(deps: AppDeps) {
  return {
    generateKey: generateKeyAction(deps, 'Realm'),
    stats: customAction('Realm', 'read', {
      actionType: 'record',
      icon: 'PieChart',
      component: Components.ActionRealmStats,
      isAccessible: (context: ActionContext) => allows(actorIn(context), 'Realm', 'read'),
      handler: adapt(deps.log, 'Realm.stats', async ({ actor, context }) => {
        const stats = await realmStats(deps.db, actor, { realmId: String(context.record!.id()) });
        return { stats: { ...stats, kinds: REALM_KINDS.map((k) => ({ kind: k.kind, label: k.label, count: stats.counts[k.kind] })) } };
      }),
    }),
  };
}
