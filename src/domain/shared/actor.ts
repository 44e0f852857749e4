import type { OrganizationType, PricingPlan, UserRole } from '@prisma/client';

/** Who is asking. Every domain function takes one explicitly. */
export type Actor =
  | {
      kind: 'user';
      userId: string;
      organizationId: string | null;
      role: UserRole;
      email?: string;
      /** The organization's type and plan, loaded per request: model eligibility depends on them. */
      org?: { type: OrganizationType; pricingPlan: PricingPlan } | null;
      /**
       * Set when the user acts through one of their API keys (the HTTP API): the
       * key's scopes were checked there, the user's role bounds what it may do,
       * and audit rows name the key.
       */
      apiKeyId?: string;
    }
  | { kind: 'api-key'; apiKeyId: string; organizationId: string; userId: string | null; scopes: string[] }
  | { kind: 'system'; reason: string };

/** The named actor for seeds, migrations and maintenance: it bypasses tenant scope. */
export const SYSTEM_ACTOR: Actor = { kind: 'system', reason: 'seed-and-maintenance' };

export const isSystem = (a: Actor): a is Extract<Actor, { kind: 'system' }> => a.kind === 'system';

/** A signed-in person (panel session or API token), as opposed to a key or the system. */
export type UserActor = Extract<Actor, { kind: 'user' }>;
