import type { UserRole } from '@prisma/client';
import type { DMMF } from '@prisma/client/runtime/library.js';
import { ensureRealmForNewRow } from '../realms/ensure-realm-for-new-row.js';
import type { Tx } from '../shared/actor-transaction.js';
import type { UserActor } from '../shared/actor.js';
import { isAppError } from '../shared/app-error.js';
import { fieldErrorsOf, invalidFields, type FieldErrors } from '../shared/field-errors.js';
import { ASSIGNABLE_ROLES, RESOURCES, TENANCY_FIELDS, isSystemField, isWritableField, type ResourceName } from './permissions.js';
import { validateResourceData } from './resource-schemas.js';
import { sameValue } from './same-value.js';
import { actorOwnedFields, scopeWhere } from './scope.js';
import { TENANCY } from './tenancy.js';

type Row = Record<string, unknown>;
type Model = DMMF.Model;
type Field = DMMF.Field;

export interface WriteCheck {
  tx: Tx;
  actor: UserActor;
  /** The resource's model from the full datamodel (src/generated/dmmf.json). */
  model: Model;
  op: 'create' | 'update';
  /** Column-keyed values, numbers, BigInt and dates already converted from text (or JSON). */
  data: Row;
  /** The row before an update (read inside `tx`, within the actor's update scope). */
  current: Row | null;
}

// Scalar lists of ids that point at rows of another resource, checked like relations.
const ID_LISTS: Partial<Record<ResourceName, Record<string, ResourceName>>> = { ApiKey: { allowedModelIds: 'AiModel' } };

// New rows of these land in a realm (ApiKey too, but its "new" goes through issueApiKey).
const REALM_SCOPED = new Set<string>(['ApiKey', 'VectorServer', 'KnowledgeBase', 'Document', 'IngestionJob', 'ChatSession']);

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const isResource = (name: string): name is ResourceName => (RESOURCES as readonly string[]).includes(name);

/**
 * The values a person may write, or an INVALID AppError whose details.fields
 * names each field (by column) they may not, or whose value the resource's
 * schema refuses (resource-schemas.ts): the matrix's field rules (WRITABLE_FIELDS, system and secret fields),
 * tenancy keys and owners from the actor, roles they may assign, references
 * (relations, id lists, realms) within what they can see. A field they may not
 * write is accepted only with the value it would have anyway (the form sends the
 * whole record back), and then dropped.
 */
export async function checkedWriteData(check: WriteCheck): Promise<Row> {
  const { actor, model, op, current } = check;
  const resource = model.name as ResourceName;
  const errors: FieldErrors = {};
  const fail = (column: string, message: string) => (errors[column] ??= message);
  const fields = new Map(model.fields.map((f) => [f.name, f]));
  const owned = Object.fromEntries(Object.entries(actorOwnedFields(actor, resource, op) ?? {}).filter(([k]) => fields.get(k)?.kind !== 'object' && fields.has(k)));

  const data: Row = {};
  for (const [key, value] of Object.entries(check.data)) {
    const field = fields.get(key);
    if (!field || field.kind === 'object') continue;
    const chosen = isWritableField(actor.role, resource, key) && !(key in owned) && !(op === 'update' && TENANCY_FIELDS.includes(key));
    if (chosen) {
      data[key] = value;
      continue;
    }
    const baseline = op === 'update' ? current?.[key] : owned[key];
    if (baseline === undefined && isEmpty(value)) continue;
    if (sameValue(value, baseline)) continue;
    if (TENANCY_FIELDS.includes(key)) fail(key, op === 'update' ? 'A record cannot move to another organization' : 'Must be your own organization');
    else if (key in owned) fail(key, 'Must be yourself');
    else fail(key, 'You may not change this field');
  }
  if (op === 'create') for (const [key, value] of Object.entries(owned)) if (key !== 'id') data[key] = value;

  if (Object.keys(errors).length) throw invalidFields(errors);
  // The schema judges what this write sets: on update, the values that change (an old row's untouched fields stay editable around them).
  const toCheck = op === 'create' ? data : Object.fromEntries(Object.entries(data).filter(([k, v]) => !sameValue(v, current?.[k])));
  try {
    Object.assign(data, validateResourceData(resource, op, toCheck));
  } catch (e) {
    const fields = fieldErrorsOf(e);
    if (!fields) throw e;
    for (const [k, m] of Object.entries(fields)) fail(k, m);
  }
  if (resource === 'User') checkUserRole(actor, data, current, fail);
  checkRequired(model, op, data, fail);
  if (Object.keys(errors).length) throw invalidFields(errors);

  const changed = (key: string) => key in data && (op === 'create' || !sameValue(data[key], current?.[key]));
  if ((REALM_SCOPED.has(resource) || TENANCY[resource] === 'realm') && fields.has('realmId')) await placeInRealm(check, data, changed, fail);
  await checkReferences(check, data, changed, fail);
  if (Object.keys(errors).length) throw invalidFields(errors);
  return data;
}

/** Refuses deleting what the actor may not remove even within scope: themselves, or a user of a rank they cannot assign. */
export function checkDelete(actor: UserActor, resource: string, row: Row): string | null {
  if (resource !== 'User') return null;
  if (row.id === actor.userId) return 'You cannot delete yourself';
  if (!ASSIGNABLE_ROLES[actor.role].includes(row.role as UserRole)) return `You cannot delete a ${String(row.role).toLowerCase()}`;
  return null;
}

