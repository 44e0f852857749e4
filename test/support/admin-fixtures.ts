import crypto from 'node:crypto';
import type { PrismaClient, User, UserRole } from '@prisma/client';
import type { ResourceName } from '../../src/domain/access/permissions.js';
import { createModel, createOrg, createUser } from './factories.js';

// Fixtures for the panel's permission tests, written as the database owner
// (row-level security does not apply to it): rows of every resource, owned by
// a given user, and the payloads the panel's forms would send.

export type Person = Pick<User, 'id' | 'email' | 'role' | 'organizationId'>;

export interface World {
  orgA: { id: string };
  orgB: { id: string };
  superadmin: Person;
  /** Org A's people; `peer` is another USER of org A. */
  admin: Person;
  user: Person;
  viewer: Person;
  peer: Person;
  /** Org B's people. */
  adminB: Person;
  userB: Person;
}

/** Marks every secret value fixtures store, so a response that leaks one is easy to spot. */
export const SECRET_MARK = 'S3CR3TMARK';

const s = () => crypto.randomBytes(4).toString('hex');

export async function createWorld(db: PrismaClient): Promise<World> {
  const orgA = await createOrg(db, { name: `Org A ${s()}`, type: 'MARKETING', pricingPlan: 'STARTER' });
  const orgB = await createOrg(db, { name: `Org B ${s()}`, type: 'SOFTWARE', pricingPlan: 'PRO' });
  return {
    orgA,
    orgB,
    superadmin: await createUser(db, null, 'SUPERADMIN'),
    admin: await createUser(db, orgA, 'ADMIN'),
    user: await createUser(db, orgA, 'USER'),
    viewer: await createUser(db, orgA, 'VIEWER'),
    peer: await createUser(db, orgA, 'USER'),
    adminB: await createUser(db, orgB, 'ADMIN'),
    userB: await createUser(db, orgB, 'USER'),
  };
}

export function personOf(world: World, role: UserRole): Person {
  return { SUPERADMIN: world.superadmin, ADMIN: world.admin, USER: world.user, VIEWER: world.viewer }[role];
}

/** An active realm of `owner` (a new one each call, so rows can be deleted freely). */
export async function realmOf(db: PrismaClient, owner: Person): Promise<string> {
  const realm = await db.realm.create({ data: { organizationId: owner.organizationId!, ownerId: owner.id, name: `Realm ${s()}` } });
  return realm.id;
}

/** A system model (no organization) every organization type and plan may use. */
export async function systemModel(db: PrismaClient, data: Parameters<typeof createModel>[1] = {}): Promise<string> {
  return (await createModel(db, { organizationId: null, ...data })).id;
}

/**
 * A new row of `resource` belonging to `owner` (their organization, and them
 * where the resource has an owner). Global resources ignore the owner. Users
 * and organizations are new ones too (victims for delete tests).
 */
