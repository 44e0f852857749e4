import { flat, ValidationError, type ActionHandler, type RecordActionResponse } from 'adminjs';
import { issueApiKey } from '../../domain/api-keys/issue-api-key.js';
import { API_KEY_SCOPES } from '../../domain/api-keys/api-key-scopes.js';
import { isAppError } from '../../domain/shared/app-error.js';
import { actorFromAdmin } from '../auth/admin-access.js';
import { adminRequestMeta } from '../access/admin-request.js';
import type { Before, ResourceFactory } from './resource-spec.js';
import { chips, quantity, screen } from './screen-kit.js';
import { Components } from '../components.js';

// issueApiKey names input fields; the form names relations.
const FORM_PATH: Record<string, string> = { userId: 'user', realmId: 'realm' };

const text = (v: unknown) => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined);
const list = (v: unknown) => (Array.isArray(v) && v.length ? v.map(String) : undefined);
const int = (v: unknown) => (text(v) === undefined ? undefined : Number(v));

/**
 * API keys. "Create new" calls the domain's issueApiKey (secret generated there,
 * stored as HMAC only, default realm, audit entry) and shows the secret once in
 * the success notice. The organization follows the owner.
 */
export const apiKeyResource: ResourceFactory = ({ config, db }) => {
  const issue: ActionHandler<RecordActionResponse> = async (request, _response, context) => {
    const { resource, currentAdmin, h } = context;
    if (request.method !== 'post') throw new Error('new action can be invoked only via `post` http method');
    const actor = actorFromAdmin(currentAdmin);
    if (!actor) throw new ValidationError({}, { message: 'Not signed in' });
    const p = flat.unflatten(request.payload ?? {}) as Record<string, unknown>;
    try {
      const { apiKey, secret } = await issueApiKey(
        db,
        actor,
        {
          name: String(p.name ?? ''),
          description: text(p.description),
          userId: text(p.user),
          realmId: text(p.realm),
          type: text(p.type) as 'USER' | 'SERVICE' | 'GATEWAY' | undefined,
          scopes: list(p.scopes) as (typeof API_KEY_SCOPES)[number][] | undefined,
          maxTokens: int(p.maxTokens),
          rateLimitPerMinute: int(p.rateLimitPerMinute),
          allowedModelIds: list(p.allowedModelIds) ?? [],
          expiresAt: text(p.expiresAt) === undefined ? undefined : new Date(String(p.expiresAt)),
        },
        { pepper: config.API_KEY_PEPPER },
        adminRequestMeta(),
      );
      const record = await resource.findOne(apiKey.id, context);
      return {
        record: record!.toJSON(currentAdmin),
        redirectUrl: h.recordActionUrl({ resourceId: resource.id(), recordId: apiKey.id, actionName: 'show' }),
        // No ':' or '.' before the secret: AdminJS passes notices through i18next.
        notice: { message: `API key created, copy it now, it is shown only once — ${secret}`, type: 'success' },
      };
    } catch (e) {
      if (!isAppError(e)) throw e;
      const field = typeof e.details?.field === 'string' ? e.details.field.split('.')[0]! : undefined;
      const record = await resource.build(request.payload ?? {});
      record.errors = field ? { [FORM_PATH[field] ?? field]: { message: e.message } } : {};
      return { record: record.toJSON(currentAdmin), notice: { message: e.message, type: 'error' } };
    }
  };

  // Edits go through the generic resource; keep scopes to the known set there too.
  const checkScopes: Before = async (request) => {
    const scopes = Object.entries(request.payload ?? {}).filter(([k]) => k === 'scopes' || k.startsWith('scopes.'));
    const unknown = scopes.map(([, v]) => v).filter((v) => typeof v === 'string' && !(API_KEY_SCOPES as readonly string[]).includes(v));
    if (unknown.length) throw new ValidationError({ scopes: { message: `Unknown scope ${unknown[0]}; one of ${API_KEY_SCOPES.join(', ')}` } });
    return request;
  };

  const scopeChoices = API_KEY_SCOPES.map((s) => ({ value: s, label: s }));
  return {
    options: {
      ...screen({
        // Revoked and expiry make one coloured state (status-tones.ts); the dates are on the show page.
        list: ['name', 'prefix', 'user', 'realm', 'state', 'lastUsedAt'],
        filter: ['name', 'prefix', 'organization', 'user', 'realm', 'type', 'expiresAt', 'revokedAt', 'lastUsedAt', 'createdAt'],
        show: [
          'name', 'description', 'prefix', 'organization', 'user', 'realm', 'type', 'state', 'scopes', 'allowedModelIds', 'maxTokens',
          'rateLimitPerMinute', 'expiresAt', 'revokedAt', 'lastUsedAt', 'replacedBy', 'createdBy', 'createdAt', 'updatedAt', 'id',
        ],
        edit: ['name', 'description', 'user', 'realm', 'type', 'scopes', 'allowedModelIds', 'maxTokens', 'rateLimitPerMinute', 'expiresAt'],
        properties: {
          organization: { isVisible: { list: true, filter: true, show: true, edit: false } },
          description: { type: 'textarea' },
          prefix: { description: 'The first characters of the key, to recognise it; the key itself is never stored.' },
          user: { description: "The key's owner; the key belongs to the owner's organization. Default realm when none is chosen." },
          scopes: { ...chips('None', true), availableValues: scopeChoices },
          // One multi-select of model names; none = all models the organization may use (its owner's limits still apply).
          allowedModelIds: {
            type: 'reference',
            reference: 'AiModel',
            isRequired: false,
            components: { edit: Components.ModelMultiSelect, show: Components.ModelList, list: Components.ModelList },
            description: 'Empty = all models the organization may use.',
          },
          maxTokens: quantity('No limit', undefined, 'Per request. Empty = no limit of its own.'),
          rateLimitPerMinute: quantity('No limit', undefined, 'Empty = no limit of its own.'),
          expiresAt: { description: 'Empty = never expires.' },
        },
      }),
      actions: {
        new: { handler: issue },
        edit: { before: [checkScopes] },
      },
    },
  };
};
