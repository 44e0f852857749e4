import type { DMMF } from '@prisma/client/runtime/library.js';
import type { Tx } from '../shared/actor-transaction.js';
import { invalidFields } from '../shared/field-errors.js';

export interface DeleteBlocker {
  /** The model whose rows point at the record ("User"). */
  model: string;
  count: number;
  /** The database refuses the delete while these exist (ON DELETE RESTRICT). */
  restricts: boolean;
}

const lowerFirst = (s: string) => s.charAt(0).toLowerCase() + s.slice(1);

// Kept out of the explanation: rows that only record history, or that go with the record by design.
const NOT_MENTIONED = new Set(['AuditLog', 'UsageDailyRollup', 'QuotaCounter', 'RealmMigrationRun', 'RealmMigrationItem', 'Session']);

/** How many rows of each other model point at `id` of `model` (via every relation of the datamodel). */
export async function deleteBlockers(tx: Tx, datamodel: DMMF.Datamodel, modelName: string, id: string): Promise<DeleteBlocker[]> {
  const out: DeleteBlocker[] = [];
  for (const other of datamodel.models) {
    if (NOT_MENTIONED.has(other.name)) continue;
    for (const f of other.fields) {
      if (f.kind !== 'object' || f.type !== modelName || !f.relationFromFields?.length || f.relationFromFields.length !== 1) continue;
      const column = f.relationFromFields[0]!;
      const delegate = (tx as unknown as Record<string, { count(a: unknown): Promise<number> }>)[lowerFirst(other.name)];
      if (!delegate) continue;
      const count = await delegate.count({ where: { [column]: id } });
      if (count) out.push({ model: other.name, count, restricts: f.relationOnDelete === 'Restrict' || f.relationOnDelete === undefined });
    }
  }
  // One line per model: a user is both owner and creator of keys, count it once (the larger).
  const byModel = new Map<string, DeleteBlocker>();
  for (const b of out) {
    const seen = byModel.get(b.model);
    byModel.set(b.model, seen ? { model: b.model, count: Math.max(seen.count, b.count), restricts: seen.restricts || b.restricts } : b);
  }
  return [...byModel.values()];
}

/**
 * Refuses deleting a record that others still refer to in a way the database
 * would refuse (ON DELETE RESTRICT), naming them in words: "3 users and 4
 * realms belong to this organization; deactivate it instead".
 */
export function refuseReferencedDelete(blockers: DeleteBlocker[], what: { label: string; canDeactivate: boolean; words: (model: string, count: number) => string }): void {
  if (!blockers.some((b) => b.restricts)) return;
  const parts = blockers.map((b) => what.words(b.model, b.count));
  const list = parts.length > 1 ? `${parts.slice(0, -1).join(', ')} and ${parts.at(-1)}` : parts[0]!;
  const verb = blockers.length === 1 && blockers[0]!.count === 1 ? 'belongs' : 'belong';
  const advice = what.canDeactivate ? 'deactivate it instead' : 'remove or move them first';
  throw invalidFields({ _record: `${list} ${verb} to this ${what.label}; ${advice}` }, `${list} ${verb} to this ${what.label}; ${advice}`);
}
