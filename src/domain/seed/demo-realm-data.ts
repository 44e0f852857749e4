import crypto from 'node:crypto';
import type { DocumentState, JobStatus, Prisma } from '@prisma/client';
import { demoId, mulberry32, randomBase62, seedFrom } from './deterministic-id.js';
import { DEMO_USERS, orgId, userId } from './demo-tenants.js';
import { EXTRA_REALMS, WORKSPACES, type PlannedDoc } from './demo-realm-plan.js';

// Demo API keys are hashed with this public pepper, never the server's, and their
// secrets are thrown away: they can be listed and revoked but never used.
const DEMO_KEY_PEPPER = 'realmgate-demo-seed-pepper-not-a-secret';
const DAY = 86_400_000;

export const realmId = (userKey: string, name: string): string => demoId('realm', `${userKey}/${name}`);

/** A key the usage generator may attribute events to. */
export interface UsageKey {
  id: string;
  userKey: string;
  orgKey: string;
  realmId: string;
  /** model keys; empty = any model the org may use */
  models: string[];
}

export interface RealmDataRows {
  realms: Prisma.RealmCreateManyInput[];
  servers: Prisma.VectorServerCreateManyInput[];
  knowledgeBases: Prisma.KnowledgeBaseCreateManyInput[];
  documents: Prisma.DocumentCreateManyInput[];
  jobs: Prisma.IngestionJobCreateManyInput[];
  chatSessions: Prisma.ChatSessionCreateManyInput[];
  chatMessages: Prisma.ChatMessageCreateManyInput[];
  apiKeys: Prisma.ApiKeyCreateManyInput[];
  usageKeys: UsageKey[];
}

const JOB_FOR_STATE: Record<DocumentState, { status: JobStatus; percentage: number; summary: string; ended: boolean }> = {
  PENDING: { status: 'PENDING', percentage: 0, summary: 'Queued', ended: false },
  INGESTING: { status: 'PROCESSING', percentage: 45, summary: 'Embedding chunks', ended: false },
  INGESTED: { status: 'FINISHED', percentage: 100, summary: 'Ingested', ended: true },
  DEPRECATED: { status: 'FINISHED', percentage: 100, summary: 'Ingested; later superseded', ended: true },
  FAILED: { status: 'FAILED', percentage: 30, summary: 'Text extraction failed: the PDF has no text layer (scan without OCR)', ended: true },
};

/**
 * Every realm and realm-scoped row of the demo, from WORKSPACES. `agentIdFor` and
 * `modelIdFor` resolve ids as stored; `now` anchors relative dates (only the first
 * run's values are ever written: later runs skip existing ids).
 */
