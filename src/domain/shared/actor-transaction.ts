import type { Prisma, PrismaClient } from '@prisma/client';
import { inTenantTransaction, tenantFromActor } from '../../db/tenant-context.js';
import type { Actor } from './actor.js';

export type Tx = Prisma.TransactionClient;

/**
 * Runs `fn` in one transaction whose row-level-security tenant is `actor`'s,
 * on a plain or a tenant client alike. Multi-step writes go through here so
 * they commit or roll back as one.
 */
export function inActorTransaction<T>(
  db: PrismaClient,
  actor: Actor,
  fn: (tx: Tx) => Promise<T>,
  options?: { timeout?: number; maxWait?: number; isolationLevel?: Prisma.TransactionIsolationLevel },
): Promise<T> {
  return inTenantTransaction(db, tenantFromActor(actor), fn, options);
}
