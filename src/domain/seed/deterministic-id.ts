import crypto from 'node:crypto';

// A fixed namespace: the same natural key always yields the same id, on every
// machine and every run, which is what makes the demo seed idempotent.
const DEMO_NAMESPACE = '5b2f8a3e-7c41-4d0e-9a6b-1f3c2d4e5a60';

const namespaceBytes = Buffer.from(DEMO_NAMESPACE.replace(/-/g, ''), 'hex');

/** RFC 4122 UUIDv5 (SHA-1, name-based) of `kind:naturalKey` in the demo namespace. */
export function demoId(kind: string, naturalKey: string): string {
  const hash = crypto.createHash('sha1').update(namespaceBytes).update(`${kind}:${naturalKey}`, 'utf8').digest();
  const b = Buffer.from(hash.subarray(0, 16));
  b[6] = (b[6]! & 0x0f) | 0x50; // version 5
  b[8] = (b[8]! & 0x3f) | 0x80; // RFC 4122 variant
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** mulberry32: a tiny seeded PRNG, so synthetic usage is reproducible from its seed. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A 32-bit seed from a string (FNV-1a), for mulberry32. */
export function seedFrom(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** Cryptographically random base62 string (crypto.randomInt is unbiased). 20 chars ≈ 119 bits. */
export function randomBase62(length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += BASE62[crypto.randomInt(62)];
  return out;
}

/** A generated sign-in password: 20 base62 characters. */
export const generatePassword = (): string => randomBase62(20);
