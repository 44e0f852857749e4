import type { Actor } from '../shared/actor.js';
import { AppError } from '../shared/app-error.js';

/**
 * The realm migration moves rows across every organization: only the named
 * system actor (CLI, maintenance) and platform superadmins may plan, run or
 * roll it back. Row-level security backs this up: realm_migration_* tables
 * are visible to privileged contexts only.
 */
export function requireMigrationActor(actor: Actor): { startedById: string | null } {
  if (actor.kind === 'system') return { startedById: null };
  if (actor.kind === 'user' && actor.role === 'SUPERADMIN') return { startedById: actor.userId };
  throw new AppError('FORBIDDEN', 'The realm migration is reserved to platform superadmins');
}
