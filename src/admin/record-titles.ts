import type { PrismaClient } from '@prisma/client';

/**
 * Record titles made of more than one column, for models whose own name does
 * not tell one record from another (most realms are called "Default"). The
 * panel shows a record by its title wherever it is a reference (list cells,
 * show pages, reference selects and filters, page headings): RealmgateResource
 * puts the title into RECORD_TITLE for every page of rows it reads, with one
 * query per page for the related names (never one per row), and the resource's
 * titleProperty is RECORD_TITLE (resources/index.ts).
 */
export const RECORD_TITLE = 'recordTitle';

type Row = Record<string, any>;
type Where = Record<string, unknown>;

export interface ComputedTitle {
  /** The titles of `rows` by id; related names read in one query each. */
  load(db: PrismaClient, rows: Row[]): Promise<Map<string, string>>;
  /** The rows whose title contains each part of what was typed into a reference select. */
  search(text: string): Where;
  /**
   * The same title from one SQL statement (a mention on a read page:
   * RealmgateResource.titleStatement): the model's own fields it reads, the
   * related names as subqueries correlated on the model's table (read under
   * the same row-level security), and the title of such a row.
   */
  sql: { fields: readonly string[]; related: Record<string, string>; title(row: Row): string };
}

const contains = (text: string) => ({ contains: text, mode: 'insensitive' as const });
const ids = (rows: Row[], column: string) => [...new Set(rows.map((r) => r[column]).filter((v): v is string => typeof v === 'string'))];
const parts = (text: string, separator: string) => text.split(separator).map((p) => p.trim()).filter(Boolean);
const byId = <T extends { id: string }>(list: T[]) => new Map(list.map((x) => [x.id, x]));
const nameOf = (table: string, column: string, fk: string) => `(SELECT "${column}" FROM "${table}" WHERE "id" = ${fk})`;

/** "Default · bob.user@acme.example": a realm's name and its owner's email. */
export const REALM_TITLE_SEPARATOR = ' · ';

const realmTitle = (r: Row) => (r.ownerEmail ? `${r.name}${REALM_TITLE_SEPARATOR}${r.ownerEmail}` : String(r.name));
const accessTitle = (r: Row) => `${r.organizationName ?? 'Organization'} / ${r.modelName ?? 'AI model'}`;
const limitTitle = (r: Row) => `${r.userEmail ?? 'User'} / ${r.modelName ?? 'AI model'}`;

export const COMPUTED_TITLES: Record<string, ComputedTitle> = {
  Realm: {
    async load(db, rows) {
      const owners = byId(await db.user.findMany({ where: { id: { in: ids(rows, 'ownerId') } }, select: { id: true, email: true } }));
      return new Map(rows.map((r) => [String(r.id), realmTitle({ name: r.name, ownerEmail: owners.get(r.ownerId)?.email })]));
    },
    search: (text) => ({ AND: parts(text, REALM_TITLE_SEPARATOR.trim()).map((p) => ({ OR: [{ name: contains(p) }, { owner: { email: contains(p) } }] })) }),
    sql: { fields: ['name'], related: { ownerEmail: nameOf('users', 'email', '"realms"."owner_id"') }, title: realmTitle },
  },
  OrganizationModelAccess: {
    async load(db, rows) {
      const [orgs, models] = await Promise.all([
        db.organization.findMany({ where: { id: { in: ids(rows, 'organizationId') } }, select: { id: true, name: true } }),
        db.aiModel.findMany({ where: { id: { in: ids(rows, 'modelId') } }, select: { id: true, name: true } }),
      ]);
      const o = byId(orgs);
      const m = byId(models);
      return new Map(rows.map((r) => [String(r.id), accessTitle({ organizationName: o.get(r.organizationId)?.name, modelName: m.get(r.modelId)?.name })]));
    },
    search: (text) => ({ AND: parts(text, '/').map((p) => ({ OR: [{ organization: { name: contains(p) } }, { model: { name: contains(p) } }] })) }),
    sql: {
      fields: [],
      related: { organizationName: nameOf('organizations', 'name', '"organization_model_access"."organization_id"'), modelName: nameOf('ai_models', 'name', '"organization_model_access"."model_id"') },
      title: accessTitle,
    },
  },
  UserModelLimit: {
    async load(db, rows) {
      const [users, models] = await Promise.all([
        db.user.findMany({ where: { id: { in: ids(rows, 'userId') } }, select: { id: true, email: true } }),
        db.aiModel.findMany({ where: { id: { in: ids(rows, 'modelId') } }, select: { id: true, name: true } }),
      ]);
      const u = byId(users);
      const m = byId(models);
      return new Map(rows.map((r) => [String(r.id), limitTitle({ userEmail: u.get(r.userId)?.email, modelName: m.get(r.modelId)?.name })]));
    },
    search: (text) => ({ AND: parts(text, '/').map((p) => ({ OR: [{ user: { email: contains(p) } }, { model: { name: contains(p) } }] })) }),
    sql: {
      fields: [],
      related: { userEmail: nameOf('users', 'email', '"user_model_limits"."user_id"'), modelName: nameOf('ai_models', 'name', '"user_model_limits"."model_id"') },
      title: limitTitle,
    },
  },
};
