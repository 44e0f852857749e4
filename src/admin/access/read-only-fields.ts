import { PropertyDecorator } from 'adminjs';
import { TENANCY_FIELDS, isWritableField, type ResourceName } from '../../domain/access/permissions.js';
import { actorOwnedFields } from '../../domain/access/scope.js';
import { currentAdminRequest } from './admin-request.js';

let installed = false;

/**
 * Forms offer only what the matrix lets the signed-in person change: a field
 * their role may not write (WRITABLE_FIELDS, tenancy keys, owners the server
 * sets) is shown read-only, not as an input that the save then refuses.
 * AdminJS's `isDisabled` is a static option, so the decorator asks the request
 * being served (admin-request.ts) each time it is read. The server's write
 * rules stay the enforcement; this is the offer.
 */
export function installReadOnlyFields(): void {
  if (installed) return;
  installed = true;
  const proto = PropertyDecorator.prototype as unknown as { isDisabled(this: Decorated): boolean };
  const own = proto.isDisabled;
  proto.isDisabled = function (this: Decorated) {
    if (own.call(this)) return true;
    const actor = currentAdminRequest()?.actor;
    const column = this.property?.column;
    if (!actor || actor.role === 'SUPERADMIN' || !column) return false;
    const resource = this._resource?.id?.() as ResourceName | undefined;
    if (!resource) return false;
    const name = column.kind === 'object' ? column.relationFromFields?.[0] : column.name;
    if (!name) return false;
    if (!isWritableField(actor.role, resource, name) || TENANCY_FIELDS.includes(name)) return true;
    return name in (actorOwnedFields(actor, resource, 'update') ?? {});
  };
}

type Decorated = {
  property?: { column?: { kind: string; name: string; relationFromFields?: readonly string[] } };
  _resource?: { id?(): string };
};
