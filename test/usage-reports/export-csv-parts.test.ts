import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { crlfLines } from '../../src/domain/usage-reports/export-ledger-csv.js';
import { whereSql } from '../../src/db/where-sql.js';

/**
 * The two pure parts of the ledger exports: PostgreSQL's CSV lines turned to
 * CRLF wherever the chunks happen to be cut, and the lists' Prisma `where`
 * written as the COPY's SQL condition.
 */
async function collect(chunks: Buffer[]): Promise<string> {
  async function* source() {
    yield* chunks;
  }
  const out: Buffer[] = [];
  for await (const b of crlfLines(source())) out.push(b);
  return Buffer.concat(out).toString('utf8');
}

const cut = (text: string, at: number[]): Buffer[] => {
  const bytes = Buffer.from(text, 'utf8');
  const points = [...new Set(at.map((p) => p % (bytes.length + 1)))].sort((a, b) => a - b);
  const parts: Buffer[] = [];
  let start = 0;
  for (const p of points) {
    parts.push(bytes.subarray(start, p));
    start = p;
  }
  parts.push(bytes.subarray(start));
  return parts;
};

describe('crlfLines', () => {
  const csv = 'a,b\n1,"two\nlines"\n"say ""hi""",x\n';
  const expected = 'a,b\r\n1,"two\nlines"\r\n"say ""hi""",x\r\n';

  it('ends rows with CRLF and leaves a line break inside a quoted field alone', async () => {
    expect(await collect([Buffer.from(csv)])).toBe(expected);
  });

  it('gives the same bytes however the stream is cut, even inside quotes', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.nat(), { maxLength: 8 }), async (at) => {
        expect(await collect(cut(csv, at))).toBe(expected);
      }),
    );
  });
});

describe('whereSql', () => {
  const columns = {
    organizationId: { column: 'organization_id', type: 'uuid' },
    occurredAt: { column: 'occurred_at', type: 'timestamptz' },
    action: { column: 'action', type: 'text' },
    userId: { column: 'user_id', type: 'uuid' },
  };

  it('writes equalities, null, in-lists, ranges and AND lists with cast placeholders', () => {
    const values: unknown[] = [];
    const from = new Date('2026-01-01T00:00:00Z');
    const sql = whereSql({ AND: [{ organizationId: 'o-1' }, { userId: null, action: { in: ['a', 'b'] }, occurredAt: { gte: from, lte: from } }] }, columns, values);
    expect(sql).toBe(`("organization_id" = $1::uuid) AND ("user_id" IS NULL AND "action" = ANY($2::text[]) AND "occurred_at" >= $3::timestamptz AND "occurred_at" <= $4::timestamptz)`);
    expect(values).toEqual(['o-1', ['a', 'b'], from, from]);
  });

  it("writes OR lists and a list column's has and isEmpty (an org admin's model scope)", () => {
    const values: unknown[] = [];
    const cols = { ...columns, organizationTypes: { column: 'organization_types', type: '"OrganizationType"[]' }, isActive: { column: 'is_active', type: 'boolean' } };
    const sql = whereSql({ OR: [{ organizationId: 'o-1' }, { organizationId: null, isActive: true, OR: [{ organizationTypes: { isEmpty: true } }, { organizationTypes: { has: 'GENERAL' } }] }] }, cols, values);
    expect(sql).toBe(
      `(("organization_id" = $1::uuid) OR ("organization_id" IS NULL AND "is_active" = $2::boolean AND ((COALESCE(cardinality("organization_types"), 0) = 0) OR ($3::"OrganizationType" = ANY("organization_types")))))`,
    );
    expect(values).toEqual(['o-1', true, 'GENERAL']);
    // As Prisma reads them: an empty OR matches nothing, an empty member everything.
    expect(whereSql({ OR: [] }, columns, [])).toBe('FALSE');
    expect(whereSql({ OR: [{}] }, columns, [])).toBe('((TRUE))');
  });

  it('reads an empty where as every row, and refuses what it cannot write rather than widen', () => {
    expect(whereSql({}, columns, [])).toBe('TRUE');
    expect(() => whereSql({ NOT: [{ organizationId: 'x' }] }, columns, [])).toThrow(/no column for "NOT"/);
    expect(() => whereSql({ access: { some: { organizationId: 'x' } } }, columns, [])).toThrow(/no column for "access"/);
    expect(() => whereSql({ action: { has: 'x' } }, columns, [])).toThrow(/not supported/);
    expect(() => whereSql({ action: { contains: 'x' } }, columns, [])).toThrow(/not supported/);
    expect(() => whereSql({ secret: 'x' }, columns, [])).toThrow(/no column/);
  });
});
