import { findUsableModel, usableModels, type UsableModel } from '../model-access/usable-models.js';
import type { Actor } from '../shared/actor.js';
import { AppError } from '../shared/app-error.js';
import type { UsageEngine } from './usage-engine.js';
import type { AdmissionBase, Outcome } from './usage-ops.js';
import { usageSlots } from './usage-slots.js';

export type ApiKeyActor = Extract<Actor, { kind: 'api-key' }>;

/** Usage is recorded by API keys holding `usage:write` (gateways); anyone else is FORBIDDEN. */
export function requireUsageWriter(actor: Actor): ApiKeyActor {
  if (actor.kind !== 'api-key') throw new AppError('FORBIDDEN', 'Usage is recorded with an API key');
  if (!actor.scopes.includes('usage:write')) throw new AppError('FORBIDDEN', 'This API key lacks the usage:write scope');
  return actor;
}

/**
 * Resolves what a usage or hold needs before its batch: the user it counts
 * for, the model (by the one rule of usable-models.ts, on a catalog cached at
 * most a second; the batch checks the key's allowed models afresh) and the
 * counters it will move.
 */
export async function admissionBase(engine: UsageEngine, actor: ApiKeyActor, input: { model: string; userId?: string; realmId?: string }): Promise<AdmissionBase> {
  if (actor.userId && input.userId && input.userId !== actor.userId) {
    throw new AppError('INVALID', "userId: a user's API key records usage for that user only", { field: 'userId' });
  }
  const userId = input.userId ?? actor.userId;
  const { catalog, userRules } = await engine.context(actor.organizationId, userId);
  if (!catalog || !catalog.org.isActive) throw new AppError('UNAUTHENTICATED', 'Invalid or expired API key');
  const now = engine.clock();
  const model: UsableModel | undefined = findUsableModel(usableModels(catalog, { userId, userRules, allowedModelIds: [] }, now), input.model);
  if (!model) throw new AppError('INVALID', `model: "${input.model}" is not a model this key may use (see GET /models)`, { field: 'model' });
  return {
    organizationId: actor.organizationId,
    apiKeyId: actor.apiKeyId,
    modelRef: input.model,
    model,
    catalog,
    userRules,
    userId,
    namedUserId: input.userId ?? null,
    realmId: input.realmId ?? null,
    slots: usageSlots({ organizationId: actor.organizationId, apiKeyId: actor.apiKeyId, userId, model, now }),
  };
}

/** The value of a decided operation, or its refusal thrown. */
export function settled<T>(o: Outcome<T>): { value: T; replayed: boolean } {
  if (!o.ok) throw o.error;
  return { value: o.value, replayed: o.replayed };
}
