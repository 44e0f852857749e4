import type { z } from 'zod';
import { agentCreateSchema, agentUpdateSchema } from '../assistants/agent-schema.js';
import { toolCreateSchema, toolUpdateSchema } from '../assistants/tool-schema.js';
import { apiKeyCreateSchema, apiKeyUpdateSchema } from '../api-keys/api-key-schema.js';
import { chatMessageCreateSchema, chatMessageUpdateSchema } from '../chat/chat-message-schema.js';
import { chatSessionCreateSchema, chatSessionUpdateSchema } from '../chat/chat-session-schema.js';
import { documentCreateSchema, documentUpdateSchema } from '../knowledge/document-schema.js';
import { ingestionJobCreateSchema, ingestionJobUpdateSchema } from '../knowledge/ingestion-job-schema.js';
import { knowledgeBaseCreateSchema, knowledgeBaseUpdateSchema } from '../knowledge/knowledge-base-schema.js';
import { vectorServerCreateSchema, vectorServerUpdateSchema } from '../knowledge/vector-server-schema.js';
import { organizationModelAccessCreateSchema, organizationModelAccessUpdateSchema } from '../model-access/organization-model-access-schema.js';
import { userModelLimitCreateSchema, userModelLimitUpdateSchema } from '../model-access/user-model-limit-schema.js';
import { aiModelCreateSchema, aiModelUpdateSchema } from '../models/ai-model-schema.js';
import { organizationCreateSchema, organizationUpdateSchema } from '../organizations/organization-schema.js';
import { realmCreateSchema, realmUpdateSchema } from '../realms/realm-schema.js';
import { invalidFields } from '../shared/field-errors.js';
import { issuesByField, wordedErrors } from '../shared/schema-kit.js';
import { userCreateSchema, userUpdateSchema } from '../users/user-schema.js';
import type { ResourceName } from './permissions.js';

type Schema = z.ZodObject<z.ZodRawShape>;

/**
 * The one create/update schema of every resource people write, for the panel
 * (write-rules.ts) and the REST API alike. Resources absent here are written
 * by domain functions only (ledger, counters, audit, sessions, migrations).
 */
export const RESOURCE_SCHEMAS: Partial<Record<ResourceName, { create: Schema; update: Schema }>> = {
  Organization: { create: organizationCreateSchema, update: organizationUpdateSchema },
  User: { create: userCreateSchema, update: userUpdateSchema },
  Realm: { create: realmCreateSchema, update: realmUpdateSchema },
  ApiKey: { create: apiKeyCreateSchema, update: apiKeyUpdateSchema },
  AiModel: { create: aiModelCreateSchema, update: aiModelUpdateSchema },
  OrganizationModelAccess: { create: organizationModelAccessCreateSchema, update: organizationModelAccessUpdateSchema },
  UserModelLimit: { create: userModelLimitCreateSchema, update: userModelLimitUpdateSchema },
  VectorServer: { create: vectorServerCreateSchema, update: vectorServerUpdateSchema },
  KnowledgeBase: { create: knowledgeBaseCreateSchema, update: knowledgeBaseUpdateSchema },
  Document: { create: documentCreateSchema, update: documentUpdateSchema },
  IngestionJob: { create: ingestionJobCreateSchema, update: ingestionJobUpdateSchema },
  Agent: { create: agentCreateSchema, update: agentUpdateSchema },
  Tool: { create: toolCreateSchema, update: toolUpdateSchema },
  ChatSession: { create: chatSessionCreateSchema, update: chatSessionUpdateSchema },
  ChatMessage: { create: chatMessageCreateSchema, update: chatMessageUpdateSchema },
};

/**
 * `data` checked by the resource's schema for `op`: the schema's fields parsed
 * (trimmed, converted), other keys kept as they are (tenancy and system fields
 * are the write rules' business). Throws INVALID with a message per field.
 */
export function validateResourceData(resource: string, op: 'create' | 'update', data: Record<string, unknown>): Record<string, unknown> {
  const schema = RESOURCE_SCHEMAS[resource as ResourceName]?.[op];
  if (!schema) return data;
  const result = schema.safeParse(data, { errorMap: wordedErrors });
  if (!result.success) throw invalidFields(issuesByField(result.error));
  const out = { ...data };
  for (const key of Object.keys(schema.shape)) if (key in result.data && result.data[key] !== undefined) out[key] = result.data[key];
  return out;
}
