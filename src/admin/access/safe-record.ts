import { BaseRecord, type BaseResource, type CurrentAdmin, type RecordJSON } from 'adminjs';
import { isSecretField } from '../../domain/access/permissions.js';

/** Request params a form may send that are never sent back: write-only inputs. */
export const WRITE_ONLY_PARAMS: readonly string[] = ['password'];

/** `params` (flattened) without secret columns and write-only inputs. */
export function withoutSecrets(resource: string, params: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(params).filter(([key]) => {
      const root = key.split('.')[0]!;
      return !WRITE_ONLY_PARAMS.includes(root) && !isSecretField(resource, root);
    }),
  );
}

/**
 * A record whose JSON never carries a secret, whatever was put into it: AdminJS
 * builds records from request payloads (new) and merges payloads into them
 * (edit), then echoes them back, and `toJSON` sends every param.
 */
export class SafeRecord extends BaseRecord {
  constructor(params: Record<string, unknown>, resource: BaseResource) {
    super(params, resource);
  }

  override toJSON(currentAdmin?: CurrentAdmin): RecordJSON {
    const json = super.toJSON(currentAdmin);
    return { ...json, params: withoutSecrets(this.resource.id(), json.params) };
  }
}
