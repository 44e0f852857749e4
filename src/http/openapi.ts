import { OpenAPIRegistry, OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import { errorEnvelopeSchema } from './schemas/common.js';

export const API_PREFIX = '/api/v1';

export const SECURITY = {
  apiKey: 'apiKey',
  bearerJwt: 'bearerJwt',
  sessionCookie: 'sessionCookie',
} as const;

/** A registry with the API's security schemes and shared components; routes add their paths (route.ts). */
export function createApiRegistry(): OpenAPIRegistry {
  const registry = new OpenAPIRegistry();
  registry.register('Error', errorEnvelopeSchema);
  registry.registerComponent('securitySchemes', SECURITY.apiKey, {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'rgk_…',
    description: 'An API key (`Authorization: Bearer rgk_…`). Its scopes decide which operations it may call; its owner\'s role bounds them.',
  });
  registry.registerComponent('securitySchemes', SECURITY.bearerJwt, {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description: 'A 15-minute user access token from POST /auth/token (HS256, iss "realmgate", aud "realmgate-api").',
  });
  registry.registerComponent('securitySchemes', SECURITY.sessionCookie, {
    type: 'apiKey',
    in: 'cookie',
    name: 'realmgate.sid',
    description: 'The admin panel\'s session cookie, for signed-in staff; unsafe methods need a same-origin Origin header.',
  });
  return registry;
}

/** The OpenAPI 3.1 document for everything registered. */
export function generateOpenApiDocument(registry: OpenAPIRegistry) {
  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'Realmgate API',
      version: '1.0.0',
      description:
        'Headless REST API of Realmgate. Errors are `{ "error": { "code", "message", "details" } }`; lists are cursor-paginated (`limit`, `cursor`, `nextCursor`); every answer carries `X-Request-Id`.',
      license: { name: 'Proprietary', identifier: 'LicenseRef-Proprietary' },
    },
    servers: [{ url: API_PREFIX, description: 'This server' }],
  });
}
