import type { ActionContext, ActionResponse } from 'adminjs';
import type { AppDeps } from '../../app.js';
import { bulkRevokeApiKeys } from '../../domain/api-keys/bulk-revoke-api-keys.js';
import { revokeApiKey } from '../../domain/api-keys/revoke-api-key.js';
import { rotateApiKey } from '../../domain/api-keys/rotate-api-key.js';
import { API_KEY_PREFIX } from '../../domain/api-keys/api-key-secret.js';
import { AppError } from '../../domain/shared/app-error.js';
import { Components } from '../components.js';
import { actorIn, adapt, allows, customAction, int, plural } from './action-kit.js';
import { quotaStatsAction, resetQuotasAction } from './quota-actions.js';
import { mayResetQuotas } from '../../domain/quotas/quota-subject.js';

/** The grace periods an admin picks from when rotating (seconds). */
export const GRACE_CHOICES = [
  { value: 0, label: 'None: the old key stops working at once' },
  { value: 3_600, label: '1 hour' },
  { value: 86_400, label: '24 hours' },
  { value: 7 * 86_400, label: '7 days' },
] as const;

const live = (context: ActionContext): boolean => {
  const p = context.record?.params ?? {};
  const expired = p.expiresAt && new Date(String(p.expiresAt)).getTime() <= Date.now();
  return !p.revokedAt && !p.replacedBy && !expired;
};

const SECRET_IN_TEXT = new RegExp(`${API_KEY_PREFIX}[0-9A-Za-z]{49}`);

/**
 * The built-in "new" (api-key.resource.ts: issueApiKey) answers with the secret
 * inside its success notice. Move it out of the notice into `secretOnce`, which
 * only our form (components/action-issue-key.tsx) reads and shows once: notices
 * are translated, toasted and kept in the page's store; this value is in the one
 * response only.
 */
async function secretOutOfNotice(response: ActionResponse): Promise<ActionResponse> {
  const notice = response.notice as { message?: string; type?: string } | undefined;
  const found = notice?.type === 'success' && typeof notice.message === 'string' ? SECRET_IN_TEXT.exec(notice.message) : null;
  if (!found) return response;
  return { ...response, secretOnce: found[0], notice: { ...notice, message: 'API key created; copy its secret now, it is shown only once' } };
}

/** ApiKey: rotate, revoke, revoke selected, reset usage, quota stats, and the one-time secret on "new". */
export function apiKeyActions(deps: AppDeps) {
  return {
    new: { component: Components.ActionIssueKey, after: [secretOutOfNotice] },

    rotate: customAction('ApiKey', 'update', {
      actionType: 'record',
      icon: 'RefreshCw',
      component: Components.ActionRotateKey,
      custom: { graceChoices: GRACE_CHOICES },
      isAccessible: (context: ActionContext) => allows(actorIn(context), 'ApiKey', 'create'),
      isVisible: live,
      handler: adapt(deps.log, 'ApiKey.rotate', async ({ actor, context, payload, isPost, meta }) => {
        if (!isPost) return {};
        const graceSeconds = int(payload.graceSeconds);
        if (graceSeconds === undefined) throw new AppError('INVALID', 'Pick a grace period');
        const { apiKey, secret, previous } = await rotateApiKey(deps.db, actor, { apiKeyId: String(context.record!.id()), graceSeconds }, { pepper: deps.config.API_KEY_PEPPER }, meta);
        const old = await context.resource.findOne(previous.id, context);
        const grace = previous.expiresAt ? `the old key works until ${previous.expiresAt.toISOString().slice(0, 16).replace('T', ' ')} UTC` : 'the old key keeps working';
        return {
          ...(old ? { record: old.toJSON(context.currentAdmin) } : {}),
          secretOnce: secret,
          newKey: { id: apiKey.id, prefix: apiKey.prefix, url: context.h.recordActionUrl({ resourceId: 'ApiKey', recordId: apiKey.id, actionName: 'show' }) },
          notice: { message: `API key rotated; ${graceSeconds === 0 ? 'the old key no longer works' : grace}`, type: 'success' },
        };
      }),
    }),

    revoke: customAction('ApiKey', 'update', {
      actionType: 'record',
      icon: 'XCircle',
      variant: 'danger',
      component: Components.ActionConfirm,
      custom: {
        question: 'Revoke this API key?',
        detail: 'It stops working at once, for every gateway and app that uses it. This cannot be undone; issue a new key instead.',
        button: 'Revoke key',
        danger: true,
      },
      isVisible: (context: ActionContext) => !context.record?.params?.revokedAt,
      handler: adapt(deps.log, 'ApiKey.revoke', async ({ actor, context, isPost, meta }) => {
        if (!isPost) return {};
        const { alreadyRevoked } = await revokeApiKey(deps.db, actor, { apiKeyId: String(context.record!.id()) }, {}, meta);
        const record = await context.resource.findOne(String(context.record!.id()), context);
        return {
          ...(record ? { record: record.toJSON(context.currentAdmin) } : {}),
          redirectUrl: context.h.recordActionUrl({ resourceId: 'ApiKey', recordId: String(context.record!.id()), actionName: 'show' }),
          notice: { message: alreadyRevoked ? 'This key was already revoked' : 'API key revoked', type: alreadyRevoked ? 'info' : 'success' },
        };
      }),
    }),

    revokeSelected: customAction('ApiKey', 'update', {
      actionType: 'bulk',
      icon: 'XCircle',
      variant: 'danger',
      component: Components.ActionConfirm,
      custom: {
        question: 'Revoke the selected API keys?',
        detail: 'They stop working at once. Keys already revoked keep their revocation time. This cannot be undone.',
        button: 'Revoke keys',
        danger: true,
      },
      handler: adapt(deps.log, 'ApiKey.revokeSelected', async ({ actor, context, isPost, meta }) => {
        if (!isPost) return {};
        const apiKeyIds = (context.records ?? []).map((r) => String(r.id()));
        const { revoked, alreadyRevoked } = await bulkRevokeApiKeys(deps.db, actor, { apiKeyIds }, {}, meta);
        const more = alreadyRevoked.length ? `; ${plural(alreadyRevoked.length, 'was', 'were')} already revoked` : '';
        return {
          redirectUrl: context.h.resourceUrl({ resourceId: 'ApiKey' }),
          notice: { message: `${plural(revoked.length, 'API key')} revoked${more}`, type: 'success' },
        };
      }),
    }),

    resetUsage: resetQuotasAction(deps, 'ApiKey', 'API_KEY', 'record', 'Reset usage', (actor) => mayResetQuotas(actor, 'API_KEY')),
    quotaStats: quotaStatsAction(deps, 'ApiKey', 'API_KEY'),
  };
}
