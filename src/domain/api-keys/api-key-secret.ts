import crypto from 'node:crypto';
import zlib from 'node:zlib';

/**
 * API key secrets: `rgk_` + 43 base62 characters of 256 random bits + 6 base62
 * characters of CRC32 over the random part. A scanner can tell a real key offline
 * from the prefix and the checksum; only an HMAC of the whole secret is stored.
 */
export const API_KEY_PREFIX = 'rgk_';
const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const BODY_LENGTH = 43; // ceil(256 / log2(62))
const CHECKSUM_LENGTH = 6; // ceil(32 / log2(62))
const SHAPE = new RegExp(`^${API_KEY_PREFIX}[0-9A-Za-z]{${BODY_LENGTH + CHECKSUM_LENGTH}}$`);

function base62(value: bigint, length: number): string {
  let out = '';
  let v = value;
  while (v > 0n) {
    out = ALPHABET[Number(v % 62n)] + out;
    v /= 62n;
  }
  return out.padStart(length, '0');
}

const checksum = (body: string) => base62(BigInt(zlib.crc32(body)), CHECKSUM_LENGTH);

/** A new secret with 256 bits from the CSPRNG. */
export function generateApiKeySecret(): string {
  const body = base62(BigInt(`0x${crypto.randomBytes(32).toString('hex')}`), BODY_LENGTH);
  return `${API_KEY_PREFIX}${body}${checksum(body)}`;
}

/** Offline check: right prefix, length, alphabet and checksum. */
export function isWellFormedApiKey(secret: string): boolean {
  if (!SHAPE.test(secret)) return false;
  const body = secret.slice(API_KEY_PREFIX.length, API_KEY_PREFIX.length + BODY_LENGTH);
  return secret.slice(-CHECKSUM_LENGTH) === checksum(body);
}

/** HMAC-SHA256(pepper, secret) as hex: what the database stores. */
export function hashApiKey(pepper: string, secret: string): string {
  return crypto.createHmac('sha256', pepper).update(secret).digest('hex');
}

/** What people see in lists: enough to tell keys apart, useless to an attacker. */
export function displayPrefix(secret: string): string {
  return secret.slice(0, API_KEY_PREFIX.length + 8);
}
