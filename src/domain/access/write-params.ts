import type { DMMF } from '@prisma/client/runtime/library.js';
import type { UserActor } from '../shared/actor.js';
import { invalidFields } from '../shared/field-errors.js';
import { WRITABLE_FIELDS, isSecretField, type ResourceName } from './permissions.js';

const filled = (v: unknown) => v !== undefined && v !== null && v !== '';

/**
 * The request params a resource's `writeSecrets` may read (write-only inputs
 * such as `password`), after refusing what no request may carry: a value for a
 * secret column (passwordHash, keyHash, ...). Where the matrix lists the role's
 * writable fields, other inputs that are no column are dropped.
 */
export function writableParams(actor: UserActor, model: DMMF.Model, params: Record<string, unknown>): Record<string, unknown> {
  const fields = new Set(model.fields.map((f) => f.name));
  const listed = WRITABLE_FIELDS[actor.role]?.[model.name as ResourceName];
  const errors: Record<string, string> = {};
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(params)) {
    const root = key.split('.')[0]!;
    if (isSecretField(model.name, root)) {
      if (filled(value)) errors[root] = 'This field cannot be written';
      continue;
    }
    // A write-only input the role may not set is dropped: forms also echo display-only values back.
    if (!fields.has(root) && listed && !listed.includes(root)) continue;
    out[key] = value;
  }
  if (Object.keys(errors).length) throw invalidFields(errors);
  return out;
}
