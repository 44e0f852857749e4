import type { OrganizationType, PricingPlan, PrismaClient, TokenLimitPeriod } from '@prisma/client';
import { z } from 'zod';
import { apiKeyUsable } from '../api-keys/api-key-usable.js';
import { effectiveUserModelLimit } from '../quotas/quota-definitions.js';
import type { Actor } from '../shared/actor.js';
import { inActorTransaction, type Tx } from '../shared/actor-transaction.js';
import { AppError } from '../shared/app-error.js';
import { parseInput } from '../shared/parse-input.js';
import { modelEligibility, trialEndsAt } from './model-eligibility.js';

/**
 * THE rule for "may this caller use this model". GET /models lists exactly
 * `usableModels(...)`, and the hot path (POST /usage, reservations, the
 * Portkey hooks) admits a model only when `findUsableModel` finds it in the
 * same list, so the two can never disagree (test/domain/usable-models.test.ts
 * proves it with fast-check).
 */

/** A parameterised SQL runner: Prisma ($queryRawUnsafe) and pg (pool.query) both fit. */
export type SqlQuery = <T = Record<string, unknown>>(text: string, values: unknown[]) => Promise<T[]>;

export const prismaQuery = (tx: Tx): SqlQuery => (text, values) => tx.$queryRawUnsafe(text, ...values);

export interface CatalogModel {
  id: string;
  organizationId: string | null;
  name: string;
  description: string | null;
  provider: string;
  providerModelId: string;
  isActive: boolean;
  organizationTypes: OrganizationType[];
  requiredPlan: PricingPlan;
  isFree: boolean;
  isTrial: boolean;
  trialDays: number | null;
  tokenLimitPeriod: TokenLimitPeriod | null;
  tokenLimitAmount: number | null;
  maxTokens: number;
  sortOrder: number;
  /** the organization's access row, if any */
  access: { isEnabledForUsers: boolean; tokenLimitPerUser: number | null; firstEnabledAt: Date | null } | null;
}

/** What an organization could use: its own models and the system models it has an access row for. */
export interface ModelCatalog {
  org: { id: string; type: OrganizationType; pricingPlan: PricingPlan; isActive: boolean };
  models: CatalogModel[];
}

/** A user's override on one model (UserModelLimit). */
export interface UserModelRule {
  modelId: string;
  isEnabled: boolean;
  tokenLimit: number | null;
}

export interface UsableModelSubject {
  /** the user the usage is for; null for a key without a user (a service) */
  userId: string | null;
  userRules: UserModelRule[];
  /** the key's allowed models; empty = every model */
  allowedModelIds: string[];
}

export interface UsableModel {
  id: string;
  name: string;
  description: string | null;
  provider: string;
  providerModelId: string;
  maxTokens: number;
  isFree: boolean;
  isTrial: boolean;
  trialEndsAt: Date | null;
  /** the user's token limit on this model, in its period; null when no user or no limit */
  userLimit: { period: TokenLimitPeriod; amount: bigint } | null;
  /** period of the user's counter on this model (even when unlimited, usage is counted there) */
  userPeriod: TokenLimitPeriod;
}

/**
 * The models `subject` may use at `now`: active, eligible for the
 * organization's type and plan (or the organization's own), enabled for the
 * organization's users, not disabled for this user, trial not over, and in
 * the key's allowed models. Sorted by sort order, then name.
 */