export async function makeRow(db: PrismaClient, resource: ResourceName, owner: Person): Promise<string> {
  const org = owner.organizationId!;
  const base = { organizationId: org, userId: owner.id };
  switch (resource) {
    case 'Organization':
      return (await createOrg(db)).id;
    case 'User':
      return (await createUser(db, { id: org }, 'USER')).id;
    case 'Session': {
      const sid = `fixture-${s()}${s()}`;
      const sess = { cookie: { path: '/admin' }, adminUser: { id: owner.id, email: owner.email, role: owner.role, organizationId: owner.organizationId, title: 'x' }, client: { ip: '10.0.0.1', userAgent: 'fixture' } };
      await db.session.create({ data: { sid, sess, expire: new Date(Date.now() + 3_600_000) } });
      return sid;
    }
    case 'LoginThrottle':
      return (await db.loginThrottle.create({ data: { ip: `10.9.${crypto.randomInt(255)}.${crypto.randomInt(255)}-${s()}` } })).ip;
    case 'Realm':
      return realmOf(db, owner);
    case 'ApiKey':
      return (await db.apiKey.create({ data: { ...base, realmId: await realmOf(db, owner), name: `Key ${s()}`, prefix: `rg_${s()}`, keyHash: `${SECRET_MARK}${crypto.randomBytes(27).toString('hex')}` } })).id;
    case 'VectorServer':
      return (
        await db.vectorServer.create({
          data: { ...base, realmId: await realmOf(db, owner), name: `VS ${s()}`, type: 'QDRANT', host: 'localhost', port: 6333, passwordEncrypted: `${SECRET_MARK}-pw-${s()}`, apiKeyEncrypted: `${SECRET_MARK}-key-${s()}` },
        })
      ).id;
    case 'KnowledgeBase':
      return (await db.knowledgeBase.create({ data: { ...base, realmId: await realmOf(db, owner), name: `KB ${s()}` } })).id;
    case 'Document':
      return (await db.document.create({ data: { ...base, realmId: await realmOf(db, owner), name: `Doc ${s()}`, mimeType: 'text/plain' } })).id;
    case 'IngestionJob': {
      const documentId = await makeRow(db, 'Document', owner);
      return (await db.ingestionJob.create({ data: { ...base, realmId: await realmOf(db, owner), documentId, documentName: 'doc', documentType: 'text/plain' } })).id;
    }
    case 'ChatSession':
      return (await db.chatSession.create({ data: { ...base, realmId: await realmOf(db, owner), title: `Chat ${s()}` } })).id;
    case 'ChatMessage': {
      const sessionId = await makeRow(db, 'ChatSession', owner);
      return (await db.chatMessage.create({ data: { ...base, sessionId, role: 'USER', content: `Hello ${s()}` } })).id;
    }
    case 'AiModel':
      return (await createModel(db, { organizationId: org, providerApiKeyEncrypted: `${SECRET_MARK}-provider-${s()}` })).id;
    case 'OrganizationModelAccess':
      return (await db.organizationModelAccess.create({ data: { organizationId: org, modelId: await systemModel(db) } })).id;
    case 'UserModelLimit':
      return (await db.userModelLimit.create({ data: { ...base, modelId: await systemModel(db) } })).id;
    case 'QuotaCounter':
      return (
        await db.quotaCounter.create({
          data: { organizationId: org, subjectType: 'USER', subjectId: owner.id, metric: 'TOKENS', period: 'DAILY', periodStart: new Date(Date.UTC(2000, 0, 1) + crypto.randomInt(1_000_000) * 86_400_000) },
        })
      ).id;
    case 'UsageEvent':
      return (await db.usageEvent.create({ data: { ...base, totalTokens: 5 } })).id;
    case 'UsageDailyRollup':
      return (await db.usageDailyRollup.create({ data: { ...base, day: new Date(Date.UTC(2000, 0, 1) + crypto.randomInt(1_000_000) * 86_400_000) } })).id;
    case 'Agent':
      return (await db.agent.create({ data: { organizationId: org, key: `agent_${s()}`, name: `Agent ${s()}` } })).id;
    case 'Tool':
      return (await db.tool.create({ data: { key: `tool_${s()}`, name: `Tool ${s()}`, category: 'CORE' } })).id;
    case 'AuditLog':
      return (await db.auditLog.create({ data: { organizationId: org, actorId: owner.id, actorRole: owner.role, action: 'fixture.test', resource: 'Fixture', recordId: s() } })).id;
    case 'RealmMigrationRun':
      return (await db.realmMigrationRun.create({ data: { status: 'COMPLETED' } })).id;
    case 'RealmMigrationItem': {
      const runId = await makeRow(db, 'RealmMigrationRun', owner);
      return (await db.realmMigrationItem.create({ data: { runId, kind: 'DOCUMENT', rowId: crypto.randomUUID(), realmId: crypto.randomUUID() } })).id;
    }
    default:
      throw new Error(`No fixture for ${resource} here: resources added later are tested by their own test/resources/<name>.test.ts (see FIXTURE_RESOURCES)`);
  }
}

/**
 * The resources makeRow has fixtures for, which test/admin/permissions.test.ts
 * drives through every action; a resource added later (realmgate scaffold
 * resource) brings its own test/resources/<name>.test.ts instead, and the
 * completeness test requires one or the other.
 */
export const FIXTURE_RESOURCES: readonly ResourceName[] = [
  'Organization', 'User', 'Session', 'LoginThrottle', 'Realm', 'ApiKey', 'VectorServer', 'KnowledgeBase', 'Document', 'IngestionJob',
  'ChatSession', 'ChatMessage', 'AiModel', 'OrganizationModelAccess', 'UserModelLimit', 'QuotaCounter', 'UsageEvent', 'UsageDailyRollup',
  'Agent', 'Tool', 'AuditLog', 'RealmMigrationRun', 'RealmMigrationItem',
];

/** Resources whose rows belong to nobody: every fixture is the same kind of global row. */
export const GLOBAL_RESOURCES = new Set<ResourceName>(['Tool', 'LoginThrottle', 'RealmMigrationRun', 'RealmMigrationItem']);

