import { populator, type ActionContext, type BaseRecord, type BaseResource } from 'adminjs';
import type { SqlReader, SqlStatement } from '../../db/tenant-sql-reads.js';
import type { RealmgateResource } from '../prisma-resource.js';
import { COMPUTED_TITLES } from '../record-titles.js';
import { when } from './screen-kit.js';

/**
 * How a record is named where it is mentioned by id (audit log, quota
 * subjects, migration items): words a person recognises, never a uuid or a
 * JavaScript date string. Records are read in batches by the caller; rules
 * that need a referenced record's name populate all of them at once.
 */
interface TitleRule {
  /** References to populate first (one query per referenced resource for the whole batch). */
  populate?: boolean;
  /** The columns `title` reads besides the id and the title property (so they can be read alone, in SQL). */
  fields?: readonly string[];
  title(record: BaseRecord): string | null;
}

type TitleSource = Pick<RealmgateResource, 'titleStatement' | 'toRecord'>;

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
  OrganizationModelAccess: { populate: true, title: (r) => pair(populatedTitle(r, 'organization'), populatedTitle(r, 'model')) },
  UserModelLimit: { populate: true, title: (r) => pair(populatedTitle(r, 'user'), populatedTitle(r, 'model')) },
  ApiKey: { fields: ['name', 'prefix'], title: (r) => (r.params.name ? `${String(r.params.name)}${r.params.prefix ? ` · ${String(r.params.prefix)}` : ''}` : null) },
  User: { fields: ['email'], title: (r) => (r.params.email ? String(r.params.email) : null) },
};

/** Titles of `records` (all of one resource), by record id. */
export async function recordTitles(resourceId: string, records: BaseRecord[], context: ActionContext): Promise<Map<string, string>> {
  const rule = RULES[resourceId];
  if (rule?.populate && records.length) await populator(records, context);
  const titles = new Map<string, string>();
  for (const r of records) {
    const id = String(r.id());
    const own = rule?.title(r) ?? null;
    const fallback = readableValue(r.title());
    const title = own ?? (fallback && !UUID.test(fallback) ? fallback : null);
    if (title) titles.set(id, title);
  }
  return titles;
}

/**
 * Titles of every (resource, id) wanted, keyed `resource:id`, each read with
 * the signed-in admin's scope on that resource, so a record they may not see
 * (or one that is gone) gets no title. With `reads`, every resource whose
 * title is its own columns is read in ONE round trip of plain SQL (its id,
 * title property and the rule's `fields`: never a whole row); the others
 * (titles made of related records' names, scopes SQL cannot express) through
 * the resource's own findMany, one query per resource for the whole page.
 */
export async function titlesOfWanted(wanted: Map<string, Set<string>>, context: ActionContext, reads?: SqlReader): Promise<Map<string, string>> {
  const titles = new Map<string, string>();
  const bySql: { resourceId: string; target: TitleSource; statement: SqlStatement }[] = [];
  const byFindMany: { resourceId: string; resource: BaseResource; ids: string[] }[] = [];
  for (const [resourceId, idSet] of wanted) {
    let resource: BaseResource;
    try {
      resource = context._admin.findResource(resourceId);
    } catch {
      continue; // not a resource of the panel
    }
    const ids = [...idSet];
    const rule = RULES[resourceId];
    const target = resource as unknown as Partial<TitleSource>;
    const how = reads && !rule?.populate && !COMPUTED_TITLES[resourceId] && typeof target.titleStatement === 'function' ? target.titleStatement(ids, context, rule?.fields) : 'prisma';
    if (how === 'none') continue;
    if (how === 'prisma') byFindMany.push({ resourceId, resource, ids });
    else bySql.push({ resourceId, target: target as TitleSource, statement: how });
  }
  const [sqlRows, found] = await Promise.all([
    bySql.length ? reads!.read(bySql.map((b) => b.statement)) : [],
    Promise.all(byFindMany.map((b) => b.resource.findMany(b.ids, context))),
  ]);
  const add = async (resourceId: string, records: BaseRecord[]) => {
    for (const [id, title] of await recordTitles(resourceId, records, context)) titles.set(`${resourceId}:${id}`, title);
  };
  await Promise.all([
    ...bySql.map((b, i) => add(b.resourceId, sqlRows[i]!.map((row) => b.target.toRecord(row)))),
    ...byFindMany.map((b, i) => add(b.resourceId, found[i]!)),
  ]);
  return titles;
}
