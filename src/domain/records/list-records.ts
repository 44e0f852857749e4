import type { PrismaClient } from '@prisma/client';
import { scopeWhere, type Where } from '../access/scope.js';
import type { ResourceName } from '../access/permissions.js';
import type { Actor } from '../shared/actor.js';
import { inActorTransaction } from '../shared/actor-transaction.js';
import { AppError } from '../shared/app-error.js';
import { modelOf } from './datamodel.js';
import { decodeCursor, encodeCursor } from './record-cursor.js';
import { delegateOf } from './record-delegate.js';
import { safeRecord } from './safe-record.js';

export interface ListRecordsInput {
  limit: number;
  cursor?: string;
  /** Extra conditions (filters from the query string), ANDed with the actor's scope. */
  filter?: Where;
  /** Newest first (default) or oldest first, by creation time then id. */
  order?: 'asc' | 'desc';
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/**
 * One page of the rows of `resource` the actor may read (the permission
 * matrix's scope, and row-level security under it), keyset-paginated on
 * (createdAt, id): pages never skip or repeat rows while others insert.
 */
export async function listRecords(db: PrismaClient, actor: Actor, resource: ResourceName, input: ListRecordsInput): Promise<Page<Record<string, unknown>>> {
  const scope = scopeWhere(actor, resource, 'read');
  if (!scope) throw new AppError('FORBIDDEN', `You may not list ${resource} records`);
  const hasCreatedAt = modelOf(resource).fields.some((f) => f.name === 'createdAt');
  const order = input.order ?? 'desc';
  const cmp = order === 'desc' ? 'lt' : 'gt';
  const and: Where[] = [scope, input.filter ?? {}];
  if (input.cursor) {
    const pos = decodeCursor(input.cursor);
    if (hasCreatedAt && pos.at) and.push({ OR: [{ createdAt: { [cmp]: new Date(pos.at) } }, { createdAt: new Date(pos.at), id: { [cmp]: pos.id } }] });
    else and.push({ id: { [cmp]: pos.id } });
  }
  const orderBy = hasCreatedAt ? [{ createdAt: order }, { id: order }] : [{ id: order }];
  const rows = await inActorTransaction(db, actor, (tx) => delegateOf(tx, resource).findMany({ where: { AND: and }, orderBy, take: input.limit + 1 }));
  const items = rows.slice(0, input.limit);
  const last = items[items.length - 1];
  const nextCursor =
    rows.length > input.limit && last ? encodeCursor({ at: hasCreatedAt ? (last.createdAt as Date).toISOString() : null, id: String(last.id) }) : null;
  return { items: items.map((r) => safeRecord(resource, r)), nextCursor };
}
