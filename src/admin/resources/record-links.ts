import type { ActionContext, ActionRequest, ActionResponse, RecordJSON } from 'adminjs';
import type { AfterHook } from './resource-spec.js';
import { titlesOfWanted } from './record-titles.js';

/** Where a property of a record points: a resource (model name) and a record id. */
export type LinkTarget = { resource: string; id: string } | null;

/**
 * An after-hook for list and show that turns ids which are not foreign keys
 * (audit log record ids, quota counter subjects) into links titled like the
 * target. Targets are read through the target resource's own findMany, i.e.
 * with the signed-in admin's scope: a record they may not see stays an id.
 * Writes `<path>Link` = JSON { href, title } for the RecordLink component.
 */
export function linkRecords(targets: Record<string, (params: Record<string, any>) => LinkTarget>): AfterHook {
  return async (response: ActionResponse, _request: ActionRequest, context: ActionContext) => {
    const records = [...((response.records as RecordJSON[] | undefined) ?? []), ...(response.record ? [response.record as RecordJSON] : [])];
    if (!records.length) return response;
    const wanted = new Map<string, Set<string>>();
    const links: { record: RecordJSON; path: string; target: { resource: string; id: string } }[] = [];
    for (const record of records) {
      for (const [path, pick] of Object.entries(targets)) {
        const target = pick(record.params ?? {});
        if (!target?.id) continue;
        links.push({ record, path, target });
        if (!wanted.has(target.resource)) wanted.set(target.resource, new Set());
        wanted.get(target.resource)!.add(target.id);
      }
    }
    const titles = await titlesOfWanted(wanted, context);
    for (const { record, path, target } of links) {
      const title = titles.get(`${target.resource}:${target.id}`);
      if (title === undefined) continue;
      const href = context.h.recordActionUrl({ resourceId: target.resource, recordId: target.id, actionName: 'show' });
      record.params[`${path}Link`] = JSON.stringify({ href, title });
    }
    return response;
  };
}
