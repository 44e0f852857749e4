/**
 * Do a form value (converted for Prisma) and a stored value mean the same thing?
 * Dates by instant, numbers and BigInt by their decimal text, Json and lists by
 * content; null, undefined and '' are all "no value".
 */
export function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(normal(a)) === JSON.stringify(normal(b));
}

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;

function normal(v: unknown): unknown {
  if (v === undefined || v === null || v === '') return null;
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? String(v) : v.toISOString();
  if (typeof v === 'string' && ISO.test(v)) {
    const d = new Date(v);
    return Number.isNaN(d.getTime()) ? v : d.toISOString();
  }
  if (typeof v === 'bigint' || typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return v.map(normal);
  if (typeof v === 'object') {
    // Prisma.Decimal and the like print their value; plain Json objects compare by content.
    const proto = Object.getPrototypeOf(v);
    if (proto !== Object.prototype && proto !== null && typeof (v as { toString(): string }).toString === 'function') return String(v);
    return Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([x], [y]) => (x < y ? -1 : 1)).map(([k, x]) => [k, normal(x)]));
  }
  return v;
}
