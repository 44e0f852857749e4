import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ZodTypeAny } from 'zod';
import { asJson, compileAnswerShape, MISMATCH } from '../../src/http/answer-shape.js';
import { z } from '../../src/http/zod.js';
import { modelListSchema, quotaSchema, reservationSchema, usageAnswerSchema } from '../../src/http/schemas/usage.js';

/** What route.ts did before the compiled shaper, and still does under NODE_ENV=test beside it. */
function general(schema: ZodTypeAny, value: unknown): unknown {
  const r = schema.safeParse(asJson(value) ?? null);
  return r.success ? r.data : MISMATCH;
}

/** A value for `schema` that mostly fits it, and sometimes does not: JSON's odd cases (Dates, bigints, undefined, NaN, extra keys) included. */
function near(schema: ZodTypeAny): fc.Arbitrary<unknown> {
  const def = schema._def as { typeName: string; [k: string]: any };
  const odd = fc.constantFrom<unknown>(undefined, null, Number.NaN, Infinity, 7n, 2n ** 60n, '', 'x', 1.5, -1, true, [], {}, () => 1, new Date(Number.NaN));
  let fit: fc.Arbitrary<unknown>;
  switch (def.typeName) {
    case 'ZodString': {
      const kinds = new Set((def.checks as { kind: string }[]).map((c) => c.kind));
      const instant = fc.date({ min: new Date(0), max: new Date(4e12), noInvalidDate: true });
      fit = kinds.has('uuid')
        ? fc.oneof({ arbitrary: fc.uuid(), weight: 8 }, fc.string({ maxLength: 36 }))
        : kinds.has('datetime')
          ? fc.oneof({ arbitrary: instant, weight: 4 }, { arbitrary: instant.map((d) => d.toISOString()), weight: 4 }, fc.constantFrom('2026-02-29T00:00:00Z', '2028-02-29T00:00:00+01:00', '2026-12-01T00:00', '2026-12-01T00:00:00.123'))
          : fc.oneof({ arbitrary: fc.string({ minLength: 1, maxLength: 4 }), weight: 8 }, fc.string({ maxLength: 12 }), instant);
      break;
    }
    case 'ZodNumber': {
      const int = (def.checks as { kind: string }[]).some((c) => c.kind === 'int');
      fit = fc.oneof({ arbitrary: fc.integer({ min: -3, max: 2000 }), weight: 8 }, { arbitrary: fc.bigInt({ min: 0n, max: 100n }), weight: 2 }, int ? fc.double() : fc.double({ min: -10, max: 10 }), fc.bigInt({ min: -(2n ** 64n), max: 2n ** 64n }));
      break;
    }
    case 'ZodBoolean':
      fit = fc.boolean();
      break;
    case 'ZodEnum':
      fit = fc.constantFrom(...(def.values as string[]));
      break;
    case 'ZodOptional':
    case 'ZodNullable':
      fit = fc.oneof(near(def.innerType), fc.constant(def.typeName === 'ZodOptional' ? undefined : null));
      break;
    case 'ZodArray':
      fit = fc.array(near(def.type), { minLength: def.minLength?.value ?? 0, maxLength: def.maxLength?.value ?? 3 });
      break;
    case 'ZodObject': {
      const shape = def.shape() as Record<string, ZodTypeAny>;
      const keys = Object.keys(shape);
      fit = fc.record(Object.fromEntries(keys.map((k) => [k, near(shape[k]!)])), { requiredKeys: fc.sample(fc.constant(keys), 1)[0]! })
        .chain((o) => fc.record({ extra: fc.anything(), secret: fc.string() }, { requiredKeys: [] }).map((x) => ({ ...o, ...x })));
      break;
    }
    default:
      fit = fc.anything();
  }
  return fc.oneof({ arbitrary: fit, weight: 40 }, { arbitrary: odd, weight: 1 });
}

describe('the compiled answer shaper', () => {
  const id = '0194f9a8-1111-7000-8000-000000000001';
  const examples: Record<string, unknown> = {
    'formats and bounds': { id, at: new Date(0), local: '2026-12-01T10:00:00.123', n: 3n, gt: 4.5, name: 'abc', list: ['a'], kind: 'B', yes: false, lit: 'v', nothing: null },
    'parts left to zod': { meta: { a: 1 }, either: 'x', refined: 'abc', email: 'a@b.example', strict: { a: 1 }, loose: { a: 1, b: 2 } },
  };
  const schemas: Array<[string, ZodTypeAny]> = [
    ['POST /usage', usageAnswerSchema],
    ['a reservation', reservationSchema],
    ['GET /models', modelListSchema],
    ['GET /quota', quotaSchema],
    ['formats and bounds', z.object({
      id: z.string().uuid(), at: z.string().datetime({ offset: true }), local: z.string().datetime({ local: true, precision: 3 }).optional(),
      n: z.number().int().min(0).max(10), gt: z.number().gt(0).lt(5).nullable(), name: z.string().min(1).max(5), list: z.array(z.string()).min(1).max(2),
      kind: z.enum(['A', 'B']), yes: z.boolean(), lit: z.literal('v'), nothing: z.null().optional(),
    })],
    ['parts left to zod', z.object({ meta: z.record(z.unknown()), either: z.union([z.string(), z.number()]), refined: z.string().refine((s) => s.length !== 2), email: z.string().email().optional(), strict: z.object({ a: z.number() }).strict().optional(), loose: z.object({ a: z.number() }).passthrough().optional() })],
  ];
  for (const [name, schema] of schemas) {
    it(`answers as zod on the answer as JSON: ${name}`, () => {
      const shape = compileAnswerShape(schema);
      let fits = 0;
      const values = name in examples ? fc.oneof(near(schema), fc.constant(examples[name])) : near(schema);
      fc.assert(fc.property(values, (value) => {
        const expected = general(schema, value);
        if (expected !== MISMATCH) fits++;
        const got = shape(value);
        expect(got).toEqual(expected);
        expect(JSON.stringify(got)).toBe(JSON.stringify(expected));
      }), { numRuns: 400 });
      expect(fits, 'some generated answers fit the schema').toBeGreaterThan(0);
    });
  }

  it('drops what the schema does not name, and writes instants and bigints as JSON does', () => {
    const shape = compileAnswerShape(z.object({ at: z.string().datetime({ offset: true }), n: z.number(), big: z.union([z.number(), z.string()]), list: z.array(z.number().nullable()) }));
    const at = new Date('2026-12-01T00:00:00.000Z');
    expect(shape({ at, n: 5n, big: 2n ** 64n, list: [1, undefined, 2], passwordHash: 'x' })).toEqual({ at: '2026-12-01T00:00:00.000Z', n: 5, big: '18446744073709551616', list: [1, null, 2] });
    expect(shape({ at: 'yesterday', n: 1, big: 1, list: [] })).toBe(MISMATCH);
  });
});
