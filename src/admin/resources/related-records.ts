import type { PrismaClient } from '@prisma/client';
import type { ActionContext, ActionRequest, ActionResponse, PropertyOptions } from 'adminjs';
import { rowScope } from '../auth/admin-access.js';
import { Components } from '../components.js';
import type { AfterHook } from './resource-spec.js';
import { and, delegateOf, type Where } from './screen-kit.js';

const LIMIT = 10;

/** One table of records that belong to the shown record. */
export interface RelatedSection {
  title: string;
  /** Model name = AdminJS resource id = permission-matrix resource. */
  resource: string;
  /** The rows that belong to the record `id`. */
  where: (id: string) => Where;
  /** The list filter that shows all of them ("View all"), e.g. 'organization'. */
  filter?: string;
  columns: string[];
  select: Record<string, unknown>;
  orderBy?: unknown;
  /** Cells in column order; the first becomes the link to the row. */
  cells: (row: Record<string, any>) => string[];
  /** Rows shown dimmed (inactive, revoked...). */
  muted?: (row: Record<string, any>) => boolean;
}

/**
 * A `related` property for the show page and the after-hook that fills it.
 * Each section is read with the signed-in admin's row scope for that resource
 * (none = the section is left out) through the request's client, so
 * row-level security narrows it again: only in-scope rows are listed.
 */
export function relatedRecords(db: PrismaClient, sections: RelatedSection[]): { property: PropertyOptions; after: AfterHook } {
  const after = async (response: ActionResponse, _request: ActionRequest, context: ActionContext) => {
    const record = response.record as { id?: string; params: Record<string, unknown> } | undefined;
    if (!record?.id) return response;
    const id = String(record.id);
    const loaded = await Promise.all(
      sections.map(async (s) => {
        const scope = rowScope(context.currentAdmin, s.resource, 'read');
        if (!scope) return null;
        const where = and(scope, s.where(id));
        const delegate = delegateOf(db, s.resource);
        const [rows, total] = await Promise.all([
          delegate.findMany({ where, select: { ...s.select, id: true }, orderBy: s.orderBy, take: LIMIT }),
          delegate.count({ where }),
        ]);
        return {
          title: s.title,
          total,
          listHref: s.filter ? context.h.resourceUrl({ resourceId: s.resource, search: `?filters.${s.filter}=${encodeURIComponent(id)}` }) : undefined,
          columns: s.columns,
          rows: rows.map((r) => ({
            href: context.h.recordActionUrl({ resourceId: s.resource, recordId: String(r.id), actionName: 'show' }),
            cells: s.cells(r),
            muted: s.muted?.(r) ?? false,
          })),
        };
      }),
    );
    record.params.related = JSON.stringify(loaded.filter((s) => s !== null));
    return response;
  };
  return {
    property: { type: 'string', isVisible: { list: false, filter: false, show: true, edit: false }, components: { show: Components.RelatedRecords }, position: 10_000 },
    after,
  };
}
