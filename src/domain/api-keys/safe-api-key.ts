import type { ApiKey } from '@prisma/client';

/** An API key as it may leave the server: everything but the hash. */
export type SafeApiKey = Omit<ApiKey, 'keyHash'>;

export function toSafeApiKey(key: ApiKey): SafeApiKey {
  const { keyHash: _hash, ...safe } = key;
  return safe;
}
