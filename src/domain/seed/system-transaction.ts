import type { Prisma, PrismaClient } from '@prisma/client';
import { SYSTEM_TENANT, inTenantTransaction } from '../../db/tenant-context.js';

/**
 * Runs `fn` in one transaction as the 'system' tenant. Tables FORCE row-level
 * security, so even the table owner sees no row without it; setting it inside
 * the transaction works on a plain client and on the tenant client alike.
 */
export function asSystem<T>(db: PrismaClient, fn: (tx: Prisma.TransactionClient) => Promise<T>, options?: { timeout?: number; maxWait?: number }): Promise<T> {
  return inTenantTransaction(db, SYSTEM_TENANT, fn, options);
}
