import { Resource, convertFilter, convertParam } from '@adminjs/prisma';
import { BaseRecord, ValidationError, type ActionContext, type Filter } from 'adminjs';
import type { PrismaClient } from '@prisma/client';
import type { Field, Model } from './dmmf.js';
import { SECRET_FIELDS, type Operation } from '../domain/access/permissions.js';
import { rowScope } from './auth/admin-access.js';
import { NUMERIC, parseJson, toNumber } from './form-values.js';
import { mapPrismaErrors, refuse } from './record-errors.js';

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
}

const SECRET_NAME = /(Hash|Encrypted)$/;

/** Hashes, ciphertexts and session blobs: never leave the server, never written from a request. */
export function isSecretField(modelName: string, fieldName: string): boolean {
  const listed = SECRET_FIELDS[modelName as keyof typeof SECRET_FIELDS] ?? [];
  return SECRET_NAME.test(fieldName) || listed.includes(fieldName);
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * @adminjs/prisma's Resource with what our schema needs:
 * - rows are scoped to the signed-in admin (see the query methods);
 * - secret columns are not properties at all, so list/show/edit/search/filter/
 *   populate never read them and no request can write them (only `writeSecrets`);
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

  constructor(args: RealmgateResourceArgs) {
    const { model, synthetic } = withUsableId(args.model);
    super({ ...args, model } as ConstructorParameters<typeof Resource>[0]);
    this.writeSecrets = args.writeSecrets;
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

  protected override prepareReturnValues(row: Record<string, any>): Record<string, any> {
    const out = super.prepareReturnValues(row);
    for (const [key, value] of Object.entries(out)) {
      if (typeof value === 'bigint') out[key] = value.toString();
      else if (Array.isArray(value) && value.some((v) => typeof v === 'bigint')) out[key] = value.map(String);
      else if (value != null && this.field(key)?.type === 'Json') out[key] = JSON.stringify(value, null, 2);
    }
    return out;
  }

  protected override prepareParams(params: Record<string, any>): Record<string, any> {
    const data = super.prepareParams(this.onlyEditable(params));
    for (const [key, value] of Object.entries(data)) {
      const field = this.field(key);
      if (!field || field.isUpdatedAt || isSecretField(this.model.name, key)) {
        delete data[key];
        continue;
      }
      // Emptied selects and inputs arrive as '': that is "no value" for anything but text.
      if (value === '' && (field.type !== 'String' || field.kind === 'enum' || field.nativeType?.[0] === 'Uuid')) {
        if (field.isRequired) throw new ValidationError({ [this.formPath(key)]: { message: 'Required' } });
        data[key] = null;
        continue;
      }
      if (value == null) continue;
      if (NUMERIC.has(field.type)) data[key] = toNumber(key, field.type, value);
      else if (field.type === 'Json') data[key] = parseJson(key, value);
    }
    return data;
  }

  // Every read and write is narrowed to the rows the signed-in admin may touch
  // (src/domain/access/scope.ts): "not yours" reads as "not found". AdminJS 7
  // passes the action context to each of these methods.

  override async count(filter: Filter, context?: ActionContext): Promise<number> {
    const where = this.scoped(context, 'read', this.buildWhere(filter));
    return where ? this.manager.count({ where }) : 0;
  }

  override async find(
    filter: Filter,
    params: { limit?: number; offset?: number; sort?: { sortBy?: string; direction?: 'asc' | 'desc' } } = {},
    context?: ActionContext,
  ): Promise<BaseRecord[]> {
    const where = this.scoped(context, 'read', this.buildWhere(filter));
    if (!where) return [];
    const { limit = 10, offset = 0, sort = {} } = params;
    // Sort only by a sortable property: never by a secret column or Json named in the URL.
    const sortable = sort.sortBy && this.property(sort.sortBy.split('.')[0]!)?.isSortable();
    const orderBy = this.buildSortBy(sortable ? sort : { direction: sort.direction });
    const rows: Record<string, any>[] = await this.manager.findMany({ where, skip: offset, take: limit, orderBy });
    return rows.map((row) => new BaseRecord(this.prepareReturnValues(row), this));
  }

  override async findOne(id: string | number, context?: ActionContext): Promise<BaseRecord | null> {
    const row = await this.findScoped(id, context, 'read');
    return row ? new BaseRecord(this.prepareReturnValues(row), this) : null;
  }

  override async findMany(ids: Array<string | number>, context?: ActionContext): Promise<BaseRecord[]> {
    const valid = ids.filter((id) => this.whereId(id) !== null);
    const where = this.scoped(context, 'read', { [this.idProperty.path()]: { in: valid.map((id) => convertParam(this.idProperty, this.model.fields, id)) } });
    if (!where || !valid.length) return [];
    const rows: Record<string, any>[] = await this.manager.findMany({ where });
    return rows.map((row) => new BaseRecord(this.prepareReturnValues(row), this));
  }

  override async create(params: Record<string, any>, context?: ActionContext): Promise<Record<string, any>> {
    if (!this.scoped(context, 'create', {})) throw refuse('Not allowed');
    const data = this.prepareParams(params);
    const secret = await this.writeSecrets?.(params, 'create');
    const row = await mapPrismaErrors(this.columnToPath, () => this.manager.create({ data: { ...data, ...secret?.data } }));
    return this.prepareReturnValues(row);
  }

  override async update(pk: string | number, params: Record<string, any> = {}, context?: ActionContext): Promise<Record<string, any>> {
    const where = await this.writableWhere(pk, context, 'update');
    const data = this.prepareParams(params);
    delete data[this.idProperty.path()];
    const secret = await this.writeSecrets?.(params, 'update');
    const row = await mapPrismaErrors(this.columnToPath, () => this.manager.update({ where, data: { ...data, ...secret?.data } }));
    return this.prepareReturnValues(row);
  }

  override async delete(pk: string | number, context?: ActionContext): Promise<void> {
    const where = await this.writableWhere(pk, context, 'delete');
    await mapPrismaErrors(this.columnToPath, () => this.manager.delete({ where }));
  }

  private scoped(context: ActionContext | undefined, op: Operation, where: Record<string, unknown>): Record<string, unknown> | null {
    const scope = rowScope(context?.currentAdmin, this.model.name, op);
    if (!scope) return null;
    return Object.keys(scope).length ? { AND: [where, scope] } : where;
  }

  private async findScoped(id: string | number, context: ActionContext | undefined, op: Operation): Promise<Record<string, any> | null> {
    const byId = this.whereId(id);
    const where = byId && this.scoped(context, op, byId);
    return where ? this.manager.findFirst({ where }) : null;
  }

  /** The unique where for a row the admin may change, or a refusal ("not found" when it is not theirs). */
  private async writableWhere(pk: string | number, context: ActionContext | undefined, op: Operation): Promise<Record<string, unknown>> {
    if (this.readOnlyKey) throw refuse(`${this.model.name} rows cannot be changed or deleted`);
    if (!(await this.findScoped(pk, context, op))) throw refuse('Record not found');
    return this.whereId(pk)!;
  }

  /** The adapter's filter, minus unknown, secret and Json paths, with numbers compared as numbers. */
  private buildWhere(filter: Filter): Record<string, unknown> {
    const kept = Object.entries(filter?.filters ?? {}).filter(([name, f]) => {
      const field = this.field(name);
      return !!f.property && !!field && field.type !== 'Json' && !isSecretField(this.model.name, name);
    });
    const where: Record<string, unknown> = convertFilter(this.model.fields, { filters: Object.fromEntries(kept) } as Filter);
    for (const [name, f] of kept) {
      const type = this.field(name)!.type;
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
   * in the UI only, and a crafted POST could otherwise set any column.
   */
  private onlyEditable(params: Record<string, any>): Record<string, any> {
    const decorated = this._decorated;
    if (!decorated) return params;
    return Object.fromEntries(
      Object.entries(params).filter(([key]) => {
        const prop = decorated.getPropertyByKey(key.split('.')[0]!);
        return !prop || (prop.isVisible('edit') && !prop.isDisabled());
      }),
    );
  }

  private readonly columnToPath = (dbColumn: string): string => {
    const field = this.model.fields.find((f) => (f.dbName ?? f.name) === dbColumn);
    return field ? this.formPath(field.name) : dbColumn;
  };

  /** The form's name for a column: the relation for a foreign key (organizationId -> organization). */
  private formPath(column: string): string {
    return this.model.fields.find((f) => f.kind === 'object' && f.relationFromFields?.[0] === column)?.name ?? column;
  }

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
