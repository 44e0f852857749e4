import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { timeOrderedId } from './time-ordered-id.js';

const V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const millisOf = (id: string) => Number.parseInt(id.slice(0, 8) + id.slice(9, 13), 16);

describe('timeOrderedId (UUID version 7)', () => {
  it('names its instant in the first 48 bits, with the version and the RFC variant', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 2 ** 48 - 1 }), (ms) => {
      const id = timeOrderedId(ms);
      expect(id).toMatch(V7);
      expect(millisOf(id)).toBe(ms);
    }));
    const at = new Date('2026-12-01T10:20:30.456Z');
    expect(millisOf(timeOrderedId(at))).toBe(at.getTime());
  });

  it('sorts by time as text (and so as a PostgreSQL uuid), and never repeats', () => {
    const ids = Array.from({ length: 2000 }, (_, i) => timeOrderedId(1_700_000_000_000 + Math.floor(i / 10)));
    expect(new Set(ids).size).toBe(ids.length);
    for (let i = 10; i < ids.length; i += 10) expect(ids[i - 1]! < ids[i]!).toBe(true);
  });
});
