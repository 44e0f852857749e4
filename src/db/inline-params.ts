import pg from 'pg';
// prepareValue turns a JS value into the text node-postgres would send as a bound parameter.
import { prepareValue } from 'pg/lib/utils.js';

/**
 * Writes `$1`, `$2`, ... of a parameterized statement as SQL literals: the
 * very text node-postgres would bind (prepareValue), quoted by escapeLiteral.
 * It exists so that several statements can travel in ONE simple-protocol
 * message ("BEGIN; SELECT ...; SELECT ..."), which the extended protocol
 * cannot do: the hot path's batch then costs two round trips instead of six.
 * Every placeholder in the text must carry a cast (`$1::uuid[]`), as it
 * would for a bound parameter; values are never spliced in unquoted.
 */
export function inlineParams(text: string, values: readonly unknown[]): string {
  return text.replace(/\$(\d+)/g, (_, n: string) => {
    const i = Number(n) - 1;
    if (i < 0 || i >= values.length) throw new Error(`inlineParams: no value for $${n}`);
    const v = prepareValue(values[i]);
    if (v === null) return 'NULL';
    if (Buffer.isBuffer(v)) throw new Error('inlineParams: binary values are not supported');
    return pg.escapeLiteral(String(v));
  });
}
