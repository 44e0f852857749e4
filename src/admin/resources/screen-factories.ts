import type { ResourceFactory } from './resource-spec.js';
import { organizationResource } from './organization.resource.js';
import { userResource } from './user.resource.js';
import { realmResource } from './realm.resource.js';
import { aiModelResource } from './ai-model.resource.js';
import { organizationModelAccessResource } from './organization-model-access.resource.js';
import { userModelLimitResource } from './user-model-limit.resource.js';
import { apiKeyResource } from './api-key.resource.js';
import { loginThrottleResource } from './login-throttle.resource.js';
import { quotaCounterResource } from './quota-counter.resource.js';
import { usageEventResource } from './usage-event.resource.js';
import { usageDailyRollupResource } from './usage-daily-rollup.resource.js';
import { vectorServerResource } from './vector-server.resource.js';
import { knowledgeBaseResource } from './knowledge-base.resource.js';
import { documentResource } from './document.resource.js';
import { ingestionJobResource } from './ingestion-job.resource.js';
import { agentResource } from './agent.resource.js';
import { toolResource } from './tool.resource.js';
import { chatSessionResource } from './chat-session.resource.js';
import { chatMessageResource } from './chat-message.resource.js';
import { auditLogResource } from './audit-log.resource.js';
import { realmMigrationRunResource } from './realm-migration-run.resource.js';
import { realmMigrationItemResource } from './realm-migration-item.resource.js';
// realmgate:scaffold imports (`realmgate scaffold resource` adds imports above this line)

/** The screen of each model (columns, filters, order, links, write-only secrets); Session has its own. */
export const SCREEN_FACTORIES: Record<string, ResourceFactory> = {
  Organization: organizationResource,
  User: userResource,
  Realm: realmResource,
  AiModel: aiModelResource,
  OrganizationModelAccess: organizationModelAccessResource,
  UserModelLimit: userModelLimitResource,
  ApiKey: apiKeyResource,
  LoginThrottle: loginThrottleResource,
  QuotaCounter: quotaCounterResource,
  UsageEvent: usageEventResource,
  UsageDailyRollup: usageDailyRollupResource,
  VectorServer: vectorServerResource,
  KnowledgeBase: knowledgeBaseResource,
  Document: documentResource,
  IngestionJob: ingestionJobResource,
  Agent: agentResource,
  Tool: toolResource,
  ChatSession: chatSessionResource,
  ChatMessage: chatMessageResource,
  AuditLog: auditLogResource,
  RealmMigrationRun: realmMigrationRunResource,
  RealmMigrationItem: realmMigrationItemResource,
  // realmgate:scaffold screens (`realmgate scaffold resource` adds screens above this line)
};
