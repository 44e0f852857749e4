import { populator, type ActionContext, type BaseRecord } from 'adminjs';
import { when } from './screen-kit.js';
import { currentAdminRequest } from '../access/admin-request.js';

/**
 * How a record is named where it is mentioned by id (audit log, quota
 * subjects, migration items): words a person recognises, never a uuid or a
 * JavaScript date string. Records are read in batches by the caller; rules
 * that need a referenced record's name populate all of them at once.
 */
interface TitleRule {
  /** References to populate first (one query per referenced resource for the whole batch). */
  populate?: boolean;
  /** The columns `title` reads (and the references it populates) besides the id and the title property: a mention reads only these. */
  fields?: readonly string[];
  title(record: BaseRecord): string | null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;

/** A date as every list shows it ("2026-11-30 13:46", UTC); anything else as text. */
export function readableValue(v: unknown): string | null {
  if (v == null || v === '') return null;
  if (v instanceof Date) return when(v);
  if (typeof v === 'string' && ISO_DATE.test(v) && !Number.isNaN(Date.parse(v))) return when(new Date(v));
  return String(v);
}

const populatedTitle = (record: BaseRecord, path: string): string | null => {
  const ref = record.populated?.[path];
  return ref ? readableValue(ref.title()) : null;
};

const pair = (a: string | null, b: string | null) => (a && b ? `${a} / ${b}` : null);

const RULES: Record<string, TitleRule> = {
  RealmMigrationRun: { fields: ['startedAt'], title: (r) => readableValue(r.params.startedAt) },
  OrganizationModelAccess: { populate: true, fields: ['organizationId', 'modelId'], title: (r) => pair(populatedTitle(r, 'organization'), populatedTitle(r, 'model')) },
  UserModelLimit: { populate: true, fields: ['userId', 'modelId'], title: (r) => pair(populatedTitle(r, 'user'), populatedTitle(r, 'model')) },
  ApiKey: { fields: ['name', 'prefix'], title: (r) => (r.params.name ? `${String(r.params.name)}${r.params.prefix ? ` · ${String(r.params.prefix)}` : ''}` : null) },
  User: { fields: ['email'], title: (r) => (r.params.email ? String(r.params.email) : null) },
};

/** The columns a mention of a `resourceId` record reads besides its id and title property (its title rule's). */
export function mentionFields(resourceId: string): readonly string[] {
  return RULES[resourceId]?.fields ?? [];
}

/** Titles of `records` (all of one resource), by record id. */
export async function recordTitles(resourceId: string, records: BaseRecord[], context: ActionContext): Promise<Map<string, string>> {
  const rule = RULES[resourceId];
  if (rule?.populate && records.length) await populator(records, context);
  const titles = new Map<string, string>();
  for (const r of records) {
    const id = String(r.id());
    const own = rule?.title(r) ?? null;
    // The panel's title (the decorator's: a computed title such as a realm's and its owner's), not the adapter's guess.
    const fallback = readableValue(r.resource.decorate().titleOf(r));
    const title = own ?? (fallback && !UUID.test(fallback) ? fallback : null);
    if (title) titles.set(id, title);
  }
  return titles;
}

/**
 * Titles of every (resource, id) wanted, keyed `resource:id`: one findMany per
 * resource through that resource itself (the signed-in admin's scope; on a
 * read action's page, each reads only the columns that name it, all in one
 * round trip: RealmgateResource.findMany), so a page of rows costs a handful
 * of queries, not one per row. A record the viewer may not see, or that is
 * gone, gets no title. On a read action's request a title is read once
 * (AdminRequest.titles): a list handler may ask ahead, beside its reference
 * cells, for what its after hook names.
 */
export async function titlesOfWanted(wanted: Map<string, Set<string>>, context: ActionContext): Promise<Map<string, string>> {
  const titles = new Map<string, string>();
  const known = currentAdminRequest()?.titles;
  await Promise.all(
    [...wanted].map(async ([resourceId, ids]) => {
      const missing: string[] = [];
      for (const id of ids) {
        const key = `${resourceId}:${id}`;
        const title = known?.get(key);
        if (title === undefined) missing.push(id);
        else if (title !== null) titles.set(key, title);
      }
      if (!missing.length) return;
      let resource;
      try {
        resource = context._admin.findResource(resourceId);
      } catch {
        return; // not a resource of the panel
      }
      const found = await recordTitles(resourceId, await resource.findMany(missing, context), context);
      for (const id of missing) {
        const title = found.get(id);
        if (title) titles.set(`${resourceId}:${id}`, title);
        known?.set(`${resourceId}:${id}`, title ?? null);
      }
    }),
  );
  return titles;
}
