import { describe, expect, it } from '@jest/globals';
import { apiKeyIdOf, generateApiKey } from './api-key.js';

describe('generateApiKey', () => {
  it('makes tl_<12 hex id>_<256 random bits, base64url>, never the same twice', () => {
    const keys = Array.from({ length: 2_000 }, () => generateApiKey());
    for (const { apiKey, apiKeyId } of keys) {
      expect(apiKey).toMatch(/^tl_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$/);
      expect(Buffer.from(apiKey.slice(16), 'base64url')).toHaveLength(32);
      expect(apiKeyIdOf(apiKey)).toBe(apiKeyId);
    }
    expect(new Set(keys.map((k) => k.apiKey)).size).toBe(keys.length);
    expect(new Set(keys.map((k) => k.apiKey.slice(16))).size).toBe(keys.length);
  });

  it('names a key chosen by the operator (LEDGER_OPERATOR_KEY) "external"', () => {
    expect(apiKeyIdOf('my-own-operator-key-1234')).toBe('external');
  });
});
