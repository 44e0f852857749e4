import type { PrismaClient } from '@prisma/client';
import { checkDelete, checkedWriteData } from '../access/write-rules.js';
import { sameValue } from '../access/same-value.js';
import { scopeWhere, type Where } from '../access/scope.js';
import type { Operation, ResourceName } from '../access/permissions.js';
import { auditCode } from '../audit/audit-actions.js';
import { recordAudit, type RequestMeta } from '../audit/record-audit.js';
import { encryptSecret } from '../crypto/secret-box.js';
import type { Actor, UserActor } from '../shared/actor.js';
import { inActorTransaction, type Tx } from '../shared/actor-transaction.js';
import { AppError } from '../shared/app-error.js';
import { modelOf } from './datamodel.js';
import { delegateOf } from './record-delegate.js';
import { safeRecord, WRITE_ONLY_SECRETS } from './safe-record.js';

type Row = Record<string, unknown>;

export interface WriteRecordDeps {
  /** Encrypts write-only secrets (vector server credentials). */
  encryptionKey: string;
  /** Runs inside the write's transaction before the row is written (quota checks); throwing rolls everything back. */
  beforeWrite?: (tx: Tx, data: Row, current: Row | null) => Promise<void>;
  /** Runs inside the delete's transaction after the row is gone (gives quotas back). */
  afterDelete?: (tx: Tx, row: Row) => Promise<void>;
}

const MAX_SECRET = 4096;

function personOf(actor: Actor, resource: ResourceName, op: Operation): { actor: UserActor; scope: Where } {
  const scope = scopeWhere(actor, resource, op);
  if (actor.kind !== 'user' || !scope) throw new AppError('FORBIDDEN', `You may not ${op} ${resource} records`);
  return { actor, scope };
}

/** Write-only secrets of the request: encrypted into their columns, null clears; the plain fields are removed from `data`. */
function takeSecrets(resource: ResourceName, data: Row, key: string): Row {
  const out: Row = {};
  for (const [input, column] of Object.entries(WRITE_ONLY_SECRETS[resource] ?? {})) {
    if (!(input in data)) continue;
    const value = data[input];
    delete data[input];
    if (value === null) out[column] = null;
    else if (typeof value === 'string' && value !== '' && value.length <= MAX_SECRET) out[column] = encryptSecret(key, value);
    else throw new AppError('INVALID', `${input}: a non-empty string of at most ${MAX_SECRET} characters, or null to remove it`, { fields: { [input]: 'Invalid secret' } });
  }
  return out;
}

async function lockScoped(tx: Tx, resource: ResourceName, id: string, scope: Where): Promise<Row> {
  const row = await delegateOf(tx, resource).findFirst({ where: { AND: [{ id }, scope] } });
  if (!row) throw new AppError('NOT_FOUND', `${resource} not found`);
  // Serializes concurrent writes to this row until the transaction ends.
  const table = modelOf(resource).dbName ?? resource;
  await tx.$executeRawUnsafe(`SELECT 1 FROM "${table.replace(/"/g, '')}" WHERE "id" = $1::uuid FOR UPDATE`, id);
  return row;
}

/** The written row must still be one the actor may read: a write can never leave the caller's scope. */
async function assertReadable(tx: Tx, actor: UserActor, resource: ResourceName, id: string): Promise<void> {
  const scope = scopeWhere(actor, resource, 'read');
  const found = scope ? await delegateOf(tx, resource).count({ where: { AND: [{ id }, scope] } }) : 0;
  if (!found) throw new AppError('FORBIDDEN', `The ${resource} would be outside your scope`);
}

/**
 * Creates a row of `resource` by the same rules as the panel (the resource's
 * schema, field write rules, tenancy and owner from the actor, references
 * within scope, realm placement: src/domain/access/write-rules.ts), with its
 * audit row, in one transaction.
 */
export async function createRecord(db: PrismaClient, actorIn: Actor, resource: ResourceName, input: Row, deps: WriteRecordDeps, meta: RequestMeta = {}): Promise<Row> {
  const { actor } = personOf(actorIn, resource, 'create');
  const data = { ...input };
  const secrets = takeSecrets(resource, data, deps.encryptionKey);
  const row = await inActorTransaction(db, actor, async (tx) => {
    const checked = await checkedWriteData({ tx, actor, model: modelOf(resource), op: 'create', data, current: null });
    await deps.beforeWrite?.(tx, checked, null);
    const created = await delegateOf(tx, resource).create({ data: { ...checked, ...secrets } });
    await assertReadable(tx, actor, resource, String(created.id));
    await recordAudit(tx, actor, { action: auditCode(resource, 'create'), resource, recordId: String(created.id), organizationId: (created.organizationId as string | null) ?? null, after: safeRecord(resource, created) }, meta);
    return created;
  });
  return safeRecord(resource, row);
}

/** Changes a row the actor may update, by the panel's rules; only fields that change are written and audited. */
export async function updateRecord(db: PrismaClient, actorIn: Actor, resource: ResourceName, id: string, input: Row, deps: WriteRecordDeps, meta: RequestMeta = {}): Promise<Row> {
  const { actor, scope } = personOf(actorIn, resource, 'update');
  const data = { ...input };
  const secrets = takeSecrets(resource, data, deps.encryptionKey);
  const row = await inActorTransaction(db, actor, async (tx) => {
    const current = await lockScoped(tx, resource, id, scope);
    const checked = await checkedWriteData({ tx, actor, model: modelOf(resource), op: 'update', data, current });
    const changes = Object.fromEntries(Object.entries(checked).filter(([k, v]) => !sameValue(v, current[k])));
    Object.assign(changes, secrets);
    if (!Object.keys(changes).length) return current;
    await deps.beforeWrite?.(tx, changes, current);
    const updated = await delegateOf(tx, resource).update({ where: { id }, data: changes });
    await assertReadable(tx, actor, resource, id);
    await recordAudit(tx, actor, { action: auditCode(resource, 'update'), resource, recordId: id, organizationId: (updated.organizationId as string | null) ?? null, before: safeRecord(resource, current), after: safeRecord(resource, updated) }, meta);
    return updated;
  });
  return safeRecord(resource, row);
}

/** Deletes a row the actor may delete (never themselves, never a user above their rank), with its audit row. */
export async function deleteRecord(
  db: PrismaClient,
  actorIn: Actor,
  resource: ResourceName,
  id: string,
  deps: Pick<WriteRecordDeps, 'afterDelete'> = {},
  meta: RequestMeta = {},
): Promise<Row> {
  const { actor, scope } = personOf(actorIn, resource, 'delete');
  const row = await inActorTransaction(db, actor, async (tx) => {
    const current = await lockScoped(tx, resource, id, scope);
    const refusal = checkDelete(actor, resource, current);
    if (refusal) throw new AppError('FORBIDDEN', refusal);
    await delegateOf(tx, resource).delete({ where: { id } });
    await deps.afterDelete?.(tx, current);
    await recordAudit(tx, actor, { action: auditCode(resource, 'delete'), resource, recordId: id, organizationId: (current.organizationId as string | null) ?? null, before: safeRecord(resource, current) }, meta);
    return current;
  });
  return safeRecord(resource, row);
}
