import type { UserRole } from '@prisma/client';

/** Who is asking. Every domain function takes one explicitly. */
export type Actor =
  | { kind: 'user'; userId: string; organizationId: string | null; role: UserRole; email?: string }
  | { kind: 'api-key'; apiKeyId: string; organizationId: string; userId: string | null; scopes: string[] }
  | { kind: 'system'; reason: string };

/** The named actor for seeds, migrations and maintenance: it bypasses tenant scope. */
export const SYSTEM_ACTOR: Actor = { kind: 'system', reason: 'seed-and-maintenance' };

export const isSystem = (a: Actor): a is Extract<Actor, { kind: 'system' }> => a.kind === 'system';
