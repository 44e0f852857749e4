import type { Prisma, PrismaClient } from '@prisma/client';
import { hashPassword } from '../auth/password.js';
import type { Actor } from '../shared/actor.js';
import { AppError } from '../shared/app-error.js';
import { generatePassword } from './deterministic-id.js';
import { DEMO_AGENT_KEYS, agentId, agentRows, toolRows } from './demo-assistants.js';
import { DEMO_MODELS, modelId, modelRows } from './demo-models.js';
import { buildRealmData } from './demo-realm-data.js';
import { DEMO_ORGS, DEMO_USERS, accessRows, orgId, orgRows, userId, userLimitRows, userRows } from './demo-tenants.js';
import { buildCountersFromLedger } from '../quotas/reconcile-quotas.js';
import { USAGE_DAYS, insertUsage, planUsage } from './demo-usage.js';
import { demoDataComplete } from './demo-seed-complete.js';
import { ensureSuperadmin } from './ensure-superadmin.js';
import { asSystem } from './system-transaction.js';

export interface SeedDemoInput {
  adminEmail: string;
  adminPassword?: string;
  demoPassword?: string;
  withDemoData: boolean;
}

export interface SeedDemoResult {
  adminEmail: string;
  /** only when generated in this call (first run), so it can be shown once */
  adminPassword?: string;
  /** only when generated in this call (first run), so it can be shown once */
  demoPassword?: string;
}

// Serializes concurrent seeders (two instances starting at once); any constant
// other than the migration runner's.
const SEED_LOCK_SQL = 'SELECT pg_advisory_xact_lock(727274002)';

/** Ensures the superadmin and (optionally) the demo data set exist without ever changing an existing row: a second run is a no-op. */
export async function seedDemo(db: PrismaClient, actor: Actor, input: SeedDemoInput): Promise<SeedDemoResult> {
  if (actor.kind !== 'system') throw new AppError('FORBIDDEN', 'Only the system actor may seed the database');

  const admin = await ensureSuperadmin(db, input);
  if (!input.withDemoData) return admin;
  const demoPassword = await seedDemoData(db, input.demoPassword);
  return { ...admin, ...(demoPassword ? { demoPassword } : {}) };
}

