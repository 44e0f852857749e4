import { z } from '../zod.js';

/** Error envelope, as errors.ts writes it. */
export const errorEnvelopeSchema = z
  .object({
    error: z.object({
      code: z.string().openapi({ example: 'NOT_FOUND', description: 'One of the codes of the error table (src/domain/shared/app-error.ts), or INTERNAL.' }),
      message: z.string().openapi({ example: 'Realm not found' }),
      details: z.record(z.unknown()).optional().openapi({ description: 'For INVALID: the field and every issue; for 429: the limit, what is left, retryAfterSeconds.' }),
    }),
  })
  .openapi('Error');

export const uuid = z.string().uuid();
export const isoDateTime = z.string().datetime({ offset: true }).openapi({ example: '2026-01-31T12:00:00.000Z' });

/** `{ id }` path parameter. */
export const idParams = z.object({ id: uuid.openapi({ param: { name: 'id', in: 'path' }, example: '3f2504e0-4f89-41d3-9a0c-0305e82c3301' }) });

export const MAX_PAGE_SIZE = 100;

/** `limit` (1..100, default 25) and `cursor` (opaque, from a previous answer's nextCursor). */
export const pageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).default(25).openapi({ description: `Page size, at most ${MAX_PAGE_SIZE}.`, example: 25 }),
  cursor: z.string().max(512).optional().openapi({ description: 'Opaque cursor: the nextCursor of the previous page.' }),
});

/** A page of `item`: `{ items, nextCursor }`, nextCursor null on the last page. */
export function pageOf<T extends z.ZodTypeAny>(item: T, name: string) {
  return z
    .object({
      items: z.array(item),
      nextCursor: z.string().nullable().openapi({ description: 'Pass as ?cursor= for the next page; null on the last page.' }),
    })
    .openapi(name);
}
