import { describe, expect, it } from 'vitest';
import { TtlCache } from '../../src/domain/usage/ttl-cache.js';

describe('TtlCache (the hot path catalog and user-rule cache)', () => {
  it("loads one event-loop turn's misses in one call, serves hits for ttlMs, then loads again; absent keys get the missing value", async () => {
    let now = 0;
    const calls: string[][] = [];
    const cache = new TtlCache<string>(1000, async (keys) => (calls.push(keys), new Map(keys.filter((k) => k !== 'gone').map((k) => [k, `v:${k}`]))), 'none', () => now);
    expect(await Promise.all(['a', 'b', 'a', 'gone'].map((k) => cache.get(k)))).toEqual(['v:a', 'v:b', 'v:a', 'none']);
    expect(calls).toEqual([['a', 'b', 'gone']]);
    now = 999;
    expect(await cache.get('b')).toBe('v:b');
    expect(calls).toHaveLength(1);
    now = 1000;
    expect(await cache.get('b')).toBe('v:b');
    expect(calls).toEqual([['a', 'b', 'gone'], ['b']]);
  });

  it('a failed load fails every get of its turn and is not cached', async () => {
    let fail = true;
    let loads = 0;
    const cache = new TtlCache<number>(1000, async (keys) => {
      loads++;
      if (fail) throw new Error('database away');
      return new Map(keys.map((k) => [k, 1]));
    }, 0);
    const results = await Promise.allSettled([cache.get('x'), cache.get('y')]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    fail = false;
    expect(await cache.get('x')).toBe(1);
    expect(loads).toBe(2);
  });
});