export function usableModels(catalog: ModelCatalog, subject: UsableModelSubject, now: Date): UsableModel[] {
  if (!catalog.org.isActive) return [];
  const rules = new Map(subject.userRules.map((r) => [r.modelId, r]));
  const allowed = subject.allowedModelIds.length ? new Set(subject.allowedModelIds) : null;
  const out: UsableModel[] = [];
  for (const m of catalog.models) {
    if (!modelEligibility(m, catalog.org, m.access?.firstEnabledAt ?? null, now).eligible) continue;
    const own = m.organizationId === catalog.org.id;
    if (!own && m.access?.isEnabledForUsers !== true) continue;
    const rule = subject.userId ? rules.get(m.id) ?? null : null;
    if (rule && !rule.isEnabled) continue;
    if (allowed && !allowed.has(m.id)) continue;
    const amount = subject.userId && !m.isFree ? effectiveUserModelLimit(m, m.access, rule) : null;
    const period = m.tokenLimitPeriod ?? 'MONTHLY';
    out.push({
      id: m.id,
      name: m.name,
      description: m.description,
      provider: m.provider,
      providerModelId: m.providerModelId,
      maxTokens: m.maxTokens,
      isFree: m.isFree,
      isTrial: m.isTrial,
      trialEndsAt: trialEndsAt(m, m.access?.firstEnabledAt ?? null),
      userLimit: amount === null ? null : { period, amount },
      userPeriod: period,
    });
  }
  const order = new Map(catalog.models.map((m) => [m.id, m.sortOrder]));
  return out.sort((a, b) => order.get(a.id)! - order.get(b.id)! || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The usable model named by `ref`: its id, or its provider model id (the name
 * a gateway sends); when several usable models share a provider model id, the
 * first in list order wins. undefined = not usable (or unknown).
 */
export function findUsableModel(list: UsableModel[], ref: string): UsableModel | undefined {
  if (UUID.test(ref)) {
    const byId = list.find((m) => m.id === ref.toLowerCase());
    if (byId) return byId;
  }
  return list.find((m) => m.providerModelId === ref);
}

type CatalogRow = {
  org_id: string; org_type: OrganizationType; pricing_plan: PricingPlan; org_active: boolean;
  id: string | null; organization_id: string | null; name: string; description: string | null; provider: string; provider_model_id: string;
  is_active: boolean; organization_types: OrganizationType[]; required_plan: PricingPlan; is_free: boolean; is_trial: boolean;
  trial_days: number | null; token_limit_period: TokenLimitPeriod | null; token_limit_amount: number | null; max_tokens: number;
  sort_order: number; is_enabled_for_users: boolean | null; token_limit_per_user: number | null; first_enabled_at: Date | null;
};

// One statement: the organizations, LEFT JOINed to the models each could use, so
// an organization without models still comes back (and an unknown one does not).
const CATALOG_SQL = `
  SELECT o.id AS org_id, o.type::text AS org_type, o.pricing_plan::text AS pricing_plan, o.is_active AS org_active,
         m.id, m.organization_id, m.name, m.description, m.provider, m.provider_model_id, m.is_active,
         m.organization_types::text[] AS organization_types, m.required_plan::text AS required_plan, m.is_free, m.is_trial,
         m.trial_days, m.token_limit_period::text AS token_limit_period, m.token_limit_amount, m.max_tokens, m.sort_order,
         a.is_enabled_for_users, a.token_limit_per_user, a.first_enabled_at
    FROM organizations o
    LEFT JOIN ai_models m ON m.is_active AND (m.organization_id = o.id OR (m.organization_id IS NULL AND EXISTS (
           SELECT 1 FROM organization_model_access x WHERE x.organization_id = o.id AND x.model_id = m.id)))
    LEFT JOIN organization_model_access a ON a.organization_id = o.id AND a.model_id = m.id
   WHERE o.id = ANY($1::uuid[])`;

/** Loads what `usableModels` needs about an organization; null when it does not exist (or is not visible). */
export async function loadModelCatalog(query: SqlQuery, organizationId: string): Promise<ModelCatalog | null> {
  return (await loadModelCatalogs(query, [organizationId])).get(organizationId) ?? null;
}

/** loadModelCatalog for several organizations in one statement (the hot path's cache misses of one event-loop turn). */
export async function loadModelCatalogs(query: SqlQuery, organizationIds: string[]): Promise<Map<string, ModelCatalog>> {
  const out = new Map<string, ModelCatalog>();
  for (const r of await query<CatalogRow>(CATALOG_SQL, [organizationIds])) {
    let catalog = out.get(r.org_id);
    if (!catalog) out.set(r.org_id, (catalog = { org: { id: r.org_id, type: r.org_type, pricingPlan: r.pricing_plan, isActive: r.org_active }, models: [] }));
    if (r.id === null) continue;
    catalog.models.push({
      id: r.id, organizationId: r.organization_id, name: r.name, description: r.description, provider: r.provider,
      providerModelId: r.provider_model_id, isActive: r.is_active, organizationTypes: r.organization_types, requiredPlan: r.required_plan,
      isFree: r.is_free, isTrial: r.is_trial, trialDays: r.trial_days, tokenLimitPeriod: r.token_limit_period,
      tokenLimitAmount: r.token_limit_amount, maxTokens: r.max_tokens, sortOrder: r.sort_order,
      access: r.is_enabled_for_users === null ? null : { isEnabledForUsers: r.is_enabled_for_users, tokenLimitPerUser: r.token_limit_per_user, firstEnabledAt: r.first_enabled_at },
    });
  }
  return byRequestedId(organizationIds, out);
}

/** `found` (keyed by PostgreSQL's lower-case uuid text) keyed by the ids as asked, which a client may have written in capitals. */
function byRequestedId<V>(ids: string[], found: Map<string, V>): Map<string, V> {
  const out = new Map<string, V>();
  for (const id of ids) {
    const v = found.get(id.toLowerCase());
    if (v !== undefined) out.set(id, v);
  }
  return out;
}

/** A user's per-model overrides. */
export async function loadUserModelRules(query: SqlQuery, userId: string): Promise<UserModelRule[]> {
  return (await loadUserModelRulesOf(query, [userId])).get(userId) ?? [];
}

/** loadUserModelRules for several users in one statement; a user without overrides has no entry. */
export async function loadUserModelRulesOf(query: SqlQuery, userIds: string[]): Promise<Map<string, UserModelRule[]>> {
  const rows = await query<{ user_id: string; model_id: string; is_enabled: boolean; token_limit: number | null }>(
    'SELECT user_id, model_id, is_enabled, token_limit FROM user_model_limits WHERE user_id = ANY($1::uuid[])', [userIds]);
  const out = new Map<string, UserModelRule[]>();
  for (const r of rows) {
    const rules = out.get(r.user_id) ?? [];
    rules.push({ modelId: r.model_id, isEnabled: r.is_enabled, tokenLimit: r.token_limit });
    out.set(r.user_id, rules);
  }
  return byRequestedId(userIds, out);
}

export const listUsableModelsInput = z.object({ now: z.coerce.date().optional() }).strict();
export type ListUsableModelsInput = z.input<typeof listUsableModelsInput>;

/**
 * The key as it is now, and its allowed models: a key revoked or expired, an
 * owner or an organization disabled a moment ago (inside the key lookup's
 * cached second) is refused here, at once.
 */
export async function apiKeyNow(query: SqlQuery, apiKeyId: string, now: Date = new Date()): Promise<{ allowedModelIds: string[] }> {
  // rg_api_key_now (migration 0020): a PL/pgSQL function keeps its plan; planning was most of this read.
  const [key] = await query<ApiKeyNowRow>('SELECT * FROM rg_api_key_now($1::uuid)', [apiKeyId]);
  return usableKeyNow(key, now);
}

/** A row of rg_api_key_now (migration 0020): the key, its organization and its owner as they are now. */
export interface ApiKeyNowRow {
  allowed_model_ids: string[];
  revoked_at: Date | null;
  expires_at: Date | null;
  org_active: boolean;
  user_id: string | null;
  owner_usable: boolean | null;
}

/** The key's allowed models when `key` (no row: no such key) may be used at `now`; UNAUTHENTICATED otherwise. */
export function usableKeyNow(key: ApiKeyNowRow | undefined, now: Date): { allowedModelIds: string[] } {
  if (!key || !apiKeyUsable({ revokedAt: key.revoked_at, expiresAt: key.expires_at, orgActive: key.org_active, userId: key.user_id, ownerUsable: key.owner_usable }, now)) {
    throw new AppError('UNAUTHENTICATED', 'Invalid or expired API key');
  }
  return { allowedModelIds: key.allowed_model_ids };
}

/** What GET /models and GET /quota read for an API key: the hot path's own reads (the usage engine). */
export interface KeyModelSource {
  /** The organization's catalog and the user's rules, as the usage check has them (cached at most a second). */
  context(organizationId: string, userId: string | null): Promise<{ catalog: ModelCatalog | null; userRules: UserModelRule[] }>;
  /** One statement on the system login. */
  query: SqlQuery;
  clock(): Date;
}

/**
 * The models an API key may use at `now`, as the next POST /usage will judge
 * them: the engine's catalog and user rules, and the key's state read now
 * (UNAUTHENTICATED for a key that may no longer be used). GET /models starts
 * here; a key's GET /quota (keyQuota) reads the key's state with its limits
 * and then calls keyModelsAllowed.
 */
export async function keyUsableModels(source: KeyModelSource, actor: Extract<Actor, { kind: 'api-key' }>, now: Date): Promise<UsableModel[]> {
  const [{ allowedModelIds }, context] = await Promise.all([apiKeyNow(source.query, actor.apiKeyId, now), source.context(actor.organizationId, actor.userId)]);
  return keyModels(context, actor, allowedModelIds, now);
}

/** keyUsableModels once the key's state has been read (and found usable) elsewhere. */
export async function keyModelsAllowed(source: KeyModelSource, actor: Extract<Actor, { kind: 'api-key' }>, allowedModelIds: string[], now: Date): Promise<UsableModel[]> {
  return keyModels(await source.context(actor.organizationId, actor.userId), actor, allowedModelIds, now);
}

function keyModels(context: { catalog: ModelCatalog | null; userRules: UserModelRule[] }, actor: Extract<Actor, { kind: 'api-key' }>, allowedModelIds: string[], now: Date): UsableModel[] {
  return context.catalog ? usableModels(context.catalog, { userId: actor.userId, userRules: context.userRules, allowedModelIds }, now) : [];
}

/** The caller's subject: an API key's (with its allowed models), or a signed-in organization member. */
export async function usableModelSubject(query: SqlQuery, actor: Actor): Promise<{ organizationId: string; subject: UsableModelSubject }> {
  if (actor.kind === 'api-key') {
    const { allowedModelIds } = await apiKeyNow(query, actor.apiKeyId);
    const userRules = actor.userId ? await loadUserModelRules(query, actor.userId) : [];
    return { organizationId: actor.organizationId, subject: { userId: actor.userId, userRules, allowedModelIds } };
  }
  if (actor.kind === 'user' && actor.organizationId) {
    return { organizationId: actor.organizationId, subject: { userId: actor.userId, userRules: await loadUserModelRules(query, actor.userId), allowedModelIds: [] } };
  }
  throw new AppError('FORBIDDEN', 'Only an organization member or its API keys use models');
}

/** The models `actor` may use at `now`, read through `query`: what GET /models lists and the usage check accepts. */
export async function callerUsableModels(query: SqlQuery, actor: Actor, now: Date): Promise<{ organizationId: string; subject: UsableModelSubject; models: UsableModel[] }> {
  const { organizationId, subject } = await usableModelSubject(query, actor);
  const catalog = await loadModelCatalog(query, organizationId);
  return { organizationId, subject, models: catalog ? usableModels(catalog, subject, now) : [] };
}

/** GET /models without the caller's limits: exactly the models the caller may use (the same rule as the usage check). */
export async function listUsableModels(db: PrismaClient, actor: Actor, rawInput: ListUsableModelsInput = {}): Promise<UsableModel[]> {
  const input = parseInput(listUsableModelsInput, rawInput);
  const now = input.now ?? new Date();
  return inActorTransaction(db, actor, async (tx) => (await callerUsableModels(prismaQuery(tx), actor, now)).models);
}
