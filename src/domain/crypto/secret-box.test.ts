import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decryptSecret, encryptSecret } from './secret-box.js';

const KEY = crypto.randomBytes(32).toString('hex');

describe('secret box (AES-256-GCM)', () => {
  it('round-trips and never repeats a ciphertext', () => {
    const a = encryptSecret(KEY, 'sk-provider-secret');
    const b = encryptSecret(KEY, 'sk-provider-secret');
    expect(a).not.toBe(b);
    expect(a).not.toContain('sk-provider-secret');
    expect(decryptSecret(KEY, a)).toBe('sk-provider-secret');
  });

  it('rejects tampering and the wrong key', () => {
    const boxed = encryptSecret(KEY, 'secret');
    const parts = boxed.split('.');
    parts[3] = Buffer.from('other').toString('base64url');
    expect(() => decryptSecret(KEY, parts.join('.'))).toThrow();
    expect(() => decryptSecret(crypto.randomBytes(32).toString('hex'), boxed)).toThrow();
  });
});
