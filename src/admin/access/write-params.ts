import { ValidationError } from 'adminjs';
import { WRITABLE_FIELDS, isSecretField, type ResourceName } from '../../domain/access/permissions.js';
import type { Model } from '../dmmf.js';
import type { UserActor } from './admin-request.js';

const filled = (v: unknown) => v !== undefined && v !== null && v !== '';

/**
 * The request params a resource's `writeSecrets` may read (write-only inputs
 * such as `password`), after refusing what no request may carry: a value for a
 * secret column (passwordHash, keyHash, ...). Where the matrix lists the role's
 * writable fields, other inputs that are no column are dropped.
 */
export function writableParams(actor: UserActor, model: Model, params: Record<string, unknown>): Record<string, unknown> {
  const fields = new Set(model.fields.map((f) => f.name));
  const listed = WRITABLE_FIELDS[actor.role]?.[model.name as ResourceName];
  const errors: Record<string, { message: string }> = {};
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(params)) {
    const root = key.split('.')[0]!;
    if (isSecretField(model.name, root)) {
      if (filled(value)) errors[root] = { message: 'This field cannot be written' };
      continue;
    }
    // A write-only input the role may not set is dropped: forms also echo display-only values back.
    if (!fields.has(root) && listed && !listed.includes(root)) continue;
    out[key] = value;
  }
  if (Object.keys(errors).length) throw new ValidationError(errors, { message: 'Some fields cannot be saved' });
  return out;
}