export function buildRealmData(now: Date, agentIdFor: (key: string) => string, modelIdFor: (key: string) => string): RealmDataRows {
  const out: RealmDataRows = { realms: [], servers: [], knowledgeBases: [], documents: [], jobs: [], chatSessions: [], chatMessages: [], apiKeys: [], usageKeys: [] };
  const ago = (days: number, minutes = 0) => new Date(now.getTime() - days * DAY - minutes * 60_000);
  const orgOf = (userKey: string) => {
    const u = DEMO_USERS.find((x) => x.key === userKey);
    if (!u) throw new Error(`demo plan names unknown user ${userKey}`);
    return u.org;
  };

  for (const u of DEMO_USERS) {
    out.realms.push({ id: realmId(u.key, 'Default'), organizationId: orgId(u.org), ownerId: userId(u.key), name: 'Default', description: 'Your default workspace', isDefault: true, isActive: true });
  }
  for (const r of EXTRA_REALMS) {
    out.realms.push({ id: realmId(r.user, r.name), organizationId: orgId(orgOf(r.user)), ownerId: userId(r.user), name: r.name, description: r.description, isDefault: false, isActive: r.isActive });
  }

  for (const w of WORKSPACES) {
    const orgKey = orgOf(w.user);
    const scope = { organizationId: orgId(orgKey), userId: userId(w.user), realmId: w.realm === null ? null : realmId(w.user, w.realm) };
    const natural = (name: string) => `${w.user}/${w.realm ?? '(legacy)'}/${name}`;
    const serverIds = new Map<string, string>();

    for (const s of w.servers ?? []) {
      const id = demoId('vector-server', natural(s.name));
      serverIds.set(s.name, id);
      out.servers.push({ id, ...scope, name: s.name, type: s.type, host: s.host, port: s.port, database: s.database ?? null, collection: s.collection ?? null, isActive: s.isActive, lastConnectedAt: s.isActive ? ago(0, 30) : null });
    }

    const addDoc = (d: PlannedDoc, kb: { id: string; name: string } | null) => {
      const id = demoId('document', natural(`${kb?.name ?? ''}/${d.name}`));
      const rand = mulberry32(seedFrom(id));
      const ingested = d.state === 'INGESTED' || d.state === 'DEPRECATED';
      const uploadedAt = ago(d.daysAgo, 90);
      out.documents.push({
        id, ...scope, knowledgeBaseId: kb?.id ?? null, name: d.name, mimeType: d.mimeType, state: d.state,
        version: d.state === 'DEPRECATED' ? 2 : 1,
        chunks: ingested ? Math.max(1, Math.round(d.sizeKb / 6)) : 0,
        quality: ingested ? Math.round((0.8 + rand() * 0.18) * 100) / 100 : 0,
        sizeBytes: BigInt(d.sizeKb * 1024), uploadedAt,
      });
      const job = JOB_FOR_STATE[d.state];
      out.jobs.push({
        id: demoId('ingestion-job', id), ...scope, documentId: id, documentName: d.name, documentType: d.mimeType,
        status: job.status, percentage: job.percentage, summary: job.summary,
        startedAt: new Date(uploadedAt.getTime() + 60_000), endedAt: job.ended ? new Date(uploadedAt.getTime() + 6 * 60_000) : null,
      });
      return uploadedAt;
    };

    for (const kb of w.kbs ?? []) {
      const id = demoId('knowledge-base', natural(kb.name));
      const serverId = kb.server === undefined ? null : serverIds.get(kb.server);
      if (serverId === undefined) throw new Error(`demo plan: knowledge base ${kb.name} names server ${kb.server} outside its realm`);
      const times = kb.docs.map((d) => addDoc(d, { id, name: kb.name }));
      const lastUpdatedAt = new Date(Math.max(...times.map((t) => t.getTime())));
      out.knowledgeBases.push({ id, ...scope, serverId, name: kb.name, description: kb.description, documentCount: kb.docs.length, lastUpdatedAt });
    }
    for (const d of w.looseDocs ?? []) addDoc(d, null);

    for (const c of w.chats ?? []) {
      const id = demoId('chat-session', natural(c.title));
      const start = ago(c.daysAgo, 60);
      const at = (i: number) => new Date(start.getTime() + i * 60_000);
      c.messages.forEach(([role, content], i) => {
        out.chatMessages.push({ id: demoId('chat-message', `${id}#${i}`), organizationId: scope.organizationId, sessionId: id, userId: role === 'USER' ? scope.userId : null, role, content, tokens: Math.ceil(content.length / 4), createdAt: at(i) });
      });
      out.chatSessions.push({ id, ...scope, agentId: c.agent ? agentIdFor(c.agent) : null, title: c.title, lastMessageAt: at(c.messages.length - 1), createdAt: start });
    }

    for (const k of w.keys ?? []) {
      const id = demoId('api-key', natural(k.name));
      const secret = `rg_live_${randomBase62(40)}`;
      out.apiKeys.push({
        id, ...scope, name: k.name, description: `Demo ${k.type.toLowerCase()} key: its secret was discarded, so it cannot authenticate.`,
        prefix: secret.slice(0, 12),
        keyHash: crypto.createHmac('sha256', DEMO_KEY_PEPPER).update(secret).digest('hex'),
        type: k.type, scopes: k.scopes, maxTokens: k.maxTokens, rateLimitPerMinute: k.rateLimitPerMinute,
        allowedModelIds: (k.restrictToModels ?? []).map(modelIdFor),
        expiresAt: k.expiresInDays ? ago(-k.expiresInDays) : null,
        revokedAt: k.revoked ? ago(3) : null,
        createdById: scope.userId,
        createdAt: ago(91),
      });
      if (!k.revoked && scope.realmId) out.usageKeys.push({ id, userKey: w.user, orgKey, realmId: scope.realmId, models: k.restrictToModels ?? [] });
    }
  }
  return out;
}
