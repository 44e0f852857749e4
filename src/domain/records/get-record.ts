import type { PrismaClient } from '@prisma/client';
import { scopeWhere } from '../access/scope.js';
import type { ResourceName } from '../access/permissions.js';
import type { Actor } from '../shared/actor.js';
import { inActorTransaction } from '../shared/actor-transaction.js';
import { AppError } from '../shared/app-error.js';
import { delegateOf } from './record-delegate.js';
import { safeRecord } from './safe-record.js';

/** One row the actor may read; NOT_FOUND for rows that do not exist and rows outside the actor's scope alike. */
export async function getRecord(db: PrismaClient, actor: Actor, resource: ResourceName, id: string): Promise<Record<string, unknown>> {
  const scope = scopeWhere(actor, resource, 'read');
  const row = scope ? await inActorTransaction(db, actor, (tx) => delegateOf(tx, resource).findFirst({ where: { AND: [{ id }, scope] } })) : null;
  if (!row) throw new AppError('NOT_FOUND', `${resource} not found`);
  return safeRecord(resource, row);
}
