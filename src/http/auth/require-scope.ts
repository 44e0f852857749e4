import type { ApiKeyScope } from '../../domain/api-keys/api-key-scopes.js';
import { can } from '../../domain/access/scope.js';
import type { Operation, ResourceName } from '../../domain/access/permissions.js';
import { AppError } from '../../domain/shared/app-error.js';
import type { Principal } from './principal.js';

/**
 * May this caller run an operation that needs key scope `scope` and, where
 * given, `access` in the permission matrix? A key needs the scope AND its
 * owner's role must grant the access (a key never has more power than its
 * owner); a person needs the access only. Rows are narrowed later by the
 * domain's scope helpers with the same role, so this is the coarse gate that
 * turns "your role may never do this" into 403 instead of an empty answer.
 */
export function requireScope(principal: Principal, scope: ApiKeyScope | undefined, access?: readonly [ResourceName, Operation]): void {
  if (scope && principal.scopes && !principal.scopes.includes(scope)) {
    throw new AppError('FORBIDDEN', `This API key lacks the scope ${scope}`, { requiredScope: scope });
  }
  if (access && !can(principal.actor, access[0], access[1])) {
    throw new AppError('FORBIDDEN', `Your role may not ${access[1]} ${access[0]}`, { resource: access[0], operation: access[1] });
  }
}
