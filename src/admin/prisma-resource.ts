import { Resource, convertFilter, convertParam } from '@adminjs/prisma';
import { flat, type ActionContext, type BaseRecord, type Filter } from 'adminjs';
import type { Prisma, PrismaClient } from '@prisma/client';
import type { Field, Model } from '../db/dmmf.js';
import { TENANCY_FIELDS, isSecretField, isSystemField, type Operation, type ResourceName } from '../domain/access/permissions.js';
import { scopeWhere } from '../domain/access/scope.js';
import { actorFromAdmin, rowScope } from './auth/admin-access.js';
import { currentAdminRequest, type UserActor } from './access/admin-request.js';
import { SafeRecord } from './access/safe-record.js';
import { checkDelete, checkedWriteData, lowerFirst } from '../domain/access/write-rules.js';
import { deleteBlockers, refuseReferencedDelete } from '../domain/access/delete-blockers.js';
import { loadDatamodel } from '../db/dmmf.js';
import { modelSql } from '../db/model-sql.js';
import type { SqlReader, SqlStatement } from '../db/tenant-sql-reads.js';
import { whereSql } from '../db/where-sql.js';
import { countedLabel, singularLabel } from './resources/labels.js';
import { sameValue } from '../domain/access/same-value.js';
import { writableParams } from '../domain/access/write-params.js';
import { recordPanelAudit } from './audit/panel-audit.js';
import { NUMERIC, parseJson, toNumber } from './form-values.js';
import { mapPrismaErrors, panelValidationError, refuse } from './record-errors.js';
import { COMPUTED_TITLES, RECORD_TITLE } from './record-titles.js';
import { mentionFields } from './resources/record-titles.js';
import { DISTRIBUTED_TABLES } from '../db/distributed-tables.js';
import { COUNT_CAP } from '../domain/usage-reports/ledger-cursor.js';

export { isSecretField };

/**
 * Computes columns a request may never set directly (password hashes) from
 * request params such as a virtual `password`.
 */
export type SecretWriter = (params: Record<string, unknown>, op: 'create' | 'update') => Promise<{ data?: Record<string, unknown> }>;

export interface RealmgateResourceArgs {
  model: Model;
  client: PrismaClient;
  clientModule?: unknown;
  writeSecrets?: SecretWriter;
  /** Plain SQL reads as the request's tenant (src/db/tenant-sql-reads.ts), for mentions of records on read pages. */
  reads?: SqlReader;
}

type Row = Record<string, any>;
type Delegate = {
  findFirst(args: unknown): Promise<Row | null>;
  findMany(args: unknown): Promise<Row[]>;
  count(args: unknown): Promise<number>;
  create(args: unknown): Promise<Row>;
  update(args: unknown): Promise<Row>;
  delete(args: unknown): Promise<Row>;
};

const MAX_PAGE = 500;