function checkUserRole(actor: UserActor, data: Row, current: Row | null, fail: (column: string, message: string) => void): void {
  const assignable = ASSIGNABLE_ROLES[actor.role];
  const self = current?.id === actor.userId;
  // Someone else's row: only of a rank the actor could give (never a superadmin for an ADMIN).
  if (current && !self && !assignable.includes(current.role as UserRole)) fail('role', `You cannot change a ${String(current.role).toLowerCase()}`);
  const role = (data.role ?? current?.role ?? 'USER') as UserRole;
  if (current && 'role' in data && data.role !== current.role) {
    if (self) fail('role', 'You cannot change your own role');
    else if (!assignable.includes(role)) fail('role', 'You may not assign this role');
  }
  if (!current && !assignable.includes(role)) fail('role', 'You may not assign this role');
  // Superadmins are platform staff with no organization; everyone else belongs to one.
  const orgId = 'organizationId' in data ? data.organizationId : current?.organizationId;
  if (role === 'SUPERADMIN' && orgId) fail('organizationId', 'Superadmins belong to no organization');
  if (role !== 'SUPERADMIN' && !orgId) fail('organizationId', 'Required for this role');
}

/** Required columns: on create, given (unless the database has a default); on update, not emptied. */
function checkRequired(model: Model, op: 'create' | 'update', data: Row, fail: (column: string, message: string) => void): void {
  for (const f of model.fields) {
    if (f.kind === 'object' || !f.isRequired || f.isList || isSystemField(model.name, f.name)) continue;
    const v = data[f.name];
    const emptied = v === null || (v === '' && f.type !== 'String');
    if (op === 'update' ? emptied : emptied || (v === undefined && !f.hasDefaultValue)) fail(f.name, 'Required');
  }
}

/** New rows go to a realm: the given one if it is the owner's (or organization's) active realm, else the owner's default. */
async function placeInRealm(check: WriteCheck, data: Row, changed: (key: string) => boolean, fail: (column: string, message: string) => void): Promise<void> {
  const { op, current } = check;
  if (op === 'update' && !changed('realmId') && !changed('userId')) return;
  const realmId = (changed('realmId') ? data.realmId : current?.realmId) as string | null | undefined;
  if (op === 'update' && !realmId && current?.realmId) return void fail('realmId', 'A realm is required');
  const ownerId = ((op === 'create' || 'userId' in data ? data.userId : current?.userId) ?? undefined) as string | undefined;
  const organizationId = (data.organizationId ?? current?.organizationId) as string | undefined;
  if (op === 'update' && !realmId) return; // a row from before realms: the realm migration places it
  try {
    const realm = await ensureRealmForNewRow(check.tx, check.actor, { ownerId, organizationId, realmId: realmId ?? undefined });
    if (organizationId && realm.organizationId !== organizationId) return void fail(ownerId ? 'userId' : 'realmId', 'Belongs to another organization');
    data.realmId = realm.id;
  } catch (e) {
    if (!isAppError(e)) throw e;
    const field = typeof e.details?.field === 'string' ? e.details.field : 'realmId';
    fail(field, e.message);
  }
}

/** Every id a write points at must be one the actor can see: what the reference dropdowns offer, and nothing else. */
async function checkReferences(check: WriteCheck, data: Row, changed: (key: string) => boolean, fail: (column: string, message: string) => void): Promise<void> {
  const { actor, model, tx } = check;
  const refs: Array<{ column: string; target: string; key: string; ids: unknown[] }> = [];
  for (const f of model.fields as Field[]) {
    const column = f.relationFromFields?.[0];
    if (f.kind !== 'object' || !column || column === 'realmId' || !changed(column) || data[column] == null) continue;
    refs.push({ column, target: f.type, key: f.relationToFields?.[0] ?? 'id', ids: [data[column]] });
  }
  for (const [column, target] of Object.entries(ID_LISTS[model.name as ResourceName] ?? {})) {
    if (changed(column) && Array.isArray(data[column]) && (data[column] as unknown[]).length) refs.push({ column, target, key: 'id', ids: data[column] as unknown[] });
  }
  for (const ref of refs) {
    if (!isResource(ref.target)) continue;
    const where = scopeWhere(actor, ref.target, 'read');
    if (where && !Object.keys(where).length) continue; // 'all': the foreign key checks existence
    const ids = [...new Set(ref.ids.map(String))];
    // Every referenced key here is a uuid; a malformed one would abort the transaction.
    if (!where || !ids.every((id) => UUID.test(id))) {
      fail(ref.column, 'Not found');
      continue;
    }
    const delegate = (tx as unknown as Record<string, { count(args: unknown): Promise<number> }>)[lowerFirst(ref.target)]!;
    const found = await delegate.count({ where: { AND: [{ [ref.key]: { in: ids } }, where] } });
    if (found !== ids.length) fail(ref.column, 'Not found');
  }
}

function isEmpty(value: unknown): boolean {
  return value === null || value === undefined || value === '' || (Array.isArray(value) && value.length === 0);
}

export const lowerFirst = (s: string): string => s.charAt(0).toLowerCase() + s.slice(1);
