import { Inject, Injectable } from '@nestjs/common';
import { findApiKeyByHash, type ReadDb } from '#projections';
import { AuthenticationError } from '../common/authentication.errors.js';
import { hashApiKey } from './api-key.js';
import { READ_DB } from '../ledger/tokens.js';

export interface ResolvedApiKey {
  readonly organisationId: string;
  readonly keyId: string;
}

/**
 * How long this instance trusts a key it has found valid without asking the read model again. It
 * bounds how late a revocation made on another instance takes effect here (on top of this
 * instance's projection lag); a revocation made on this instance takes effect at once.
 */
export const API_KEY_CACHE_TTL_MS = 5_000;
const MAX_CACHED_KEYS = 10_000;

/**
 * API key → organisation, for the guard. The read model is the source of truth, but it may lag the
 * log (the projections run in a worker, and read-your-writes can be switched off), so the key
 * commands tell this resolver directly what they just did: a key revoked here fails on the very
 * next request, and a key issued here works on it. See docs/security.md, "Authentication".
 */
@Injectable()
export class ApiKeyResolver {
  /** Valid keys by SHA-256, each trusted until its deadline (monotonic milliseconds). */
  private readonly valid = new Map<string, ResolvedApiKey & { readonly until: number }>();
  /** `organisationId/keyId` of every key revoked through this instance. Revocations are rare and few. */
  private readonly revokedHere = new Set<string>();

  /**
   * The configured operator key, recorded by its scrypt (decision 029): its SHA-256, held in memory
   * only, → the stored verifier the read model knows it by. Checked once per start, so a request
   * never pays for scrypt, and an unknown key never makes the ledger run it.
   */
  private readonly chosen = new Map<string, string>();

  constructor(@Inject(READ_DB) private readonly db: ReadDb) {}

  /** Called at start by the operator bootstrap once scrypt showed that `apiKey` is the key stored as `storedHash`. */
  recogniseChosenKey(apiKey: string, storedHash: string): void {
    this.chosen.set(hashApiKey(apiKey), storedHash);
  }

  async resolve(apiKey: string): Promise<ResolvedApiKey> {
    const keyHash = hashApiKey(apiKey);
    const cached = this.valid.get(keyHash);
    let found: ResolvedApiKey;
    if (cached && cached.until > performance.now()) {
      found = cached;
    } else {
      this.valid.delete(keyHash);
      const row = await findApiKeyByHash(this.db, this.chosen.get(keyHash) ?? keyHash);
      if (!row) throw new AuthenticationError('unknown-api-key', 'unknown API key');
      if (row.revokedAt !== null) throw revokedError(row.keyId);
      found = { organisationId: row.organisationId, keyId: row.keyId };
      this.remember(keyHash, found);
    }
    if (this.revokedHere.has(`${found.organisationId}/${found.keyId}`)) {
      this.valid.delete(keyHash);
      throw revokedError(found.keyId);
    }
    return found;
  }

  /** Called by the command that revoked the key, right after its event is stored. */
  revoked(organisationId: string, keyId: string): void {
    this.revokedHere.add(`${organisationId}/${keyId}`);
    for (const [hash, key] of this.valid) if (key.organisationId === organisationId && key.keyId === keyId) this.valid.delete(hash);
  }

  /** Called by the command that issued the key, right after its event is stored. */
  issued(keyHash: string, key: ResolvedApiKey): void {
    if (!this.revokedHere.has(`${key.organisationId}/${key.keyId}`)) this.remember(keyHash, key);
  }

  private remember(keyHash: string, key: ResolvedApiKey): void {
    // Oldest first out: a flood of distinct valid keys cannot grow the map without bound.
    if (this.valid.size >= MAX_CACHED_KEYS) this.valid.delete(this.valid.keys().next().value!);
    this.valid.set(keyHash, { organisationId: key.organisationId, keyId: key.keyId, until: performance.now() + API_KEY_CACHE_TTL_MS });
  }
}

function revokedError(keyId: string): AuthenticationError {
  return new AuthenticationError('api-key-revoked', `API key ${keyId} has been revoked`);
}
