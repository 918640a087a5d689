import { createHash, randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import type { ApiKeyDerivation } from '#domain';

/** 256 random bits, URL-safe: `tl_<keyId>_<secret>`. The key id lets an operator name a key without knowing it. */
export function generateApiKey(): { apiKey: string; apiKeyId: string } {
  const apiKeyId = randomBytes(6).toString('hex');
  return { apiKey: `tl_${apiKeyId}_${randomBytes(32).toString('base64url')}`, apiKeyId };
}

export function apiKeyIdOf(apiKey: string): string {
  return /^tl_([0-9a-f]{12})_/.exec(apiKey)?.[1] ?? 'external';
}

/**
 * A generated key's verifier: SHA-256, hex. A slow hash would buy nothing for 256 random bits (no
 * guess list gets anywhere near them) and would cost every request; a key chosen by a person gets
 * a slow salted one instead (`deriveChosenKeyVerifier`, decision 029).
 */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** What the guard accepts as an API key at all (`ApiKeyGuard`): a chosen key must fit it to be usable. */
const USABLE_KEY = /^[A-Za-z0-9_\-.]{16,200}$/;
const MIN_OPERATOR_KEY_BITS = 128;
const MIN_DISTINCT_CHARACTERS = 10;

/**
 * Why a chosen LEDGER_OPERATOR_KEY is too weak to be the operator's key, or undefined when it is not
 * (decision 029). The estimate is length × log2(the alphabet of the character classes used: 26
 * lower-case letters, 26 upper-case, 10 digits, 3 of `_-.`), which is what a random key of that
 * shape carries; it must reach 128 bits, e.g. 22 characters of base64url or 32 hex digits. It cannot
 * see that a long key is a phrase or a pattern, so it also wants 10 distinct characters (no `aaaa…`);
 * the slow salted verifier is what protects a chosen key that is weaker than it looks.
 */
export function operatorKeyWeakness(key: string): string | undefined {
  const remedy = 'generate one, e.g. `openssl rand -base64 32 | tr "+/" "-_" | tr -d "="`, or leave LEDGER_OPERATOR_KEY unset on the first start and the ledger generates one';
  if (!USABLE_KEY.test(key)) return `LEDGER_OPERATOR_KEY must be 16 to 200 letters, digits, "_", "-" or "." (${remedy})`;
  const alphabet = (/[a-z]/.test(key) ? 26 : 0) + (/[A-Z]/.test(key) ? 26 : 0) + (/[0-9]/.test(key) ? 10 : 0) + (/[_\-.]/.test(key) ? 3 : 0);
  const bits = Math.floor(key.length * Math.log2(alphabet));
  if (bits < MIN_OPERATOR_KEY_BITS) {
    return `LEDGER_OPERATOR_KEY carries about ${bits} bits (${key.length} characters from an alphabet of ${alphabet}); the operator's key needs at least ${MIN_OPERATOR_KEY_BITS}: ${remedy}`;
  }
  if (new Set(key).size < MIN_DISTINCT_CHARACTERS) {
    return `LEDGER_OPERATOR_KEY uses only ${new Set(key).size} distinct characters; a key of at least ${MIN_DISTINCT_CHARACTERS} is wanted: ${remedy}`;
  }
  return undefined;
}

/**
 * scrypt's cost for a chosen key: N = 2^15, r = 8, p = 1 (32 MiB, a few hundred milliseconds once
 * per start). The parameters travel with the event, so a later start can raise them for new keys
 * and still check old ones.
 */
export const CHOSEN_KEY_SCRYPT = { cost: 2 ** 15, blockSize: 8, parallelization: 1 } as const;

export interface ChosenKeyVerifier {
  /** scrypt of the key, hex: stored as the key's `keyHash`, so the read model finds it like any other. */
  readonly hash: string;
  readonly derivation: ApiKeyDerivation;
}

function scryptHex(key: string, derivation: ApiKeyDerivation): Promise<string> {
  const { cost: N, blockSize: r, parallelization: p } = derivation;
  return new Promise((resolve, reject) =>
    // maxmem: scrypt needs about 128·N·r bytes; Node's default ceiling (32 MiB) is just below that.
    scrypt(key, Buffer.from(derivation.salt, 'base64url'), 32, { N, r, p, maxmem: 256 * N * r }, (error, derived) => (error ? reject(error) : resolve(derived.toString('hex')))),
  );
}

/** A fresh salt (128 bits) and the current cost: the verifier a chosen key is registered with. */
export async function deriveChosenKeyVerifier(key: string): Promise<ChosenKeyVerifier> {
  const derivation: ApiKeyDerivation = { algorithm: 'scrypt', salt: randomBytes(16).toString('base64url'), ...CHOSEN_KEY_SCRYPT };
  return { hash: await scryptHex(key, derivation), derivation };
}

/** Whether `key` is the key recorded as `keyHash` with `derivation`; in constant time. */
export async function chosenKeyMatches(key: string, derivation: ApiKeyDerivation, keyHash: string): Promise<boolean> {
  const derived = Buffer.from(await scryptHex(key, derivation), 'hex');
  const stored = Buffer.from(keyHash, 'hex');
  return derived.length === stored.length && timingSafeEqual(derived, stored);
}
