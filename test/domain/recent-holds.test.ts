import { describe, expect, it } from 'vitest';
import { RecentHolds } from '../../src/domain/portkey/recent-holds.js';

const hold = (id: string) => ({ id, apiKeyId: 'k', status: 'HELD' as const, heldTokens: 10 });

describe('RecentHolds (the after hook\'s shortcut to its hold)', () => {
  it('gives a hold back once, only to its organization', () => {
    const holds = new RecentHolds();
    holds.remember('org-a', 'portkey:1', hold('r1'), new Date(Date.now() + 60_000).toISOString());
    expect(holds.take('org-b', 'portkey:1')).toBeNull();
    expect(holds.take('org-a', 'portkey:1')).toEqual(hold('r1'));
    expect(holds.take('org-a', 'portkey:1')).toBeNull(); // a replayed after hook falls back to SQL
  });

  it('stays bounded: expired holds leave first, then the oldest', () => {
    let now = 1_000_000;
    const holds = new RecentHolds(3, () => now);
    const at = (ms: number) => new Date(ms).toISOString();
    holds.remember('o', 'expired', hold('e'), at(now + 10));
    holds.remember('o', 'old', hold('o1'), at(now + 60_000));
    holds.remember('o', 'mid', hold('m'), at(now + 60_000));
    now += 100; // the first hold has expired
    holds.remember('o', 'new', hold('n'), at(now + 60_000));
    expect(holds.size).toBe(3);
    expect(holds.take('o', 'expired')).toBeNull();
    holds.remember('o', 'newer', hold('n2'), at(now + 60_000));
    holds.remember('o', 'newest', hold('n3'), at(now + 60_000));
    expect(holds.size).toBe(3);
    expect(holds.take('o', 'old')).toBeNull();
    expect(holds.take('o', 'newest')).toEqual(hold('n3'));
  });
});
