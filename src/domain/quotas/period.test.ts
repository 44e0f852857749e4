import { describe, expect, it } from 'vitest';
import { periodEnd, periodStart } from './period.js';

const at = (s: string) => new Date(s);

describe('quota periods (UTC, calendar-aligned)', () => {
  it('start a day at midnight UTC whatever the local offset of the input', () => {
    expect(periodStart('DAILY', at('2026-11-22T23:59:59.999Z')).toISOString()).toBe('2026-11-22T00:00:00.000Z');
    expect(periodStart('DAILY', at('2026-11-23T01:30:00+02:00')).toISOString()).toBe('2026-11-22T00:00:00.000Z');
  });

  it('start a week on Monday (ISO), across month and year ends', () => {
    expect(periodStart('WEEKLY', at('2026-11-22T12:00:00Z')).toISOString()).toBe('2026-11-16T00:00:00.000Z'); // Sunday
    expect(periodStart('WEEKLY', at('2026-11-23T00:00:00Z')).toISOString()).toBe('2026-11-23T00:00:00.000Z'); // Monday
    expect(periodStart('WEEKLY', at('2027-01-01T08:00:00Z')).toISOString()).toBe('2026-12-28T00:00:00.000Z');
  });

  it('start a month on the 1st and end at the next 1st, leap years included', () => {
    expect(periodStart('MONTHLY', at('2028-02-29T10:00:00Z')).toISOString()).toBe('2028-02-01T00:00:00.000Z');
    expect(periodEnd('MONTHLY', at('2028-02-29T10:00:00Z'))!.toISOString()).toBe('2028-03-01T00:00:00.000Z');
    expect(periodEnd('MONTHLY', at('2026-12-31T23:59:59Z'))!.toISOString()).toBe('2027-01-01T00:00:00.000Z');
  });

  it('never roll over a lifetime counter', () => {
    expect(periodStart('LIFETIME', at('2026-11-22T00:00:00Z'))).toEqual(periodStart('LIFETIME', at('2030-01-01T00:00:00Z')));
    expect(periodEnd('LIFETIME')).toBeNull();
  });

  it('each instant belongs to exactly one period: start <= t < end', () => {
    for (let i = 0; i < 2000; i++) {
      const t = new Date(Date.UTC(2024, 0, 1) + Math.floor(Math.random() * 4 * 365 * 86_400_000));
      for (const p of ['DAILY', 'WEEKLY', 'MONTHLY'] as const) {
        expect(periodStart(p, t).getTime()).toBeLessThanOrEqual(t.getTime());
        expect(periodEnd(p, t)!.getTime()).toBeGreaterThan(t.getTime());
      }
    }
  });
});
