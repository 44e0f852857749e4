import type { HealthStatus, Prisma, ToolCategory } from '@prisma/client';
import { demoId } from './deterministic-id.js';

/** Agents of seed 002 (the Sanctum control UI). `org` = org key, or null for every organization. */
interface DemoAgent {
  key: string;
  name: string;
  displayName: string;
  description: string;
  modelKey: string | null;
  org: string | null;
  status: HealthStatus;
}

const AGENTS: DemoAgent[] = [
  { key: 'sanctum', name: 'Sanctum', displayName: 'Sanctum', description: 'The default assistant: answers questions and routes work to the other agents and tools.', modelKey: 'basic-assistant', org: null, status: 'HEALTHY' },
  { key: 'scribe', name: 'Scribe', displayName: 'Scribe the Writer', description: 'Drafts, edits and summarises documents.', modelKey: 'basic-assistant', org: null, status: 'HEALTHY' },
  { key: 'archivist', name: 'Archivist', displayName: 'The Archivist', description: 'Answers from your knowledge bases and cites the documents it used.', modelKey: 'basic-assistant', org: null, status: 'DEGRADED' },
  { key: 'herald', name: 'Herald', displayName: 'Herald', description: 'Sends notifications and digests over email and chat.', modelKey: null, org: null, status: 'UNKNOWN' },
  { key: 'clerk', name: 'Clerk', displayName: 'Lex Clerk', description: 'Reviews contracts for Lex & Co with the Legal Document Analyst.', modelKey: 'legal-analyst', org: 'lex', status: 'HEALTHY' },
];

interface DemoTool {
  key: string;
  name: string;
  description: string;
  emoji: string;
  category: ToolCategory;
  routePath: string;
  status: HealthStatus;
  isEnabled: boolean;
}

const TOOLS: DemoTool[] = [
  { key: 'chat', name: 'Chat', description: 'Talk to an agent.', emoji: 'MessageSquare', category: 'CORE', routePath: '/chat', status: 'HEALTHY', isEnabled: true },
  { key: 'agents', name: 'Agents', description: 'Agents and their health.', emoji: 'Users', category: 'CORE', routePath: '/agents', status: 'HEALTHY', isEnabled: true },
  { key: 'email', name: 'Email', description: 'Send and receive email through an agent.', emoji: 'Mail', category: 'COMMUNICATION', routePath: '/tools/email', status: 'HEALTHY', isEnabled: true },
  { key: 'telegram', name: 'Telegram', description: 'A Telegram bot bridge for agents.', emoji: 'Send', category: 'COMMUNICATION', routePath: '/tools/telegram', status: 'DOWN', isEnabled: false },
  { key: 'knowledge-search', name: 'Knowledge search', description: 'Semantic search over your knowledge bases.', emoji: 'Search', category: 'KNOWLEDGE', routePath: '/tools/knowledge', status: 'HEALTHY', isEnabled: true },
  { key: 'document-ingest', name: 'Document ingestion', description: 'Chunk, embed and index uploaded documents.', emoji: 'Download', category: 'KNOWLEDGE', routePath: '/tools/ingest', status: 'DEGRADED', isEnabled: true },
  { key: 'webhooks', name: 'Webhooks', description: 'Call external systems when events happen.', emoji: 'Link', category: 'INTEGRATION', routePath: '/tools/webhooks', status: 'HEALTHY', isEnabled: true },
  { key: 'calendar', name: 'Calendar', description: 'Read and book calendar slots.', emoji: 'Calendar', category: 'INTEGRATION', routePath: '/tools/calendar', status: 'UNKNOWN', isEnabled: false },
  { key: 'scheduler', name: 'Scheduler', description: 'Run agent tasks on a schedule.', emoji: 'Clock', category: 'UTILITY', routePath: '/tools/scheduler', status: 'HEALTHY', isEnabled: true },
  { key: 'status', name: 'System status', description: 'Health of tools, agents and the gateway.', emoji: 'BarChart2', category: 'UTILITY', routePath: '/status', status: 'HEALTHY', isEnabled: true },
];

export const agentId = (key: string): string => demoId('agent', key);
export const DEMO_AGENT_KEYS = AGENTS.map((a) => a.key);
export const DEMO_TOOL_KEYS = TOOLS.map((t) => t.key);

/** `ids.model(key)` / `ids.org(key)` resolve the ids actually in the database. */
export function agentRows(ids: { model: (key: string) => string; org: (key: string) => string }, agentIdFor: (key: string) => string): Prisma.AgentCreateManyInput[] {
  return AGENTS.map((a) => ({
    id: agentIdFor(a.key),
    key: a.key,
    name: a.name,
    displayName: a.displayName,
    description: a.description,
    modelId: a.modelKey ? ids.model(a.modelKey) : null,
    organizationId: a.org ? ids.org(a.org) : null,
    status: a.status,
    isActive: true,
  }));
}

export function toolRows(): Prisma.ToolCreateManyInput[] {
  return TOOLS.map((t) => ({ id: demoId('tool', t.key), ...t }));
}
