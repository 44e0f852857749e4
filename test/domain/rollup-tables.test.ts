import { describe, expect, it } from 'vitest';
import { rollupTableFor } from '../../src/domain/usage-reports/rollup-tables.js';

/**
 * The dashboard and charts read the coarsest rollups that hold every column a
 * question filters and groups on (migration 0019); anything finer falls back
 * to the daily rollups. The sums agree across the three (test/usage/usage-engine.test.ts,
 * test/ledger/usage-ledger.test.ts); this is which one is read.
 */
describe('rollupTableFor', () => {
  const org = { organizationId: '00000000-0000-4000-8000-000000000001' };
  const since = { day: { gte: new Date('2026-01-01') } };
  it('reads organization x day x model for all organizations or one: the chart, top models and organizations, the month', () => {
    expect(rollupTableFor({ AND: [{}, since] }, ['day', 'modelId'])).toBe('usage_daily_model_rollups');
    expect(rollupTableFor({ AND: [org, since] }, ['day', 'modelId'])).toBe('usage_daily_model_rollups');
    expect(rollupTableFor(since, ['organizationId'])).toBe('usage_daily_model_rollups');
    expect(rollupTableFor({ AND: [org, since] })).toBe('usage_daily_model_rollups');
  });
  it('reads organization x day x user x key for top users and keys', () => {
    expect(rollupTableFor({ AND: [org, since] }, ['userId'])).toBe('usage_daily_key_rollups');
    expect(rollupTableFor(since, ['apiKeyId'])).toBe('usage_daily_key_rollups');
  });
  it("reads the daily rollups when a question needs both a model and a user or key (a USER's chart, a realm's keys by model)", () => {
    expect(rollupTableFor({ AND: [{ ...org, userId: 'u' }, since] }, ['day', 'modelId'])).toBe('usage_daily_rollups');
    expect(rollupTableFor({ AND: [org, { apiKeyId: { in: ['k'] } }, since] }, ['day', 'modelId'])).toBe('usage_daily_rollups');
    expect(rollupTableFor({ OR: [{ modelId: 'm' }, { userId: 'u' }] })).toBe('usage_daily_rollups');
  });
});
