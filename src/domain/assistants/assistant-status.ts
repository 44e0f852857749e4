import type { PrismaClient } from '@prisma/client';
import { scopeWhere } from '../access/scope.js';
import type { Actor } from '../shared/actor.js';
import { inActorTransaction } from '../shared/actor-transaction.js';
import { AppError } from '../shared/app-error.js';

type Health = 'HEALTHY' | 'DEGRADED' | 'DOWN' | 'UNKNOWN';

/** Seed 002's status: agents and tools the caller may see, counted by health; overall is the worst of the active ones. */
export async function assistantStatus(db: PrismaClient, actor: Actor) {
  const agentWhere = scopeWhere(actor, 'Agent', 'read');
  const toolWhere = scopeWhere(actor, 'Tool', 'read');
  if (!agentWhere || !toolWhere) throw new AppError('FORBIDDEN', 'You may not read agents and tools');
  const [agents, tools] = await inActorTransaction(db, actor, async (tx) => [
    await tx.agent.groupBy({ by: ['status'], where: { AND: [agentWhere, { isActive: true }] }, _count: { _all: true } }),
    await tx.tool.groupBy({ by: ['status'], where: { AND: [toolWhere, { isEnabled: true }] }, _count: { _all: true } }),
  ]);
  const tally = (rows: { status: string; _count: { _all: number } }[]) => {
    const out: Record<Health, number> = { HEALTHY: 0, DEGRADED: 0, DOWN: 0, UNKNOWN: 0 };
    for (const r of rows) out[r.status as Health] = r._count._all;
    return out;
  };
  const a = tally(agents);
  const t = tally(tools);
  const overall: Health = a.DOWN + t.DOWN > 0 ? 'DOWN' : a.DEGRADED + t.DEGRADED > 0 ? 'DEGRADED' : 'HEALTHY';
  return { overall, agents: a, tools: t, checkedAt: new Date() };
}
