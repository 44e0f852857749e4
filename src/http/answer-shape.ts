import { datetimeRegex, type ZodTypeAny } from 'zod';

/**
 * An API answer as its response schema shapes it, without the general
 * machinery: defineRoute (route.ts) used to write every answer through
 * `JSON.parse(JSON.stringify(result, jsonReplacer))` and then
 * `schema.safeParse(json)`, about 75 µs per POST /usage on this machine (a
 * tenth of the gateway lane's CPU per request; `.scratch`-measured, see the
 * README's hot path section). The compiled shaper gives the same result: it
 * walks the schema and the value together, writes each value as JSON would
 * (toJSON, bigints as numbers while exact, dropped undefined), keeps the
 * schema's keys, and checks what the schema checks. Any schema part it does
 * not know (effects, unions, records, string formats other than uuid and
 * datetime...) is handed to zod itself, with its value made JSON first: so the
 * result is zod's, by construction where it falls back and by the checks
 * below where it does not. Under NODE_ENV=test every answer is shaped both
 * ways and compared (route.ts), so the whole test suite checks this file.
 */

/** What no JSON value can be: the shaper's "does not match". */
export const MISMATCH: unique symbol = Symbol('answer does not match its schema');
/** Shapes one value that scalar() has already made as JSON sees it. */
type Shaper = (value: unknown) => unknown;

/** bigint counters (storage bytes) as numbers while exact, as strings beyond: the API's one rule for them. */
export const jsonReplacer = (_k: string, v: unknown): unknown => (typeof v === 'bigint' ? (Number.isSafeInteger(Number(v)) ? Number(v) : v.toString()) : v);

/** `value` as it reads back from JSON (JSON.parse of JSON.stringify with jsonReplacer); undefined when JSON would drop it. */
export function asJson(value: unknown): unknown {
  if (value === undefined) return undefined;
  const text = JSON.stringify(value, jsonReplacer);
  return text === undefined ? undefined : JSON.parse(text);
}

/** One value as JSON.stringify would see it before writing it: toJSON applied, bigints replaced. Objects and arrays are left to the caller. */
function scalar(value: unknown): unknown {
  let v = value;
  if (v !== null && typeof v === 'object' && typeof (v as { toJSON?: unknown }).toJSON === 'function') v = (v as { toJSON(key: string): unknown }).toJSON('');
  if (typeof v === 'bigint') v = jsonReplacer('', v);
  if (typeof v === 'number') return Number.isFinite(v) ? v + 0 : null; // -0 reads back from JSON as 0
  if (v === undefined || typeof v === 'function' || typeof v === 'symbol') return undefined;
  return v;
}

// zod v3's uuid check (types.js: uuidRegex), which zod does not export.
const UUID = /^[0-9a-fA-F]{8}\b-[0-9a-fA-F]{4}\b-[0-9a-fA-F]{4}\b-[0-9a-fA-F]{4}\b-[0-9a-fA-F]{12}$/i;

type Def = { typeName: string; [k: string]: unknown };
type Check = { kind: string; value?: unknown; inclusive?: boolean; precision?: number | null; offset?: boolean; local?: boolean };

/** zod's own answer for a part the shaper does not know, on the value as JSON. */
function byZod(schema: ZodTypeAny): Shaper {
  return (value) => {
    const r = schema.safeParse(asJson(value));
    return r.success ? r.data : MISMATCH;
  };
}

function stringShaper(schema: ZodTypeAny, def: Def): Shaper {
  if (def.coerce) return byZod(schema);
  const tests: Array<(s: string) => boolean> = [];
  for (const c of def.checks as Check[]) {
    const n = c.value as number;
    if (c.kind === 'min') tests.push((s) => s.length >= n);
    else if (c.kind === 'max') tests.push((s) => s.length <= n);
    else if (c.kind === 'length') tests.push((s) => s.length === n);
    else if (c.kind === 'uuid') tests.push((s) => UUID.test(s));
    else if (c.kind === 'datetime') {
      const re = datetimeRegex({ precision: c.precision ?? null, offset: c.offset ?? false, local: c.local ?? false } as Parameters<typeof datetimeRegex>[0]);
      tests.push((s) => re.test(s));
    } else return byZod(schema);
  }
  return (v) => {
    if (typeof v !== 'string') return MISMATCH;
    for (const t of tests) if (!t(v)) return MISMATCH;
    return v;
  };
}

