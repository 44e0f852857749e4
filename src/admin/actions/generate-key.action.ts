import type { ActionContext } from 'adminjs';
import type { AppDeps } from '../../app.js';
import { scopeWhere } from '../../domain/access/scope.js';
import { API_KEY_SCOPES, type ApiKeyScope } from '../../domain/api-keys/api-key-scopes.js';
import { issueApiKey } from '../../domain/api-keys/issue-api-key.js';
import { Components } from '../components.js';
import { actorIn, adapt, allows, customAction, int, list, text, type Payload } from './action-kit.js';

const KEY_TYPES = ['USER', 'SERVICE', 'GATEWAY'] as const;

/** The key fields of the "Generate key" form, as issueApiKey takes them (it validates them). */
function keyInput(payload: Payload) {
  const expires = text(payload.expiresAt);
  const scopes = list(payload, 'scopes');
  const sent = 'scopes' in payload || Object.keys(payload).some((k) => k.startsWith('scopes.'));
  return {
    name: text(payload.name) ?? '',
    description: text(payload.description),
    type: text(payload.type) as (typeof KEY_TYPES)[number] | undefined,
    // Not sent: the domain's default scopes; sent empty: refused by the domain.
    scopes: (sent ? scopes : undefined) as ApiKeyScope[] | undefined,
    maxTokens: int(payload.maxTokens),
    rateLimitPerMinute: int(payload.rateLimitPerMinute),
    expiresAt: expires === undefined ? undefined : new Date(expires),
  };
}

/**
 * "Generate key" from a realm (a key in that realm for its owner) or from a
 * user (a key owned by them, in the realm picked or their default realm). The
 * secret is in this one response only (secretOnce), shown once by the form.
 */
export function generateKeyAction(deps: AppDeps, from: 'Realm' | 'User') {
  return customAction(from, 'read', {
    actionType: 'record',
    icon: 'Key',
    component: Components.ActionGenerateKey,
    custom: { scopes: API_KEY_SCOPES, types: KEY_TYPES, from },
    isAccessible: (context: ActionContext) => allows(actorIn(context), 'ApiKey', 'create'),
    // Keys go to active users, in active realms (issueApiKey refuses the rest).
    isVisible: (context: ActionContext) => {
      const p = context.record?.params ?? {};
      return from === 'Realm' ? p.isActive !== false && p.isActive !== 'false' : p.status === undefined || p.status === 'ACTIVE';
    },
    handler: adapt(deps.log, `${from}.generateKey`, async ({ actor, context, payload, isPost, meta }) => {
      const id = String(context.record!.id());
      const realms = from === 'User'
        ? await deps.db.realm.findMany({
            where: { AND: [{ ownerId: id, isActive: true }, scopeWhere(actor, 'Realm', 'read') ?? { id: { in: [] } }] },
            select: { id: true, name: true, isDefault: true },
            orderBy: [{ isDefault: 'desc' }, { name: 'asc' }],
          })
        : [];
      if (!isPost) return { realms };
      const owner = from === 'User' ? { userId: id, realmId: text(payload.realmId) } : { userId: String(context.record!.params.owner ?? ''), realmId: id };
      const { apiKey, secret } = await issueApiKey(deps.db, actor, { ...keyInput(payload), ...owner }, { pepper: deps.config.API_KEY_PEPPER }, meta);
      return {
        realms,
        secretOnce: secret,
        newKey: { id: apiKey.id, prefix: apiKey.prefix, url: context.h.recordActionUrl({ resourceId: 'ApiKey', recordId: apiKey.id, actionName: 'show' }) },
        notice: { message: `API key "${apiKey.name}" created; copy its secret now, it is shown only once`, type: 'success' },
      };
    }),
  });
}