/**
 * A form payload creating a row of `resource` that belongs to `owner`, as the
 * panel's "new" form would post it, and a marker to find the row by. A
 * superadmin names the organization and owner; others leave them to the server.
 */
export async function createPayload(db: PrismaClient, resource: ResourceName, actor: Person, owner: Person): Promise<{ fields: Record<string, unknown>; find: Record<string, unknown> } | null> {
  const mark = `p_${s()}`;
  const org = actor.role === 'SUPERADMIN' ? { organization: owner.organizationId } : {};
  const user = actor.role === 'USER' ? {} : { user: owner.id };
  switch (resource) {
    case 'Organization':
      // Type and plan are required: the form no longer lets them default silently (issue #10).
      return { fields: { name: mark, type: 'GENERAL', pricingPlan: 'FREE' }, find: { name: mark } };
    case 'User':
      return { fields: { username: mark, email: `${mark}@test.example`, password: 'a-long-enough-password', role: 'USER', ...org }, find: { username: mark } };
    case 'Realm':
      return { fields: { name: mark, ...org, ...(actor.role === 'USER' ? {} : { owner: owner.id }) }, find: { name: mark } };
    case 'ApiKey':
      return { fields: { name: mark, ...user }, find: { name: mark } };
    case 'VectorServer':
      return { fields: { name: mark, type: 'QDRANT', host: 'localhost', port: '6333', ...org, ...user }, find: { name: mark } };
    case 'KnowledgeBase':
      return { fields: { name: mark, ...org, ...user }, find: { name: mark } };
    case 'Document':
      return { fields: { name: mark, mimeType: 'text/plain', ...org, ...user }, find: { name: mark } };
    case 'IngestionJob':
      return { fields: { document: await makeRow(db, 'Document', owner), documentName: mark, documentType: 'text/plain', ...org, ...user }, find: { documentName: mark } };
    case 'ChatSession':
      return { fields: { title: mark, ...org, ...user }, find: { title: mark } };
    case 'ChatMessage':
      return { fields: { session: await makeRow(db, 'ChatSession', owner), role: 'USER', content: mark, ...org, ...user }, find: { content: mark } };
    case 'AiModel':
      return { fields: { name: mark, provider: 'openai', providerModelId: 'gpt-4o-mini', role: 'Assistant', ...org }, find: { name: mark } };
    case 'OrganizationModelAccess': {
      const modelId = await systemModel(db, { name: mark });
      return { fields: { model: modelId, ...org }, find: { modelId } };
    }
    case 'UserModelLimit': {
      const modelId = await systemModel(db, { name: mark });
      return { fields: { model: modelId, tokenLimit: '100', ...org, user: owner.id }, find: { modelId } };
    }
    case 'Agent':
      return { fields: { key: mark, name: mark, ...org }, find: { key: mark } };
    case 'Tool':
      return { fields: { key: mark, name: mark, category: 'CORE' }, find: { key: mark } };
    default:
      return null; // written by the system only
  }
}

/** One field a person with update rights changes, and the value they put there. */
export const EDIT_FIELD: Partial<Record<ResourceName, string>> = {
  Organization: 'description',
  User: 'displayName',
  Realm: 'description',
  ApiKey: 'description',
  VectorServer: 'name',
  KnowledgeBase: 'description',
  Document: 'name',
  IngestionJob: 'summary',
  ChatSession: 'title',
  ChatMessage: 'content',
  AiModel: 'description',
  OrganizationModelAccess: 'tokenLimitPerUser',
  UserModelLimit: 'tokenLimit',
  Agent: 'description',
  Tool: 'description',
};

export function editValue(resource: ResourceName): string {
  return ['OrganizationModelAccess', 'UserModelLimit'].includes(resource) ? String(1000 + crypto.randomInt(1000)) : `edited ${s()}`;
}

/** The owner client's delegate for `resource` (model name with a lower-case first letter). */
export function delegateOf(db: PrismaClient, resource: ResourceName): { findFirst(args: unknown): Promise<Record<string, any> | null>; count(args: unknown): Promise<number> } {
  return (db as unknown as Record<string, any>)[resource.charAt(0).toLowerCase() + resource.slice(1)];
}

/** The primary-key field AdminJS uses as record id. */
export function idFieldOf(resource: ResourceName): string {
  return resource === 'Session' ? 'sid' : resource === 'LoginThrottle' ? 'ip' : 'id';
}
