import { isSecretField, type ResourceName } from '../access/permissions.js';

/** Write-only secrets per resource: the request field and the ciphertext column it is stored in. */
export const WRITE_ONLY_SECRETS: Partial<Record<ResourceName, Record<string, string>>> = {
  VectorServer: { password: 'passwordEncrypted', apiKey: 'apiKeyEncrypted' },
};

const flagName = (input: string) => `has${input.charAt(0).toUpperCase()}${input.slice(1)}`;

/** The row as callers may see it: hashes and ciphertexts removed; for each write-only secret a `has<Name>` flag instead. */
export function safeRecord(resource: ResourceName, row: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row)) if (!isSecretField(resource, k)) out[k] = v;
  for (const [input, column] of Object.entries(WRITE_ONLY_SECRETS[resource] ?? {})) out[flagName(input)] = row[column] != null;
  return out;
}

export const secretFlagNames = (resource: ResourceName): string[] => Object.keys(WRITE_ONLY_SECRETS[resource] ?? {}).map(flagName);
