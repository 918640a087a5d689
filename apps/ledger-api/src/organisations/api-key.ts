import { createHash, randomBytes } from 'node:crypto';

/** 256 random bits, URL-safe: `tl_<keyId>_<secret>`. The key id lets an operator name a key without knowing it. */
export function generateApiKey(): { apiKey: string; apiKeyId: string } {
  const apiKeyId = randomBytes(6).toString('hex');
  return { apiKey: `tl_${apiKeyId}_${randomBytes(32).toString('base64url')}`, apiKeyId };
}

export function apiKeyIdOf(apiKey: string): string {
  return /^tl_([0-9a-f]{12})_/.exec(apiKey)?.[1] ?? 'external';
}

/** Keys are stored only as this hash (SHA-256, hex). */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}
