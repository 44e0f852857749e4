import crypto from 'node:crypto';

/**
 * A UUID version 7 (RFC 9562): the instant's Unix milliseconds in the first
 * 48 bits, then the version, 74 random bits and the variant. Ids made one
 * after another sort by time, so a B-tree on them grows at its right edge like
 * one on a timestamp, where random (version 4) ids land on any page of it: the
 * usage ledger's index on id (0022_ledger_id_index) stays cheap to write at
 * millions of rows. Any UUID column takes them.
 */
export function timeOrderedId(at: Date | number = Date.now()): string {
  const ms = Math.max(0, Math.floor(typeof at === 'number' ? at : at.getTime()));
  const time = ms.toString(16).padStart(12, '0').slice(-12);
  // randomUUID is v4: xxxxxxxx-xxxx-4xxx-Vxxx-xxxxxxxxxxxx (V: the RFC variant, 8 to b). Its random digits are kept.
  const random = crypto.randomUUID();
  return `${time.slice(0, 8)}-${time.slice(8)}-7${random.slice(15, 18)}-${random.slice(19)}`;
}
