import crypto from 'node:crypto';

/**
 * AES-256-GCM for secrets we must be able to read back (provider API keys,
 * vector server passwords). Output: "v1.<iv>.<tag>.<ciphertext>", base64url parts.
 */
const VERSION = 'v1';

function key(hex: string): Buffer {
  const k = Buffer.from(hex, 'hex');
  if (k.length !== 32) throw new Error('ENCRYPTION_KEY must be 32 bytes (64 hex characters)');
  return k;
}

/** Encrypts with a fresh 96-bit IV; the tag authenticates the ciphertext. */
export function encryptSecret(keyHex: string, plaintext: string): string {
  const iv = crypto.randomBytes(12);
  const cipher = crypto.createCipheriv('aes-256-gcm', key(keyHex), iv);
  const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return [VERSION, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), data.toString('base64url')].join('.');
}

/** Decrypts; throws when the value was tampered with or made with another key. */
export function decryptSecret(keyHex: string, boxed: string): string {
  const [version, iv, tag, data] = boxed.split('.');
  if (version !== VERSION || !iv || !tag || data === undefined) throw new Error('not an encrypted secret');
  const decipher = crypto.createDecipheriv('aes-256-gcm', key(keyHex), Buffer.from(iv, 'base64url'));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  return Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]).toString('utf8');
}
