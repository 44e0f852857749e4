import { describe, expect, it } from 'vitest';
import { API_KEY_PREFIX, displayPrefix, generateApiKeySecret, hashApiKey, isWellFormedApiKey } from './api-key-secret.js';

describe('API key secrets', () => {
  it('carry the prefix, 256 random bits in base62 and a checksum a scanner can verify offline', () => {
    const secret = generateApiKeySecret();
    expect(secret.startsWith(API_KEY_PREFIX)).toBe(true);
    expect(secret).toMatch(/^rgk_[0-9A-Za-z]{49}$/);
    expect(isWellFormedApiKey(secret)).toBe(true);
    // one changed character breaks the checksum
    const i = API_KEY_PREFIX.length + 5;
    const tampered = secret.slice(0, i) + (secret[i] === 'a' ? 'b' : 'a') + secret.slice(i + 1);
    expect(isWellFormedApiKey(tampered)).toBe(false);
    expect(isWellFormedApiKey('rgk_short')).toBe(false);
  });

  it('are unique and spread over the whole alphabet', () => {
    const seen = new Set(Array.from({ length: 2000 }, generateApiKeySecret));
    expect(seen.size).toBe(2000);
    const chars = new Set([...seen].join('').replace(/^rgk_/gm, ''));
    expect(chars.size).toBeGreaterThan(60);
  });

  it('hash with the pepper (HMAC-SHA256) and show only a short prefix', () => {
    const secret = generateApiKeySecret();
    expect(hashApiKey('pepper-a', secret)).toMatch(/^[0-9a-f]{64}$/);
    expect(hashApiKey('pepper-a', secret)).not.toBe(hashApiKey('pepper-b', secret));
    expect(displayPrefix(secret)).toHaveLength(12);
    expect(secret.startsWith(displayPrefix(secret))).toBe(true);
  });
});
