import type { ActionContext } from 'adminjs';
import type { AppDeps } from '../../app.js';
import { scopeWhere } from '../../domain/access/scope.js';
import { grantModelToOrganizations } from '../../domain/model-access/grant-model-to-organizations.js';
import { MODEL_FIELDS } from '../../domain/model-access/managed-organizations.js';
import { modelEligibility } from '../../domain/model-access/model-eligibility.js';
import { scopeAdmits } from '../../domain/access/scope.js';
import { AppError } from '../../domain/shared/app-error.js';
import type { UserActor } from '../access/admin-request.js';
import { Components } from '../components.js';
import { actorIn, adapt, allows, bool, customAction, list, plural } from './action-kit.js';

/** The organizations whose access to `modelId` the actor may change, each with its current access and eligibility (for the picker). */
async function candidates(deps: AppDeps, actor: UserActor, modelId: string) {
  const readScope = scopeWhere(actor, 'Organization', 'read');
  const accessScope = scopeWhere(actor, 'OrganizationModelAccess', 'update');
  const model = await deps.db.aiModel.findUnique({ where: { id: modelId }, select: MODEL_FIELDS });
  if (!readScope || !accessScope || !model) return [];
  const orgs = await deps.db.organization.findMany({
    where: readScope,
    select: { id: true, name: true, type: true, pricingPlan: true, isActive: true, modelAccess: { where: { modelId }, select: { isEnabledForUsers: true, firstEnabledAt: true } } },
    orderBy: { name: 'asc' },
  });
  const now = new Date();
  return orgs
    .filter((o) => scopeAdmits(accessScope, { organizationId: o.id }))
    .map(({ modelAccess, ...o }) => {
      const e = modelEligibility(model, o, modelAccess[0]?.firstEnabledAt ?? null, now);
      return { ...o, enabled: modelAccess[0]?.isEnabledForUsers === true, eligible: e.eligible, reason: e.eligible ? null : e.message };
    });
}

/** AiModel: "Grant to organizations" (grant or withdraw a system model for many organizations at once). */
export function aiModelActions(deps: AppDeps) {
  return {
    grantToOrganizations: customAction('AiModel', 'read', {
      actionType: 'record',
      icon: 'Share2',
      component: Components.ActionGrantModel,
      isAccessible: (context: ActionContext) => allows(actorIn(context), 'OrganizationModelAccess', 'update'),
      // Only system models are granted; an organization's own model is its own (the domain refuses it too).
      isVisible: (context: ActionContext) => !context.record?.params?.organization,
      handler: adapt(deps.log, 'AiModel.grantToOrganizations', async ({ actor, context, payload, isPost, meta }) => {
        const modelId = String(context.record!.id());
        if (!isPost) return { organizations: await candidates(deps, actor, modelId) };
        const organizationIds = list(payload, 'organizationIds');
        const enabled = bool(payload.enabled);
        if (enabled === undefined) throw new AppError('INVALID', 'Say whether to grant or withdraw');
        if (!organizationIds.length) throw new AppError('INVALID', 'Pick at least one organization');
        try {
          const { changed, unchanged } = await grantModelToOrganizations(deps.db, actor, { modelId, organizationIds, enabled }, meta);
          const verb = enabled ? 'granted to' : 'withdrawn from';
          const same = unchanged.length ? `; ${plural(unchanged.length, 'organization')} already ${enabled ? 'had' : 'did not have'} it` : '';
          return { organizations: await candidates(deps, actor, modelId), notice: { message: `Model ${verb} ${plural(changed.length, 'organization')}${same}`, type: 'success' } };
        } catch (e) {
          // The domain lists every organization that may not have the model: show them all.
          const ineligible = (e as AppError).details?.ineligible as { name: string; message: string }[] | undefined;
          if (ineligible?.length) throw new AppError('INVALID', `${(e as AppError).message} — ${ineligible.map((i) => `${i.name} (${i.message.replace(/this organization/g, 'it')})`).join('; ')}`);
          throw e;
        }
      }),
    }),
  };
}
