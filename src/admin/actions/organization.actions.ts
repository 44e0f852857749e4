import type { ActionContext } from 'adminjs';
import type { AppDeps } from '../../app.js';
import { ORGANIZATION_QUOTA_FIELDS } from '../../domain/quotas/quota-definitions.js';
import { listManageableModels } from '../../domain/model-access/list-manageable-models.js';
import { setModelAccess } from '../../domain/model-access/set-model-access.js';
import { AppError, isAppError } from '../../domain/shared/app-error.js';
import type { UserActor } from '../access/admin-request.js';
import { Components } from '../components.js';
import { actorIn, adapt, allows, customAction, json, plural, writes } from './action-kit.js';
import { quotaStatsAction, resetQuotasAction } from './quota-actions.js';

/** An organization's quotas are its commercial terms: resetting them is for those who may change them. */
const mayResetOrgQuotas = (actor: UserActor | null) =>
  allows(actor, 'Organization', 'update') && Object.values(ORGANIZATION_QUOTA_FIELDS).every((f) => writes(actor, 'Organization', f));

interface Change {
  modelId: string;
  isEnabledForUsers: boolean;
  tokenLimitPerUser?: number | null;
}

function changesOf(raw: unknown): Change[] {
  const list = json<unknown>(raw, 'changes');
  if (!Array.isArray(list)) throw new AppError('INVALID', 'changes: a list is expected');
  return list.map((c) => {
    const o = (c ?? {}) as Record<string, unknown>;
    const limit = o.tokenLimitPerUser;
    return {
      modelId: String(o.modelId ?? ''),
      isEnabledForUsers: o.isEnabledForUsers === true || o.isEnabledForUsers === 'true',
      // '' or null = the model's own limit; absent = unchanged (setModelAccess validates the number).
      ...(limit === undefined ? {} : { tokenLimitPerUser: limit === null || limit === '' ? null : Number(limit) }),
    };
  });
}

/** Organization: reset quotas (record and bulk), quota stats, and "Manage models". */
export function organizationActions(deps: AppDeps) {
  return {
    resetQuotas: resetQuotasAction(deps, 'Organization', 'ORGANIZATION', 'record', 'Reset quotas', mayResetOrgQuotas),
    resetSelectedQuotas: resetQuotasAction(deps, 'Organization', 'ORGANIZATION', 'bulk', 'Reset quotas', mayResetOrgQuotas),
    quotaStats: quotaStatsAction(deps, 'Organization', 'ORGANIZATION'),

    manageModels: customAction('Organization', 'read', {
      actionType: 'record',
      icon: 'Cpu',
      component: Components.ActionManageModels,
      isAccessible: (context: ActionContext) => allows(actorIn(context), 'OrganizationModelAccess', 'update'),
      handler: adapt(deps.log, 'Organization.manageModels', async ({ actor, context, payload, isPost, meta }) => {
        const organizationId = String(context.record!.id());
        if (!isPost) return { models: await listManageableModels(deps.db, actor, { organizationId }) };
        const changes = changesOf(payload.changes);
        if (!changes.length) throw new AppError('INVALID', 'Nothing to save');
        // One domain call per changed row, each its own transaction: a refused row names itself and does not undo the others.
        const failed: string[] = [];
        let saved = 0;
        for (const change of changes) {
          try {
            await setModelAccess(deps.db, actor, { organizationId, ...change }, meta);
            saved += 1;
          } catch (e) {
            if (!isAppError(e)) throw e;
            failed.push(e.message);
          }
        }
        const models = await listManageableModels(deps.db, actor, { organizationId });
        if (failed.length) {
          const prefix = saved ? `${plural(saved, 'change')} saved; ` : '';
          return { models, failed, notice: { message: `${prefix}${failed.join('; ')}`, type: 'error' } };
        }
        return { models, notice: { message: `${plural(saved, 'change')} saved`, type: 'success' } };
      }),
    }),
  };
}
