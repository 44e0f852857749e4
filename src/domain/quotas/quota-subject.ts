import type { QuotaMetric, QuotaSubject } from '@prisma/client';
import { z } from 'zod';
import { scopeFor } from '../access/permissions.js';
import { can, mayWriteField, requireScope, scopeAdmits, scopeWhere, type Where } from '../access/scope.js';
import type { Actor } from '../shared/actor.js';
import type { Tx } from '../shared/actor-transaction.js';
import { AppError } from '../shared/app-error.js';
import { apiKeyQuotaDefinitions, ORGANIZATION_QUOTA_FIELDS, organizationQuotaDefinitions, userQuotaDefinitions, type QuotaDefinition } from './quota-definitions.js';

export const quotaSubjectInput = z.object({
  subjectType: z.enum(['ORGANIZATION', 'USER', 'API_KEY']),
  subjectId: z.string().uuid(),
});
export type QuotaSubjectRef = z.infer<typeof quotaSubjectInput>;

export interface LoadedQuotaSubject {
  subjectType: QuotaSubject;
  subjectId: string;
  organizationId: string;
  name: string;
  definitions: QuotaDefinition[];
  /** The counters of this subject the actor may read. */
  counterScope: Where;
}

/**
 * The subject and its configured quotas, if `actor` may read both the subject
 * and its counters; NOT_FOUND otherwise ("not yours" = "not found").
 */
export async function loadQuotaSubject(tx: Tx, actor: Actor, ref: QuotaSubjectRef, now: Date): Promise<LoadedQuotaSubject> {
  const notFound = () => new AppError('NOT_FOUND', 'Quota subject not found');
  let loaded: LoadedQuotaSubject | null = null;
  if (ref.subjectType === 'ORGANIZATION') {
    const org = await tx.organization.findFirst({ where: { AND: [{ id: ref.subjectId }, requireScope(actor, 'Organization', 'read')] } });
    if (org) loaded = { ...ref, organizationId: org.id, name: org.name, definitions: organizationQuotaDefinitions(org), counterScope: {} };
  } else if (ref.subjectType === 'USER') {
    const user = await tx.user.findFirst({ where: { AND: [{ id: ref.subjectId }, requireScope(actor, 'User', 'read')] } });
    if (user?.organizationId) {
      const definitions = await userQuotaDefinitions(tx, { id: user.id, organizationId: user.organizationId }, now);
      loaded = { ...ref, organizationId: user.organizationId, name: user.displayName ?? user.username, definitions, counterScope: {} };
    }
  } else {
    const key = await tx.apiKey.findFirst({ where: { AND: [{ id: ref.subjectId }, requireScope(actor, 'ApiKey', 'read')] } });
    // A key's counts belong to whoever may read the key: its owner too, whose counter scope is otherwise their own user's.
    if (key && can(actor, 'QuotaCounter', 'read')) return { ...ref, organizationId: key.organizationId, name: key.name, definitions: apiKeyQuotaDefinitions(key), counterScope: { organizationId: key.organizationId } };
  }
  if (!loaded) throw notFound();
  const counterScope = scopeWhere(actor, 'QuotaCounter', 'read');
  if (!counterScope || !scopeAdmits(counterScope, { organizationId: loaded.organizationId, subjectType: loaded.subjectType, subjectId: loaded.subjectId })) throw notFound();
  return { ...loaded, counterScope };
}

/** May `actor`'s role reset quotas of this kind of subject at all? The panel shows its reset actions only then. */
export function mayResetQuotas(actor: Actor | null | undefined, subjectType: QuotaSubject): boolean {
  if (!actor) return false;
  if (actor.kind === 'system') return true;
  if (actor.kind !== 'user') return false;
  if (subjectType === 'ORGANIZATION') return can(actor, 'Organization', 'update') && Object.values(ORGANIZATION_QUOTA_FIELDS).some((f) => mayWriteField(actor, 'Organization', f));
  if (subjectType === 'USER') return can(actor, 'UserModelLimit', 'update');
  // A key's owner may see its counts but not wipe them: that is for who manages the organization's keys.
  return ['org', 'all'].includes(scopeFor(actor.role, 'ApiKey', 'update'));
}

/**
 * Throws unless `actor` may reset this counter: the right to reset a quota is
 * the right to change the limit it counts against. An organization's quotas
 * are its commercial terms (fields an org ADMIN may not write); a user's
 * per-model quotas follow UserModelLimit; an API key's follow the key.
 */
export async function authorizeQuotaReset(tx: Tx, actor: Actor, counter: { organizationId: string; subjectType: QuotaSubject; subjectId: string; metric: QuotaMetric }): Promise<void> {
  const forbidden = (why: string) => new AppError('FORBIDDEN', why);
  const notFound = () => new AppError('NOT_FOUND', 'Quota subject not found');
  if (!mayResetQuotas(actor, counter.subjectType)) throw forbidden('Your role may not reset these quotas');
  if (counter.subjectType === 'ORGANIZATION') {
    const scope = scopeWhere(actor, 'Organization', 'update');
    const field = ORGANIZATION_QUOTA_FIELDS[counter.metric as keyof typeof ORGANIZATION_QUOTA_FIELDS] ?? 'monthlyTokenQuota';
    if (!scope || !mayWriteField(actor, 'Organization', field)) throw forbidden("Only platform staff may reset an organization's quota");
    const org = await tx.organization.findFirst({ where: { AND: [{ id: counter.subjectId }, scope] }, select: { id: true } });
    if (!org) throw notFound();
  } else if (counter.subjectType === 'USER') {
    const scope = scopeWhere(actor, 'UserModelLimit', 'update');
    if (!scope) throw forbidden("You may not reset this user's quotas");
    const user = await tx.user.findFirst({ where: { AND: [{ id: counter.subjectId }, requireScope(actor, 'User', 'read')] }, select: { id: true, organizationId: true } });
    if (!user || !scopeAdmits(scope, { organizationId: user.organizationId, userId: user.id })) throw notFound();
  } else {
    const scope = scopeWhere(actor, 'ApiKey', 'update');
    if (!scope) throw forbidden("You may not reset this API key's quotas");
    const key = await tx.apiKey.findFirst({ where: { AND: [{ id: counter.subjectId }, scope] }, select: { id: true } });
    if (!key) throw notFound();
  }
}
