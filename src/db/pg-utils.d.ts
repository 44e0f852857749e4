/** node-postgres's own value serializer (what it sends for a bound parameter); untyped upstream. */
declare module 'pg/lib/utils.js' {
  export function prepareValue(value: unknown): string | Buffer | null;
}
