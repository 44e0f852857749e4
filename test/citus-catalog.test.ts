import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DISTRIBUTED_TABLES, DISTRIBUTION_COLUMN } from '../src/db/distributed-tables.js';
import { freshDatabase, type TestDatabase } from './setup/test-database.js';

// Citus readiness of the migrated schema (issue 11): distributed tables carry
// the distribution column in every key, nothing references them, and every
// other table can be a reference table. A new table or constraint that breaks
// a rule fails here.

let t: TestDatabase;
let c: pg.Client;
const q = async <T = any>(sql: string, params: unknown[] = []) => (await c.query(sql, params)).rows as T[];

beforeAll(async () => {
  t = await freshDatabase('citus_catalog');
  c = new pg.Client({ connectionString: t.url });
  await c.connect();
});
afterAll(async () => {
  await c?.end();
  await t?.drop();
});

const indexesOf = (table: string) =>
  q<{ name: string; primary: boolean; unique: boolean; columns: string[]; partial: boolean }>(
    `SELECT ic.relname AS name, i.indisprimary AS primary, i.indisunique AS unique, (i.indpred IS NOT NULL) AS partial,
            ARRAY(SELECT a.attname::text FROM unnest(i.indkey::int2[]) WITH ORDINALITY k(attnum, ord) JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum ORDER BY k.ord) AS columns
       FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid
      WHERE i.indrelid = $1::regclass`,
    [table],
  );

describe('Citus: distributed tables (src/db/distributed-tables.ts)', () => {
  it.each(DISTRIBUTED_TABLES.map((x) => [x]))('%s carries organization_id (NOT NULL) in its primary key and every unique index', async (table) => {
    const [col] = await q(`SELECT attnotnull FROM pg_attribute WHERE attrelid = $1::regclass AND attname = $2 AND NOT attisdropped`, [table, DISTRIBUTION_COLUMN]);
    expect(col, `${table}.${DISTRIBUTION_COLUMN}`).toEqual({ attnotnull: true });
    const idx = await indexesOf(table);
    expect(idx.filter((i) => i.primary), `${table} has a primary key`).toHaveLength(1);
    for (const i of idx.filter((x) => x.unique)) expect(i.columns, `${i.name} includes ${DISTRIBUTION_COLUMN}`).toContain(DISTRIBUTION_COLUMN);
  });

  it('no table has a foreign key pointing at a distributed table', async () => {
    const rows = await q<{ name: string; from: string; to: string }>(
      `SELECT con.conname AS name, con.conrelid::regclass::text AS from, con.confrelid::regclass::text AS to
         FROM pg_constraint con WHERE con.contype = 'f' AND con.confrelid::regclass::text = ANY($1) AND NOT EXISTS (
           SELECT 1 FROM pg_inherits i WHERE i.inhrelid = con.conrelid)`,
      [[...DISTRIBUTED_TABLES]],
    );
    expect(rows).toEqual([]);
  });

  it('every distributed table is a real table (partitioned or plain), and partitions inherit the rules', async () => {
    for (const table of DISTRIBUTED_TABLES) {
      const [row] = await q(`SELECT relkind::text AS kind FROM pg_class WHERE oid = $1::regclass`, [table]);
      expect(['r', 'p'], table).toContain(row.kind);
    }
    const parts = await q<{ name: string }>(`SELECT inhrelid::regclass::text AS name FROM pg_inherits WHERE inhparent = 'usage_events'::regclass`);
    expect(parts.length).toBeGreaterThan(3);
    for (const p of parts) {
      const pk = (await indexesOf(p.name)).find((i) => i.primary);
      expect(pk?.columns[0], `${p.name} key`).toBe(DISTRIBUTION_COLUMN);
    }
  });

  it('the other tables can be reference tables: foreign keys only between reference tables or from distributed to reference', async () => {
    const rows = await q<{ from: string; to: string }>(
      `SELECT conrelid::regclass::text AS from, confrelid::regclass::text AS to FROM pg_constraint WHERE contype = 'f' AND connamespace = 'public'::regnamespace`,
    );
    const distributed = new Set<string>(DISTRIBUTED_TABLES);
    // Citus allows reference -> reference and distributed -> reference; distributed -> distributed would need co-location on the key.
    const bad = rows.filter((r) => distributed.has(r.to.replace(/^public\./, '')));
    expect(bad).toEqual([]);
    expect(rows.some((r) => distributed.has(r.from.replace(/^public\./, '')))).toBe(true);
  });
});