function numberShaper(schema: ZodTypeAny, def: Def): Shaper {
  if (def.coerce) return byZod(schema);
  const tests: Array<(n: number) => boolean> = [];
  for (const c of def.checks as Check[]) {
    const n = c.value as number;
    if (c.kind === 'int') tests.push((x) => Number.isInteger(x));
    else if (c.kind === 'finite') tests.push((x) => Number.isFinite(x));
    else if (c.kind === 'min') tests.push(c.inclusive ? (x) => x >= n : (x) => x > n);
    else if (c.kind === 'max') tests.push(c.inclusive ? (x) => x <= n : (x) => x < n);
    else return byZod(schema);
  }
  return (v) => {
    if (typeof v !== 'number' || Number.isNaN(v)) return MISMATCH;
    for (const t of tests) if (!t(v)) return MISMATCH;
    return v;
  };
}

function objectShaper(schema: ZodTypeAny, def: Def): Shaper {
  const catchall = (def.catchall as ZodTypeAny | undefined)?._def as Def | undefined;
  if (def.unknownKeys !== 'strip' || (catchall && catchall.typeName !== 'ZodNever')) return byZod(schema);
  const shape = (def.shape as () => Record<string, ZodTypeAny>)();
  const keys = Object.keys(shape);
  const shapers = keys.map((k) => compile(shape[k]!));
  return (v) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return MISMATCH;
    const out: Record<string, unknown> = {};
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i]!;
      const shaped = shapers[i]!(scalar((v as Record<string, unknown>)[key]));
      if (shaped === MISMATCH) return MISMATCH;
      if (shaped !== undefined && key !== '__proto__') out[key] = shaped;
    }
    return out;
  };
}

function arrayShaper(def: Def): Shaper {
  const item = compile(def.type as ZodTypeAny);
  const len = (k: string) => (def[k] as { value: number } | null)?.value;
  const exact = len('exactLength');
  const min = len('minLength');
  const max = len('maxLength');
  return (v) => {
    if (!Array.isArray(v)) return MISMATCH;
    if ((exact !== undefined && v.length !== exact) || (min !== undefined && v.length < min) || (max !== undefined && v.length > max)) return MISMATCH;
    const out = new Array<unknown>(v.length);
    for (let i = 0; i < v.length; i++) {
      // In an array JSON writes what it cannot write as null.
      const x = scalar(v[i]);
      const shaped = item(x === undefined ? null : x);
      if (shaped === MISMATCH) return MISMATCH;
      out[i] = shaped;
    }
    return out;
  };
}

const cache = new WeakMap<ZodTypeAny, Shaper>();

function compile(schema: ZodTypeAny): Shaper {
  const known = cache.get(schema);
  if (known) return known;
  const def = schema._def as Def;
  let shaper: Shaper;
  switch (def.typeName) {
    case 'ZodString':
      shaper = stringShaper(schema, def);
      break;
    case 'ZodNumber':
      shaper = numberShaper(schema, def);
      break;
    case 'ZodBoolean':
      shaper = def.coerce
        ? byZod(schema)
        : (v) => (typeof v === 'boolean' ? v : MISMATCH);
      break;
    case 'ZodEnum': {
      const values = new Set(def.values as string[]);
      shaper = (v) => (typeof v === 'string' && values.has(v) ? v : MISMATCH);
      break;
    }
    case 'ZodLiteral':
      shaper = (v) => (v === def.value ? def.value : MISMATCH);
      break;
    case 'ZodNull':
      shaper = (v) => (v === null ? null : MISMATCH);
      break;
    case 'ZodOptional': {
      const inner = compile(def.innerType as ZodTypeAny);
      shaper = (v) => (v === undefined ? undefined : inner(v));
      break;
    }
    case 'ZodNullable': {
      const inner = compile(def.innerType as ZodTypeAny);
      shaper = (v) => (v === null ? null : inner(v));
      break;
    }
    case 'ZodObject':
      shaper = objectShaper(schema, def);
      break;
    case 'ZodArray':
      shaper = arrayShaper(def);
      break;
    default:
      shaper = byZod(schema);
  }
  cache.set(schema, shaper);
  return shaper;
}

/**
 * The answer shaper of a response schema: returns what
 * `schema.safeParse(asJson(value))` returns as data, or MISMATCH where that
 * fails. (An answer of `undefined` is written as null, as before.)
 */
export function compileAnswerShape(schema: ZodTypeAny): (value: unknown) => unknown {
  const shaper = compile(schema);
  return (value) => shaper(value === undefined ? null : scalar(value));
}
