import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import pg from 'pg';
import { inlineParams, sqlLiteral } from '../../src/db/inline-params.js';
import { emptyDatabase, type EmptyDatabase } from '../setup/test-database.js';

/**
 * The usage batch writes its values as SQL literals (one simple-protocol
 * message carries BEGIN and the batch): every value must read back in
 * PostgreSQL exactly as the same value bound as a parameter.
 */
let t: EmptyDatabase;
let c: pg.Client;
beforeAll(async () => {
  t = await emptyDatabase('inline_params');
  c = new pg.Client({ connectionString: t.url });
  await c.connect();
});
afterAll(async () => {
  await c?.end();
  await t?.drop();
});

describe('sqlLiteral', () => {
  it('writes what node-postgres escapeLiteral writes, for any text', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary' }), (s) => void expect(sqlLiteral(s)).toBe(pg.escapeLiteral(s))));
    fc.assert(fc.property(fc.stringMatching(/^[\\'"a{},\s]*$/), (s) => void expect(sqlLiteral(s)).toBe(pg.escapeLiteral(s))));
  });
});

describe('inlineParams', () => {
  it('reads back text arrays, JSON arrays, nulls, numbers and instants exactly as bound parameters do', async () => {
    const text = fc.string({ unit: fc.constantFrom('a', "'", '"', '\\', '{', '}', ',', ' ', 'é', '\n', 'NULL') });
    await fc.assert(
      fc.asyncProperty(fc.array(fc.option(text), { maxLength: 5 }), fc.jsonValue(), fc.integer(), fc.date({ min: new Date(0), max: new Date(4e12), noInvalidDate: true }), async (texts, json, n, at) => {
        const sql = 'SELECT $1::text[] AS texts, $2::jsonb[] AS json, $3::bigint AS n, $4::timestamptz AS at, $5::uuid AS nothing';
        const values = [texts, [JSON.stringify(json)], n, at, null];
        const bound = (await c.query(sql, values)).rows[0];
        const inlined = (await c.query(inlineParams(sql, values))).rows[0];
        expect(inlined).toEqual(bound);
      }),
      { numRuns: 150 },
    );
  });

  it('refuses a placeholder without a value', () => {
    expect(() => inlineParams('SELECT $2::int', [1])).toThrow(/no value for \$2/);
  });
});
