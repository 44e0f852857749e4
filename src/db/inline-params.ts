// prepareValue turns a JS value into the text node-postgres would send as a bound parameter.
import { prepareValue } from 'pg/lib/utils.js';

/**
 * A string as a SQL literal: exactly what node-postgres's escapeLiteral
 * writes (quotes doubled; with a backslash, backslashes doubled and the
 * E'' form, so the text is read the same whatever standard_conforming_strings
 * says), built with two native replaces instead of one string concatenation
 * per character: the usage batch's literals run to tens of kilobytes.
 */
export function sqlLiteral(text: string): string {
  const quoted = text.includes("'") ? text.replace(/'/g, "''") : text;
  return text.includes('\\') ? ` E'${quoted.replace(/\\/g, '\\\\')}'` : `'${quoted}'`;
}

const PLACEHOLDER = /\$(\d+)/g;

/**
 * Writes `$1`, `$2`, ... of a parameterized statement as SQL literals: the
 * very text node-postgres would bind (prepareValue), quoted as escapeLiteral
 * quotes it (sqlLiteral).
 * It exists so that several statements can travel in ONE simple-protocol
 * message ("BEGIN; SELECT ...; SELECT ..."), which the extended protocol
 * cannot do: the hot path's batch then costs two round trips instead of six.
 * Every placeholder in the text must carry a cast (`$1::uuid[]`), as it
 * would for a bound parameter; values are never spliced in unquoted.
 */
export function inlineParams(text: string, values: readonly unknown[]): string {
  return text.replace(PLACEHOLDER, (_, n: string) => {
    const i = Number(n) - 1;
    if (i < 0 || i >= values.length) throw new Error(`inlineParams: no value for $${n}`);
    const v = prepareValue(values[i]);
    if (v === null) return 'NULL';
    if (Buffer.isBuffer(v)) throw new Error('inlineParams: binary values are not supported');
    return sqlLiteral(String(v));
  });
}
