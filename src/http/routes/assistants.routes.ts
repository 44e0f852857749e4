import { ToolCategory } from '@prisma/client';
import { assistantStatus } from '../../domain/assistants/assistant-status.js';
import { chatMessageCreateSchema } from '../../domain/chat/chat-message-schema.js';
import { chatSessionCreateSchema, chatSessionUpdateSchema } from '../../domain/chat/chat-session-schema.js';
import { listRecords } from '../../domain/records/list-records.js';
import { getRecord } from '../../domain/records/get-record.js';
import { createRecord } from '../../domain/records/write-record.js';
import type { Api } from '../api-router.js';
import { defineRoute } from '../route.js';
import { idParams, isoDateTime, pageOf, pageQuery } from '../schemas/common.js';
import { recordSchema } from '../schemas/record-schema.js';
import { z } from '../zod.js';
import { recordRoutes } from './record-routes.js';

const health = z.object({ HEALTHY: z.number(), DEGRADED: z.number(), DOWN: z.number(), UNKNOWN: z.number() });

/** Seed 002: agents, tools (by category), status, chat sessions and their messages. */
export function assistantRoutes(api: Api): void {
  const { db, config } = api.deps;
  const read = { tags: ['Assistants'], scope: 'assistants:read' as const };

  defineRoute(api, {
    ...read,
    method: 'get',
    path: '/agents',
    operationId: 'listAgents',
    summary: "Agents you may use: your organization's and the global ones",
    access: ['Agent', 'read'],
    query: pageQuery,
    response: pageOf(recordSchema('Agent'), 'AgentPage'),
    handle: ({ actor, query }) => listRecords(db, actor, 'Agent', { limit: query.limit, cursor: query.cursor }),
  });

  defineRoute(api, {
    ...read,
    method: 'get',
    path: '/tools',
    operationId: 'listTools',
    summary: 'The tool catalog, optionally of one category',
    access: ['Tool', 'read'],
    query: pageQuery.extend({ category: z.nativeEnum(ToolCategory).optional().openapi({ description: 'Only tools of this category.' }) }),
    response: pageOf(recordSchema('Tool'), 'ToolPage'),
    handle: ({ actor, query }) => listRecords(db, actor, 'Tool', { limit: query.limit, cursor: query.cursor, filter: query.category ? { category: query.category } : undefined }),
  });

  defineRoute(api, {
    ...read,
    method: 'get',
    path: '/status',
    operationId: 'getStatus',
    summary: 'Health of agents and tools, aggregated (overall is the worst)',
    access: ['Agent', 'read'],
    response: z.object({ overall: z.enum(['HEALTHY', 'DEGRADED', 'DOWN', 'UNKNOWN']), agents: health, tools: health, checkedAt: isoDateTime }).openapi('Status'),
    handle: ({ actor }) => assistantStatus(db, actor),
  });

  // Sessions: list, create, get, rename; closing a session deletes it with its messages.
  recordRoutes(api, {
    resource: 'ChatSession',
    path: '/chat-sessions',
    names: ['ChatSession', 'ChatSessions'],
    tag: 'Chat',
    readScope: 'assistants:read',
    writeScope: 'chat:write',
    filters: { realmId: { schema: z.string().uuid(), where: (realmId: string) => ({ realmId }), description: 'Only sessions of this realm.' } },
    create: { schema: chatSessionCreateSchema, example: { title: 'Onboarding questions' } },
    update: { schema: chatSessionUpdateSchema, example: { title: 'Onboarding (done)' } },
    remove: true,
  });

  defineRoute(api, {
    tags: ['Chat'],
    scope: 'assistants:read',
    method: 'get',
    path: '/chat-sessions/:id/messages',
    operationId: 'listChatMessages',
    summary: 'Messages of a session, oldest first',
    access: ['ChatMessage', 'read'],
    params: idParams,
    query: pageQuery,
    response: pageOf(recordSchema('ChatMessage'), 'ChatMessagePage'),
    async handle({ actor, params, query }) {
      await getRecord(db, actor, 'ChatSession', params.id); // 404 for sessions outside your scope
      return listRecords(db, actor, 'ChatMessage', { limit: query.limit, cursor: query.cursor, order: 'asc', filter: { sessionId: params.id } });
    },
  });

  defineRoute(api, {
    tags: ['Chat'],
    scope: 'chat:write',
    method: 'post',
    path: '/chat-sessions/:id/messages',
    operationId: 'appendChatMessage',
    summary: 'Append a message to a session',
    access: ['ChatMessage', 'create'],
    params: idParams,
    body: chatMessageCreateSchema.omit({ sessionId: true, organizationId: true, userId: true }).openapi('ChatMessageCreate', { example: { role: 'USER', content: 'How many vacation days do I have?' } }),
    status: 201,
    response: recordSchema('ChatMessage'),
    async handle({ actor, params, body, meta }) {
      await getRecord(db, actor, 'ChatSession', params.id);
      return createRecord(db, actor, 'ChatMessage', { ...body, sessionId: params.id }, {
        encryptionKey: config.ENCRYPTION_KEY,
        beforeWrite: async (tx) => {
          await tx.chatSession.update({ where: { id: params.id }, data: { lastMessageAt: new Date() } });
        },
      }, meta);
    },
  });
}
