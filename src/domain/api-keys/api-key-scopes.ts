/** What an API key may do. A gateway key typically holds models:read + usage:write. */
export const API_KEY_SCOPES = ['models:read', 'usage:read', 'usage:write', 'keys:manage'] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];