function wholeNumber(value: unknown, fallback: number, min: number, max: number): number {
  const n = Number(value);
  return Number.isFinite(n) ? Math.min(max, Math.max(min, Math.trunc(n))) : fallback;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * @adminjs/prisma's Resource with what our schema and our rules need:
 * - every read and write is narrowed to the signed-in admin's scope for that
 *   operation (src/domain/access): "not yours" reads as "not found";
 * - writes keep the field rules and the resource's zod schema
 *   (src/domain/access/write-rules.ts, resource-schemas.ts) and run in one
 *   transaction with their audit row (src/admin/audit/panel-audit.ts);
 * - secret columns are not properties at all, so list/show/edit/search/filter/
 *   populate never read them and no request can write them (only `writeSecrets`);
 *   records are SafeRecords, whose JSON drops secrets whatever was put in them;
 * - a compound primary key (usage_events: id + occurred_at) is served by `id`
 *   with findFirst, and such rows are read-only;
 * - numbers are converted here, not by AdminJS (its converter makes '' into 0,
 *   turning "unlimited" (null) into zero, and BigInt into an inexact Number): the
 *   raw property type is 'string', resources/index.ts shows a number input;
 *   BigInt goes out as a decimal string (JSON.stringify throws on bigint);
 * - Json goes out as pretty text and is parsed on save;
 * - scalar lists are arrays (the adapter never says so, which breaks edits);
 * - only properties the edit form shows are written (see onlyEditable);
 * - Prisma's known errors become AdminJS validation notices instead of 500s.
 */
export class RealmgateResource extends Resource {
  private readonly writeSecrets?: SecretWriter;
  private readonly readOnlyKey: boolean;
  private readonly reads?: SqlReader;

  constructor(args: RealmgateResourceArgs) {
    const { model, synthetic } = withUsableId(args.model);
    super({ ...args, model } as ConstructorParameters<typeof Resource>[0]);
    this.writeSecrets = args.writeSecrets;
    this.reads = args.reads;
    this.readOnlyKey = synthetic;
  }

  // Runs inside the parent constructor: may use this.model, not our own fields.
  protected override prepareProperties(): ReturnType<Resource['prepareProperties']> {
    const props = super.prepareProperties();
    for (const [path, prop] of Object.entries(props)) {
      const { column } = prop;
      if (isSecretField(this.model.name, column.name)) {
        delete props[path];
        continue;
      }
      if (column.kind !== 'object' && column.isList) prop.isArray = () => true;
      if (NUMERIC.has(column.type)) prop.type = () => 'string';
      if (column.type === 'Json') {
        prop.type = () => 'textarea';
        prop.isSortable = () => false;
      }
      if (column.isUpdatedAt) prop.isEditable = () => false;
    }
    return props;
  }

  /**
   * A Prisma row as record params: @adminjs/prisma's prepareReturnValues (a
   * column by its path, a relation by its foreign key column), without its
   * flat.get, which builds a regular expression for every property of every
   * row whose value is absent (14% of a list page's time). Prisma rows are
   * nested objects, never flattened keys, so an own property is all it found.
   */
  protected override prepareReturnValues(row: Record<string, any>): Record<string, any> {
    const out: Record<string, any> = {};
    for (const { path, reference, foreignColumn } of this.returnFields()) {
      const value = Object.hasOwn(row, path) ? row[path] : undefined;
      if (value !== undefined && !reference) out[path] = value;
      else if (foreignColumn) out[path] = row[foreignColumn];
    }
    for (const [key, value] of Object.entries(out)) {
      if (typeof value === 'bigint') out[key] = value.toString();
      else if (Array.isArray(value) && value.some((v) => typeof v === 'bigint')) out[key] = value.map(String);
      else if (value != null && this.field(key)?.type === 'Json') out[key] = JSON.stringify(value, null, 2);
    }
    return out;
  }

  private returnFieldsCache?: Array<{ path: string; reference: boolean; foreignColumn: string | undefined }>;

  /** What prepareReturnValues reads of each property, worked out once (properties are fixed at construction). */
  private returnFields() {
    return (this.returnFieldsCache ??= this.properties().map((p) => ({ path: p.path(), reference: p.type() === 'reference', foreignColumn: p.foreignColumnName() ?? undefined })));
  }

  /** Form values as Prisma data: '' is "no value" for anything but text; required fields are checked in write-rules. */
  protected override prepareParams(params: Record<string, any>): Record<string, any> {
    const data = super.prepareParams(this.onlyEditable(params));
    for (const [key, value] of Object.entries(data)) {
      const field = this.field(key);
      if (!field || field.isUpdatedAt || isSecretField(this.model.name, key)) {
        delete data[key];
        continue;
      }
      if (value === '' && (field.type !== 'String' || field.kind === 'enum' || field.nativeType?.[0] === 'Uuid')) {
        data[key] = null;
        continue;
      }
      if (value == null) continue;
      if (NUMERIC.has(field.type)) data[key] = toNumber(key, field.type, value);
      else if (field.type === 'Json') data[key] = parseJson(key, value);
    }
    return data;
  }

  override build(params: Record<string, any>): BaseRecord {
    return new SafeRecord(flat.unflatten(params), this);
  }

  // Reads. AdminJS 7 passes the action context to each of these methods.

  /**
   * A list's total. Tables that grow with traffic (DISTRIBUTED_TABLES: the
   * rollups, counters, chat messages; the ledger has its own list) are
   * counted no further than COUNT_CAP + 1 rows, as the ledger lists are: the
   * superadmin's first page of daily rollups counted all of them (1.45M rows
   * at ten million ledger rows, 260-670 ms a page). Past the cap the pages
   * stop at the 10,001st row; a filter narrows the rest.
   */
  override async count(filter: Filter, context?: ActionContext): Promise<number> {
    const where = this.scoped(context, 'read', this.buildWhere(filter));
    if (!where) return 0;
    if (!this.growsWithTraffic()) return this.manager.count({ where });
    // Prisma orders a count with `take` (by id unless told): the list's own order, or the primary key's, which an index serves.
    const sort = this.defaultSort();
    const orderBy = sort?.sortBy ? this.buildSortBy(sort) : (this.model.primaryKey?.fields ?? [this.idProperty.path()]).map((f) => ({ [f]: 'asc' }));
    return this.manager.count({ where, take: COUNT_CAP + 1, orderBy });
  }

  private growsWithTraffic(): boolean {
    return (DISTRIBUTED_TABLES as readonly string[]).includes(this.model.dbName ?? this.model.name);
  }

  /** The resource's own list order (its options.sort), when it has one. */
  private defaultSort(): { sortBy?: string; direction?: 'asc' | 'desc' } | undefined {
    return this.decoratedOrNone()?.options?.sort as { sortBy?: string; direction?: 'asc' | 'desc' } | undefined;
  }

  /** AdminJS's decorator of this resource (its options), or none before AdminJS has assigned one. */
  private decoratedOrNone(): ReturnType<Resource['decorate']> | undefined {
    try {
      return this.decorate();
    } catch {
      return undefined;
    }
  }

  override async find(
    filter: Filter,
    params: { limit?: number; offset?: number; sort?: { sortBy?: string; direction?: 'asc' | 'desc' } } = {},
    context?: ActionContext,
  ): Promise<BaseRecord[]> {
    const where = this.scoped(context, 'read', this.buildWhere(filter));
    if (!where) return [];
    // AdminJS passes query-string numbers through as text (search's perPage); never more than a page of MAX_PAGE.
    const limit = wholeNumber(params.limit, 10, 1, MAX_PAGE);
    const offset = wholeNumber(params.offset, 0, 0, Number.MAX_SAFE_INTEGER);
    const sort = params.sort ?? {};
    // Sort only by a sortable property: never by a secret column or Json named in the URL.
    // As the resource's options decorate it (a screen may switch sorting off), else as the column allows.
    const key = sort.sortBy?.split('.')[0];
    const decorated = key ? this.decoratedOrNone()?.getPropertyByKey(key) : undefined;
    const sortable = key && (decorated ?? this.property(key))?.isSortable();
    // Otherwise the resource's own order (its options.sort), which an index serves, else the id.
    const orderBy = this.buildSortBy(sortable ? sort : { sortBy: this.defaultSort()?.sortBy, direction: sort.direction });
    const rows: Row[] = await this.manager.findMany({ where, skip: offset, take: limit, orderBy });
    return this.titledRecords(rows);
  }

  override async findOne(id: string | number, context?: ActionContext): Promise<BaseRecord | null> {
    const found = await this.readScoped(id, context);
    if (!found) return null;
    return found.sql ? this.toRecord(found.row) : (await this.titledRecords([found.row]))[0]!;
  }

  override async findMany(ids: Array<string | number>, context?: ActionContext): Promise<BaseRecord[]> {
    // Read as a mention on another resource's read action page (a reference cell, a
    // title): with the page's other mentions (admin-request.ts). Only the columns
    // that name it, in plain SQL, all in one round trip; through Prisma in one
    // transaction when the admin's scope on it is not plain SQL.
    const batch = context?.resource !== this ? currentAdminRequest()?.referenceReads : undefined;
    if (batch && this.reads) {
      const how = this.titleStatement(ids, context, mentionFields(this.model.name));
      if (how === 'none') return [];
      if (how !== 'prisma') return (await batch.runSql(this.reads, how)).map((row) => this.toRecord(row));
    }
    const where = this.scopedIds(ids, context, 'read');
    if (!where) return [];
    if (batch) return batch.run(this.client as PrismaClient, async (client) => this.titledRecords(await this.delegate(client).findMany({ where }), client));
    const rows: Row[] = await this.manager.findMany({ where });
    return this.titledRecords(rows);
  }

  /** True when the signed-in admin may run `op` on the record `id`; false also when there is no such record. */
  async inScope(id: string | number, context: Pick<ActionContext, 'currentAdmin'> | undefined, op: Operation): Promise<boolean> {
    return !!(await (op === 'read' ? this.readScoped(id, context) : this.findScoped(id, context, op)));
  }

  /** How many of `ids` (distinct, well-formed) the signed-in admin may run `op` on, and how many were asked. */
  async countInScope(ids: Array<string | number>, context: Pick<ActionContext, 'currentAdmin'> | undefined, op: Operation): Promise<{ found: number; asked: number }> {
    const asked = new Set(ids.map(String)).size;
    const where = this.scopedIds(ids, context, op);
    return { found: where ? await this.manager.count({ where }) : 0, asked };
  }

  // Writes: one transaction each, with the audit row.

  override async create(params: Record<string, any>, context?: ActionContext): Promise<Record<string, any>> {
    const actor = this.actorFor(context, 'create');
    params = this.withUntickedBoxes(params);
    const allowed = this.panelErrors(() => writableParams(actor, this.model, params));
    const data = this.prepareParams(params);
    const secret = await this.writeSecrets?.(allowed, 'create');
    const row = await this.inTransaction(async (tx) => {
      const checked = await checkedWriteData({ tx, actor, model: this.model, op: 'create', data, current: null });
      const created = await this.delegate(tx).create({ data: { ...checked, ...secret?.data } });
      await this.assertInScope(tx, actor, 'create', created);
      await recordPanelAudit(tx, actor, { resource: this.model.name, action: 'create', recordId: this.idOf(created), after: created });
      return created;
    });
    return this.prepareReturnValues(row);
  }

  override async update(pk: string | number, params: Record<string, any> = {}, context?: ActionContext): Promise<Record<string, any>> {
    const actor = this.actorFor(context, 'update');
    if (this.readOnlyKey) throw refuse(`${this.model.name} rows cannot be changed or deleted`);
    const allowed = this.panelErrors(() => writableParams(actor, this.model, params));
    const data = this.prepareParams(params);
    delete data[this.idProperty.path()];
    const secret = await this.writeSecrets?.(allowed, 'update');
    const row = await this.inTransaction(async (tx) => {
      const current = await this.lockScoped(tx, actor, pk, 'update');
      const checked = await checkedWriteData({ tx, actor, model: this.model, op: 'update', data, current });
      const changes = Object.fromEntries(Object.entries({ ...checked, ...secret?.data }).filter(([k, v]) => !sameValue(v, current[k]) || !!secret?.data?.[k]));
      if (!Object.keys(changes).length) return current; // nothing changed: nothing to write or record
      const updated = await this.delegate(tx).update({ where: this.whereId(pk)!, data: changes });
      await this.assertInScope(tx, actor, 'update', updated);
      await recordPanelAudit(tx, actor, { resource: this.model.name, action: 'update', recordId: this.idOf(updated), before: current, after: updated });
      return updated;
    });
    return this.prepareReturnValues(row);
  }

  override async delete(pk: string | number, context?: ActionContext): Promise<void> {
    await this.deleteAll([pk], context, 'delete');
  }

  /** Deletes every one of `ids` or none: one transaction, one audit row per record. */
  async deleteAll(ids: Array<string | number>, context: ActionContext | undefined, action: 'delete' | 'bulk-delete'): Promise<void> {
    const actor = this.actorFor(context, 'delete');
    if (this.readOnlyKey) throw refuse(`${this.model.name} rows cannot be changed or deleted`);
    await this.inTransaction(async (tx) => {
      for (const pk of new Set(ids.map(String))) {
        const current = await this.lockScoped(tx, actor, pk, 'delete');
        const refusal = checkDelete(actor, this.model.name, current);
        if (refusal) throw refuse(refusal);
        // Say which records still refer to it, rather than the database's "violates foreign key".
        refuseReferencedDelete(await deleteBlockers(tx, loadDatamodel(), this.model.name, pk), {
          label: singularLabel(this.model.name),
          canDeactivate: this.model.fields.some((f) => f.name === 'isActive' || f.name === 'status'),
          words: countedLabel,
        });
        await this.delegate(tx).delete({ where: this.whereId(pk)! });
        await recordPanelAudit(tx, actor, { resource: this.model.name, action, recordId: this.idOf(current), before: current });
      }
    });
  }

  /**
   * Does a scope admit this record, as far as its params tell? For showing
   * only the buttons that will work: true/false for a flat equality scope
   * ({ organizationId, userId }), undefined for anything richer. Never a
   * security decision: the queries above make those.
   */
  admits(record: BaseRecord, where: Record<string, unknown> | null): boolean | undefined {
    if (!where) return false;
    let known = true;
    for (const [column, value] of Object.entries(where)) {
      if (value !== null && typeof value === 'object') {
        known = false;
        continue;
      }
      const param = record.params[column] ?? record.params[this.formPath(column)];
      if (param !== undefined && String(param ?? '') !== String(value ?? '')) return false;
      if (param === undefined) known = false;
    }
    return known ? true : undefined;
  }

  /** The client audit rows of custom actions go through (the request's tenant applies). */
  auditClient(): PrismaClient {
    return this.client as PrismaClient;
  }

  /**
   * Id and title of each of `ids` the signed-in admin may read, as records
   * holding those two values only, read on `client` (the caller's transaction):
   * what a list's reference cells show, in one two-column query per resource.
   */
  async titleRecords(client: Prisma.TransactionClient | PrismaClient, ids: Array<string | number>, context: Pick<ActionContext, 'currentAdmin'> | undefined): Promise<BaseRecord[]> {
    const where = this.scopedIds(ids, context, 'read');
    if (!where) return [];
    const rows = await this.delegate(client).findMany({ where, select: Object.fromEntries(this.titleFields().map((f) => [f, true])) });
    return rows.map((row) => this.record(row));
  }

  /**
   * titleRecords as one SQL statement, for reads in one round trip (the
   * ledger lists' references, findMany's mentions: TenantSqlReads; turn its
   * rows into records with toRecord), with
   * `alsoFields` beside the id and title (what a title rule reads) and a
   * computed title's related names (record-titles.ts): 'none'
   * when the admin may read none of `ids`, 'prisma' when this admin's scope on
   * this resource is not one whereSql can write (a relation: a USER's own
   * models, through their organization's access and their own limits), to be
   * read with titleRecords instead.
   */
  titleStatement(ids: Array<string | number>, context: Pick<ActionContext, 'currentAdmin'> | undefined, alsoFields: readonly string[] = []): SqlStatement | 'none' | 'prisma' {
    const computed = COMPUTED_TITLES[this.model.name]?.sql;
    const fields = [...new Set([...this.titleFields(), ...(computed?.fields ?? []), ...alsoFields.filter((f) => !isSecretField(this.model.name, f))])];
    const { columns, select } = modelSql(this.model.name);
    if (fields.some((f) => !columns[f])) return 'prisma';
    return this.scopedSelect(this.scopedIds(ids, context, 'read'), select(fields));
  }

  /** `SELECT <list>` and a computed title's related names from this resource's rows matching `where`, or 'prisma' when whereSql cannot write it. */
  private scopedSelect(where: Record<string, unknown> | null, list: string): SqlStatement | 'none' | 'prisma' {
    if (!where) return 'none';
    const { table, columns } = modelSql(this.model.name);
    const values: unknown[] = [];
    let condition: string;
    try {
      condition = whereSql(where, columns, values);
    } catch {
      return 'prisma';
    }
    const related = Object.entries(COMPUTED_TITLES[this.model.name]?.sql.related ?? {}).map(([name, expression]) => `, ${expression} AS "${name}"`).join('');
    return { text: `SELECT ${list}${related} FROM "${table}" WHERE ${condition}`, values };
  }

  /** What a reference cell shows of a record: its id and, unless it is secret or a relation, its title field. */
  private titleFields(): string[] {
    const idPath = this.idProperty.path();
    const titleName = this._decorated?.titleProperty().name() ?? idPath;
    const title = this.field(titleName);
    return title && titleName !== idPath && title.kind !== 'object' && !isSecretField(this.model.name, titleName) ? [idPath, titleName] : [idPath];
  }

  /** A row read in plain SQL (the ledger lists' keyset pages, titleStatement's mentions) as this resource's record, with its computed title if it has one. */
  toRecord(row: Row): BaseRecord {
    return this.record(row, COMPUTED_TITLES[this.model.name]?.sql.title(row));
  }

  private record(row: Row, title?: string): BaseRecord {
    const params = this.prepareReturnValues(row);
    if (title !== undefined) params[RECORD_TITLE] = title;
    return new SafeRecord(params, this);
  }

  /** Records with their computed title (record-titles.ts), the related names read once for the whole page (on `client`, the caller's transaction if any). */
  private async titledRecords(rows: Row[], client: Prisma.TransactionClient | PrismaClient = this.client as PrismaClient): Promise<BaseRecord[]> {
    const computed = COMPUTED_TITLES[this.model.name];
    const titles = computed && rows.length ? await computed.load(client as PrismaClient, rows) : undefined;
    return rows.map((row) => this.record(row, titles?.get(this.idOf(row))));
  }

  /** The acting admin, when the matrix lets them run `op` on this resource at all. */
  private actorFor(context: Pick<ActionContext, 'currentAdmin'> | undefined, op: Operation): UserActor {
    const actor = actorFromAdmin(context?.currentAdmin);
    if (!actor || !scopeWhere(actor, this.model.name as ResourceName, op)) throw refuse('Not allowed');
    return actor;
  }

  private inTransaction<T>(fn: (tx: Prisma.TransactionClient) => Promise<T>): Promise<T> {
    // The tenant client sets the request's tenant at the start of the transaction (src/db/tenant-context.ts).
    return mapPrismaErrors(this.columnToPath, () => this.client.$transaction(fn), this.formPath);
  }

  /** Domain field errors thrown outside a transaction, as the panel shows them. */
  private panelErrors<T>(fn: () => T): T {
    try {
      return fn();
    } catch (e) {
      throw panelValidationError(e, this.formPath) ?? e;
    }
  }

  /**
   * An unticked checkbox of the new form sends nothing; left out, the column's
   * default (often true) would be saved instead of what the form showed.
   */
  private withUntickedBoxes(params: Record<string, any>): Record<string, any> {
    const decorated = this._decorated;
    if (!decorated) return params;
    const out = { ...params };
    for (const prop of decorated.getProperties({ where: 'edit' })) {
      const path = prop.propertyPath;
      if (prop.type() === 'boolean' && !prop.isDisabled() && !(path in out)) out[path] = false;
    }
    return out;
  }

  private delegate(tx: Prisma.TransactionClient | PrismaClient): Delegate {
    return (tx as unknown as Record<string, Delegate>)[lowerFirst(this.model.name)]!;
  }

  /**
   * The row `pk` within the actor's scope for `op`, or a refusal reading "not
   * found". For an update the row is locked first, so the field rules and the
   * audit's "before" see what the update replaces.
   */
  private async lockScoped(tx: Prisma.TransactionClient, actor: UserActor, pk: string | number, op: Operation): Promise<Row> {
    const byId = this.whereId(pk);
    const scope = scopeWhere(actor, this.model.name as ResourceName, op);
    if (!byId || !scope) throw refuse('Record not found');
    if (op === 'update') {
      const idField = this.field(this.idProperty.path())!;
      const cast = idField.nativeType?.[0] === 'Uuid' ? '::uuid' : '';
      await tx.$executeRawUnsafe(`SELECT 1 FROM "${this.model.dbName ?? this.model.name}" WHERE "${idField.dbName ?? idField.name}" = $1${cast} FOR UPDATE`, String(pk));
    }
    const row = await this.delegate(tx).findFirst({ where: { AND: [byId, scope] } });
    if (!row) throw refuse('Record not found');
    return row;
  }

  /** After a write the row must still be one the actor may `op`: nobody writes a row out of their own reach. */
  private async assertInScope(tx: Prisma.TransactionClient, actor: UserActor, op: Operation, row: Row): Promise<void> {
    const scope = scopeWhere(actor, this.model.name as ResourceName, op);
    if (scope && !Object.keys(scope).length) return;
    const byId = this.whereId(this.idOf(row));
    const found = scope && byId ? await this.delegate(tx).count({ where: { AND: [byId, scope] } }) : 0;
    if (!found) throw refuse('You may not save a record outside your organization or ownership');
  }

  private idOf(row: Row): string {
    return String(row[this.idProperty.path()]);
  }

  private scoped(context: Pick<ActionContext, 'currentAdmin'> | undefined, op: Operation, where: Record<string, unknown>): Record<string, unknown> | null {
    const scope = rowScope(context?.currentAdmin, this.model.name, op);
    if (!scope) return null;
    return Object.keys(scope).length ? { AND: [where, scope] } : where;
  }

  private scopedIds(ids: Array<string | number>, context: Pick<ActionContext, 'currentAdmin'> | undefined, op: Operation): Record<string, unknown> | null {
    const valid = [...new Set(ids.map(String))].filter((id) => this.whereId(id) !== null);
    if (!valid.length) return null;
    return this.scoped(context, op, { [this.idProperty.path()]: { in: valid.map((id) => convertParam(this.idProperty, this.model.fields, id)) } });
  }

  private findScoped(id: string | number, context: Pick<ActionContext, 'currentAdmin'> | undefined, op: Operation): Promise<Row | null> {
    const byId = this.whereId(id);
    const where = byId && this.scoped(context, op, byId);
    return where ? this.manager.findFirst({ where }) : Promise.resolve(null);
  }

  /**
   * The record `id` as the signed-in admin may read it. A read action's
   * request reads it once (admin-request.ts: scopedReads): the guard's scope
   * check, AdminJS's findOne and the action's own check share the read. In a
   * request it is plain SQL when whereSql can write the admin's scope: one
   * message (BEGIN READ ONLY, the tenant's settings, the row with its computed
   * title's related names, COMMIT), each value as Prisma reads it
   * (selectAsPrisma: test/model-sql-parity.test.ts). Through Prisma a
   * tenant's read was four round trips (BEGIN, set_config, SELECT, COMMIT)
   * and Prisma's query compiler, and a computed title one more statement.
   */
  private readScoped(id: string | number, context: Pick<ActionContext, 'currentAdmin'> | undefined): Promise<{ row: Row; sql: boolean } | null> {
    const cache = currentAdminRequest()?.scopedReads as Map<string, Promise<{ row: Row; sql: boolean } | null>> | undefined;
    if (!cache) return this.findScoped(id, context, 'read').then((row) => row && { row, sql: false });
    const key = `${this.model.name}\u0000${String(id)}`;
    let found = cache.get(key);
    if (!found) {
      found = this.readScopedOnce(id, context);
      cache.set(key, found);
      found.catch(() => cache.delete(key));
    }
    return found;
  }

  private async readScopedOnce(id: string | number, context: Pick<ActionContext, 'currentAdmin'> | undefined): Promise<{ row: Row; sql: boolean } | null> {
    const byId = this.whereId(id);
    const statement = this.reads ? this.scopedSelect(byId && this.scoped(context, 'read', byId), modelSql(this.model.name).selectAsPrisma()) : 'prisma';
    if (statement === 'none') return null;
    if (statement === 'prisma') {
      const row = await this.findScoped(id, context, 'read');
      return row && { row, sql: false };
    }
    const [rows] = await this.reads!.read([statement]);
    return rows?.[0] ? { row: rows[0] as Row, sql: true } : null;
  }

  /** The adapter's filter, minus unknown, secret and Json paths, with numbers compared as numbers. */
  private buildWhere(filter: Filter): Record<string, unknown> {
    const where = this.buildColumnWhere(filter);
    // What was typed into a reference select searches the computed title's parts (record-titles.ts).
    const title = filter?.filters?.[RECORD_TITLE]?.value;
    const computed = COMPUTED_TITLES[this.model.name];
    if (!computed || typeof title !== 'string' || !title.trim()) return where;
    return { AND: [where, computed.search(title)] };
  }

  private buildColumnWhere(filter: Filter): Record<string, unknown> {
    const kept = Object.entries(filter?.filters ?? {}).filter(([name, f]) => {
      const field = this.field(name);
      return !!f.property && !!field && field.type !== 'Json' && !isSecretField(this.model.name, name);
    });
    const where: Record<string, unknown> = convertFilter(this.model.fields, { filters: Object.fromEntries(kept) } as Filter);
    for (const [name, f] of kept) {
      const type = this.field(name)!.type;
      // Text matches ignore case: typing "acme" in a filter or a reference
      // dropdown (the search action) finds "Acme Corp".
      const match = where[name] as { contains?: unknown } | undefined;
      if (type === 'String' && match && typeof match === 'object' && 'contains' in match) where[name] = { ...match, mode: 'insensitive' };
      if (!NUMERIC.has(type)) continue;
      try {
        where[name] = toNumber(name, type, f.value);
      } catch {
        delete where[name];
      }
    }
    return where;
  }

  /**
   * What the form does not offer, the server does not take: AdminJS hides fields
   * in the UI only, and a crafted POST could otherwise set any column. System
   * and tenancy fields stay, hidden or not, for write-rules to refuse a change.
   */
  private onlyEditable(params: Record<string, any>): Record<string, any> {
    const decorated = this._decorated;
    if (!decorated) return params;
    return Object.fromEntries(
      Object.entries(params).filter(([key]) => {
        const root = key.split('.')[0]!;
        const prop = decorated.getPropertyByKey(root);
        // The static option: a field read-only for this role (read-only-fields.ts) still goes on, for the write rules to refuse a change.
        if (!prop || (prop.isVisible('edit') && !prop.options.isDisabled)) return true;
        const field = this.field(root);
        const column = field?.kind === 'object' ? field.relationFromFields?.[0] : field?.name;
        return !!column && (isSystemField(this.model.name, column) || TENANCY_FIELDS.includes(column));
      }),
    );
  }

  private readonly columnToPath = (dbColumn: string): string => {
    const field = this.model.fields.find((f) => (f.dbName ?? f.name) === dbColumn);
    return field ? this.formPath(field.name) : dbColumn;
  };

  /** The form's name for a column: the relation for a foreign key (organizationId -> organization). */
  private readonly formPath = (column: string): string =>
    this.model.fields.find((f) => f.kind === 'object' && f.relationFromFields?.[0] === column)?.name ?? column;

  private field(name: string): Field | undefined {
    return this.model.fields.find((f) => f.name === name);
  }

  private whereId(id: string | number): Record<string, unknown> | null {
    const idField = this.field(this.idProperty.path());
    if (idField?.nativeType?.[0] === 'Uuid' && !UUID.test(String(id))) return null;
    return { [this.idProperty.path()]: convertParam(this.idProperty, this.model.fields, id) };
  }
}

/** A model with a compound primary key that includes `id` gets `id` as AdminJS's id. */
function withUsableId(model: Model): { model: Model; synthetic: boolean } {
  if (model.fields.some((f) => f.isId)) return { model, synthetic: false };
  if (!model.primaryKey?.fields.includes('id')) {
    throw new Error(`Model ${model.name} has neither an @id field nor an "id" in its compound primary key: AdminJS needs one`);
  }
  const fields = model.fields.map((f) => (f.name === 'id' ? { ...f, isId: true } : f));
  return { model: { ...model, fields }, synthetic: true };
}
