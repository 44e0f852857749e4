import { Filter, flat, populator, type ActionContext, type ActionRequest, type ListActionResponse } from 'adminjs';
import { recordsJson } from './record-json.js';

const PER_PAGE_LIMIT = 500;

/**
 * The list action of every resource but the ledgers: AdminJS's own
 * (adminjs/lib/backend/actions/list/list-action.js: filters, sort, page, total,
 * references populated in one query per referenced resource) answering with
 * recordsJson's records.
 */
export async function listHandler(request: ActionRequest, _response: unknown, context: ActionContext): Promise<ListActionResponse> {
  const query = flat.unflatten(request.query ?? {}) as { sortBy?: string; direction?: string; filters?: Record<string, unknown>; page?: string; perPage?: string };
  const { resource, _admin } = context;
  const perPage = query.perPage ? Math.min(+query.perPage, PER_PAGE_LIMIT) : (_admin.options.settings?.defaultPerPage ?? 10);
  const page = Number(query.page) || 1;
  const decorated = resource.decorate();
  const first = decorated.getListProperties().find((p) => p.isSortable());
  const defaults: { sortBy?: string; direction?: string } = decorated.options.sort ?? {};
  const sort = first
    ? { sortBy: query.sortBy || defaults.sortBy || first.name(), direction: ((query.direction || defaults.direction || 'asc') === 'asc' ? 'asc' : 'desc') as 'asc' | 'desc' }
    : undefined;
  const filter = await new Filter(query.filters ?? {}, resource).populate(context);
  const records = await populator(await resource.find(filter, { limit: perPage, offset: (page - 1) * perPage, sort }, context), context);
  context.records = records;
  const total = await resource.count(filter, context);
  return { meta: { total, perPage, page, direction: sort?.direction as 'asc' | 'desc', sortBy: sort?.sortBy as string }, records: recordsJson(records, context) };
}