/** Returns the demo password only when it was generated here and used for at least one new user. */
async function seedDemoData(db: PrismaClient, givenPassword: string | undefined): Promise<string | undefined> {
  // Every start seeds: when nothing is missing, one query says so and the inserts below would all be no-ops.
  if (await demoDataComplete(db)) return undefined;
  const existing = await asSystem(db, async (tx) => {
    await refuseForeignNaturalKeys(tx);
    return new Set((await tx.user.findMany({ where: { id: { in: DEMO_USERS.map((u) => userId(u.key)) } }, select: { id: true } })).map((u) => u.id));
  });

  // Hash outside the transaction (~90 ms each, in parallel on libuv's pool), and
  // only for demo users that do not exist yet: existing hashes are never redone.
  const missing = DEMO_USERS.filter((u) => !existing.has(userId(u.key)));
  const generated = missing.length && !givenPassword ? generatePassword() : undefined;
  const password = givenPassword ?? generated;
  const hashes = new Map(await Promise.all(missing.map(async (u) => [u.key, await hashPassword(password!)] as const)));

  const now = new Date();
  const usersCreated = await asSystem(
    db,
    async (tx) => {
      await tx.$executeRawUnsafe(SEED_LOCK_SQL);

      const modelIdFor = await ensureModels(tx);
      await tx.organization.createMany({ data: orgRows(), skipDuplicates: true });
      const { count } = await tx.user.createMany({ data: userRows(hashes, now), skipDuplicates: true });
      await tx.organizationModelAccess.createMany({ data: accessRows(modelIdFor, now), skipDuplicates: true });
      await tx.userModelLimit.createMany({ data: userLimitRows(modelIdFor), skipDuplicates: true });

      await tx.tool.createMany({ data: toolRows(), skipDuplicates: true });
      await tx.agent.createMany({ data: agentRows({ model: modelIdFor, org: orgId }, agentId), skipDuplicates: true });
      const agentIds = new Map((await tx.agent.findMany({ where: { key: { in: DEMO_AGENT_KEYS } }, select: { id: true, key: true } })).map((a) => [a.key, a.id]));
      const agentIdFor = (key: string) => agentIds.get(key) ?? agentId(key);

      const data = buildRealmData(now, agentIdFor, modelIdFor);
      // The ledger is append-only and "90 days ending today" moves with the date:
      // seed usage only into an empty ledger, or a later run would add rows.
      const hasUsage = await tx.usageEvent.findFirst({ where: { organizationId: { in: DEMO_ORGS.map((o) => orgId(o.key)) } }, select: { id: true } });
      const usage = hasUsage ? null : planUsage(now, modelIdFor, data.usageKeys);
      if (usage) for (const k of data.apiKeys) k.lastUsedAt = usage.lastUsed.get(k.id!) ?? null;

      await tx.realm.createMany({ data: data.realms, skipDuplicates: true });
      await tx.vectorServer.createMany({ data: data.servers, skipDuplicates: true });
      await tx.knowledgeBase.createMany({ data: data.knowledgeBases, skipDuplicates: true });
      await tx.document.createMany({ data: data.documents, skipDuplicates: true });
      await tx.ingestionJob.createMany({ data: data.jobs, skipDuplicates: true });
      await tx.chatSession.createMany({ data: data.chatSessions, skipDuplicates: true });
      await tx.chatMessage.createMany({ data: data.chatMessages, skipDuplicates: true });
      await tx.apiKey.createMany({ data: data.apiKeys, skipDuplicates: true });
      if (usage) {
        await insertUsage(tx, usage);
        // Counters from the ledger, every slot and period the seeded usage touches: quota panels and the ledger agree.
        await buildCountersFromLedger(tx, { from: new Date(now.getTime() - USAGE_DAYS * 86_400_000), organizationIds: DEMO_ORGS.map((o) => orgId(o.key)) });
      }
      return count;
    },
    { maxWait: 30_000, timeout: 120_000 },
  );
  return generated && usersCreated > 0 ? generated : undefined;
}

/**
 * System models have no unique name (organization_id is NULL), so look them up by
 * name first and reuse an existing one rather than adding a twin. Returns key → id.
 */
async function ensureModels(tx: Prisma.TransactionClient): Promise<(key: string) => string> {
  const found = await tx.aiModel.findMany({ where: { organizationId: null, name: { in: DEMO_MODELS.map((m) => m.name) } }, select: { id: true, name: true }, orderBy: { createdAt: 'asc' } });
  const byName = new Map<string, string>();
  for (const m of found) if (!byName.has(m.name)) byName.set(m.name, m.id);
  const rows = modelRows().filter((r) => !byName.has(r.name));
  if (rows.length) await tx.aiModel.createMany({ data: rows, skipDuplicates: true });
  const ids = new Map(DEMO_MODELS.map((m) => [m.key, byName.get(m.name) ?? modelId(m.key)]));
  return (key) => {
    const id = ids.get(key);
    if (!id) throw new Error(`unknown demo model ${key}`);
    return id;
  };
}

/**
 * A demo org or user whose name, email or username already belongs to another row
 * would be skipped silently and leave the demo data pointing at nothing: say so.
 */
async function refuseForeignNaturalKeys(db: Prisma.TransactionClient): Promise<void> {
  const orgs = await db.organization.findMany({
    where: { name: { in: DEMO_ORGS.map((o) => o.name) }, id: { notIn: DEMO_ORGS.map((o) => orgId(o.key)) } },
    select: { name: true },
  });
  const users = await db.user.findMany({
    where: { OR: [{ email: { in: DEMO_USERS.map((u) => u.email) } }, { username: { in: DEMO_USERS.map((u) => u.username) } }], id: { notIn: DEMO_USERS.map((u) => userId(u.key)) } },
    select: { email: true },
  });
  const taken = [...orgs.map((o) => `organization "${o.name}"`), ...users.map((u) => `user ${u.email}`)];
  if (taken.length) {
    throw new AppError('CONFLICT', `Cannot seed the demo data: ${taken.join(', ')} already exist(s) outside the demo set. Rename them or set SEED_DEMO=false.`, { taken });
  }
}
