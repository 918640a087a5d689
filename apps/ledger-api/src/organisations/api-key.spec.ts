import { describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { ApiKeyDerivation } from '#domain';
import { apiKeyIdOf, chosenKeyMatches, CHOSEN_KEY_SCRYPT, deriveChosenKeyVerifier, generateApiKey, hashApiKey, operatorKeyWeakness } from './api-key.js';

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

describe('operatorKeyWeakness', () => {
  it.each([
    ['a generated key', () => generateApiKey().apiKey],
    ['22 characters of base64url (openssl rand -base64 16, made URL-safe)', () => 'Xq3_Vb9-kLm2Np7RsT4wYz'],
    ['32 hex digits (openssl rand -hex 16)', () => randomBytes(16).toString('hex')],
    ["the tests' chosen key", () => 'tl_000000000000_e2e-operator-key-with-enough-entropy'],
  ])('accepts %s: at least 128 bits', (_what, key) => {
    expect(operatorKeyWeakness(key())).toBeUndefined();
  });

  it.each([
    ['16 mixed characters, which the guard used to allow', 'Abcdefgh12345678', /about 95 bits .*needs at least 128/],
    ['21 characters of base64url', 'Xq3_Vb9-kLm2Np7RsT4wY', /about 126 bits/],
    ['26 lower-case letters', 'qwertyuiopasdfghjklzxcvbnm', /about 122 bits/],
    ['one character repeated', 'a'.repeat(60), /only 1 distinct characters/],
    ['a short pattern repeated', 'abc123'.repeat(10), /only 6 distinct characters/],
    ['characters no API key may hold', 'correct horse battery staple and more words', /16 to 200 letters/],
    ['fewer than 16 characters', 'Sh0rt', /16 to 200 letters/],
  ])('refuses %s, and says how to make a good one', (_what, key, reason) => {
    const weakness = operatorKeyWeakness(key);
    expect(weakness).toMatch(reason);
    expect(weakness).toContain('openssl rand');
  });
});

describe('the verifier of a chosen key', () => {
  it('is scrypt with a fresh salt and its cost recorded, never the SHA-256, and recognises the key only', async () => {
    const key = 'tl_000000000000_e2e-operator-key-with-enough-entropy';
    const first = await deriveChosenKeyVerifier(key);
    const second = await deriveChosenKeyVerifier(key);
    expect(first.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(first.hash).not.toBe(hashApiKey(key));
    expect(first.derivation).toEqual({ algorithm: 'scrypt', salt: expect.stringMatching(/^[A-Za-z0-9_-]{22}$/), ...CHOSEN_KEY_SCRYPT });
    expect(ApiKeyDerivation.parse(first.derivation)).toEqual(first.derivation);
    // Salted: the same key is recorded differently each time, so no table of precomputed hashes helps.
    expect(second.derivation.salt).not.toBe(first.derivation.salt);
    expect(second.hash).not.toBe(first.hash);
    await expect(chosenKeyMatches(key, first.derivation, first.hash)).resolves.toBe(true);
    await expect(chosenKeyMatches(`${key}x`, first.derivation, first.hash)).resolves.toBe(false);
    await expect(chosenKeyMatches(key, second.derivation, first.hash)).resolves.toBe(false);
  });
});
