/** What decides whether an API key may be used at a moment, however it was read. */
export interface ApiKeyStanding {
  revokedAt: Date | null;
  expiresAt: Date | null;
  orgActive: boolean;
  userId: string | null;
  /** rg_account_usable of the owner (migration 0018); null for a key without an owner */
  ownerUsable: boolean | null;
}

/**
 * The one rule, for the key lookup (authenticate-api-key.ts), the usage batch
 * (decide-batch.ts) and the listings (apiKeyNow): not revoked, not expired,
 * its organization active, and its owner, if it has one, able to sign in.
 */
export function apiKeyUsable(k: ApiKeyStanding, now: Date): boolean {
  if (k.revokedAt || !k.orgActive) return false;
  if (k.expiresAt && k.expiresAt.getTime() <= now.getTime()) return false;
  return !k.userId || k.ownerUsable === true;
}
