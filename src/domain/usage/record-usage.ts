import type { Actor } from '../shared/actor.js';
import { parseInput } from '../shared/parse-input.js';
import { admissionBase, requireUsageWriter, settled } from './usage-caller.js';
import type { UsageEngine } from './usage-engine.js';
import { recordUsageInput, type RecordUsageInput } from './usage-inputs.js';
import type { UsageAnswer } from './usage-ops.js';

/**
 * Records one model call against every quota that applies, all or nothing:
 * either every counter moves and one ledger row is written (answered after
 * COMMIT), or QUOTA_EXCEEDED / RATE_LIMITED names the limit and nothing is
 * written. The same idempotencyKey (per organization) returns the first answer
 * with `replayed: true` and counts nothing twice.
 */
export async function recordUsage(engine: UsageEngine, actor: Actor, rawInput: RecordUsageInput): Promise<{ value: UsageAnswer; replayed: boolean }> {
  const caller = requireUsageWriter(actor);
  const input = parseInput(recordUsageInput, rawInput);
  const base = await admissionBase(engine, caller, input);
  return settled(await engine.submit<UsageAnswer>({
    ...base,
    kind: 'usage',
    inputTokens: input.inputTokens,
    outputTokens: input.outputTokens,
    idempotencyKey: input.idempotencyKey,
    metadata: input.metadata ?? {},
  }));
}
