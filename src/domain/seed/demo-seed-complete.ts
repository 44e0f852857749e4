import type { PrismaClient } from '@prisma/client';
import { DEMO_AGENT_KEYS, DEMO_TOOL_KEYS } from './demo-assistants.js';
import { DEMO_MODELS } from './demo-models.js';
import { buildRealmData } from './demo-realm-data.js';
import { DEMO_ORGS, DEMO_USERS, accessRows, orgId, userId, userLimitRows } from './demo-tenants.js';
import { asSystem } from './system-transaction.js';

/**
 * Every demo row's identity, table by table. The ids are name-based (demoId), so
 * they do not depend on the database; models, tools and agents are matched the
 * way the seed matches them (system models by name, tools and agents by key).
 */
function expectedRows() {
  const noModel = () => '';
  const data = buildRealmData(new Date(), () => '', noModel);
  const ids = (rows: { id?: string }[]) => rows.map((r) => r.id!);
  return {
    organizations: DEMO_ORGS.map((o) => orgId(o.key)),
    users: DEMO_USERS.map((u) => userId(u.key)),
    organization_model_access: ids(accessRows(noModel, new Date())),
    user_model_limits: ids(userLimitRows(noModel)),
    realms: ids(data.realms),
    vector_servers: ids(data.servers),
    knowledge_bases: ids(data.knowledgeBases),
    documents: ids(data.documents),
    ingestion_jobs: ids(data.jobs),
    chat_sessions: ids(data.chatSessions),
    chat_messages: ids(data.chatMessages),
    api_keys: ids(data.apiKeys),
  };
}

/**
 * True when every row the demo seed would insert is already there (and the ledger
 * has the demo usage), in one query: then seeding again would change nothing and
 * is skipped, which keeps a warm start from planning a dozen bulk inserts.
 */
export async function demoDataComplete(db: PrismaClient): Promise<boolean> {
  const byId = Object.entries(expectedRows());
  const params: unknown[] = [];
  const param = (v: unknown) => `$${params.push(v)}`;
  const checks = [
    ...byId.map(([table, ids]) => `(SELECT count(*) FROM ${table} WHERE id = ANY(${param([...new Set(ids)])}::uuid[])) = ${new Set(ids).size}`),
    `(SELECT count(DISTINCT name) FROM ai_models WHERE organization_id IS NULL AND name = ANY(${param(DEMO_MODELS.map((m) => m.name))}::text[])) = ${new Set(DEMO_MODELS.map((m) => m.name)).size}`,
    `(SELECT count(*) FROM tools WHERE key = ANY(${param(DEMO_TOOL_KEYS)}::text[])) = ${new Set(DEMO_TOOL_KEYS).size}`,
    `(SELECT count(*) FROM agents WHERE key = ANY(${param(DEMO_AGENT_KEYS)}::text[])) = ${new Set(DEMO_AGENT_KEYS).size}`,
    `EXISTS (SELECT 1 FROM usage_events WHERE organization_id = ANY(${param(DEMO_ORGS.map((o) => orgId(o.key)))}::uuid[]))`,
  ];
  const [row] = await asSystem(db, (tx) => tx.$queryRawUnsafe<{ complete: boolean }[]>(`SELECT (${checks.join(' AND ')}) AS complete`, ...params));
  return row?.complete === true;
}
