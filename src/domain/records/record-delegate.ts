import type { ResourceName } from '../access/permissions.js';
import type { Tx } from '../shared/actor-transaction.js';
import { lowerFirst } from './datamodel.js';

type Args = Record<string, unknown>;
/** The few Prisma delegate methods the generic record functions use. */
export interface RecordDelegate {
  findMany(args: Args): Promise<Record<string, unknown>[]>;
  findFirst(args: Args): Promise<Record<string, unknown> | null>;
  create(args: Args): Promise<Record<string, unknown>>;
  update(args: Args): Promise<Record<string, unknown>>;
  delete(args: Args): Promise<Record<string, unknown>>;
  count(args: Args): Promise<number>;
}

export function delegateOf(tx: Tx, resource: ResourceName): RecordDelegate {
  return (tx as unknown as Record<string, RecordDelegate>)[lowerFirst(resource)]!;
}
