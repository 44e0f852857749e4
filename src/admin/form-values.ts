import { ValidationError } from 'adminjs';

// Form values in, column values out. AdminJS's own converter turns '' into 0
// (so "unlimited" (null) became zero) and BigInt into an inexact Number, so
// prisma-resource.ts gives numeric properties the raw type 'string' and converts here.

export const NUMERIC = new Set(['Int', 'BigInt', 'Float', 'Decimal']);
const INT32 = 2 ** 31;

export function toNumber(key: string, type: string, value: unknown): number | bigint | string {
  const text = String(value).trim();
  if (type === 'BigInt' && /^-?\d+$/.test(text)) return BigInt(text);
  if (type === 'Int' && /^-?\d+$/.test(text) && Math.abs(Number(text)) < INT32) return Number(text);
  if (type === 'Int' && /^-?\d+$/.test(text)) throw new ValidationError({ [key]: { message: 'Out of range' } });
  if (type === 'Decimal' && /^-?\d+(\.\d+)?$/.test(text)) return text;
  if (type === 'Float' && text !== '' && Number.isFinite(Number(text))) return Number(text);
  throw new ValidationError({ [key]: { message: type === 'Float' || type === 'Decimal' ? 'Must be a number' : 'Must be a whole number' } });
}

export function parseJson(key: string, value: unknown): unknown {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value);
  } catch {
    throw new ValidationError({ [key]: { message: 'Must be valid JSON' } });
  }
}
