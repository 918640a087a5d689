/**
 * What a bearer token must say about its age, and which organisations it may reach (decision 029).
 */
import { describe, expect, it } from '@jest/globals';
import { generateKeyPairSync } from 'node:crypto';
import { SignJWT, type JWTPayload } from 'jose';
import type { OrganisationFacts } from '#domain';
import { loadOidcConfig } from './oidc.config.js';
import { OidcTokenVerifier } from './oidc-token.verifier.js';

const ISSUER = 'https://idp.example/';
const ORG = '0190a000-0000-7000-8000-000000000001';
const NOW = new Date('2025-03-01T12:00:00.000Z');
const now = Math.floor(NOW.getTime() / 1000);
const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });

const verifierWith = (env: NodeJS.ProcessEnv = {}): OidcTokenVerifier =>
  new OidcTokenVerifier(
    loadOidcConfig({ LEDGER_OIDC_ISSUER: ISSUER, LEDGER_OIDC_AUDIENCE: 'ledger', LEDGER_OIDC_PUBLIC_KEY: publicKey.export({ type: 'spki', format: 'pem' }).toString(), ...env })!,
    { now: () => NOW },
  );
const token = (claims: JWTPayload): Promise<string> =>
  new SignJWT({ iss: ISSUER, aud: 'ledger', sub: 'alice', ledger_org: ORG, iat: now - 60, exp: now + 600, ...claims }).setProtectedHeader({ alg: 'ES256' }).sign(privateKey);
const without = (name: string) => ({ [name]: undefined });
const organisation = (roles: OrganisationFacts['roles']): OrganisationFacts => ({ organisationId: ORG, name: 'Org', roles });

describe('OidcTokenVerifier: the age of a token', () => {
  it('accepts a fresh token and names its issuer and subject', async () => {
    await expect(verifierWith().verify(await token({}))).resolves.toEqual({ organisationId: ORG, subject: 'alice', issuer: ISSUER });
  });

  it.each<[string, JWTPayload, string]>([
    ['without iat', without('iat'), 'token-issued-at-missing'],
    ['issued more than 24 h ago, though not expired', { iat: now - 86_400 - 31, exp: now + 60 }, 'token-too-old'],
    ['valid for 50 years', { iat: now - 60, exp: now + 50 * 365 * 86_400 }, 'token-lifetime-too-long'],
    ['valid for a day and a minute', { iat: now - 60, exp: now - 60 + 86_460 }, 'token-lifetime-too-long'],
  ])('refuses a token %s', async (_what, claims, code) => {
    await expect(verifierWith().verify(await token(claims))).rejects.toMatchObject({ code });
  });

  it('takes the limits from LEDGER_OIDC_MAX_TOKEN_AGE_SECONDS and LEDGER_OIDC_MAX_TOKEN_LIFETIME_SECONDS', async () => {
    const strict = verifierWith({ LEDGER_OIDC_MAX_TOKEN_AGE_SECONDS: '300', LEDGER_OIDC_MAX_TOKEN_LIFETIME_SECONDS: '900' });
    await expect(strict.verify(await token({ iat: now - 400, exp: now + 300 }))).rejects.toMatchObject({ code: 'token-too-old' });
    await expect(strict.verify(await token({ iat: now - 60, exp: now + 900 }))).rejects.toMatchObject({ code: 'token-lifetime-too-long' });
    await expect(strict.verify(await token({ iat: now - 60, exp: now + 800 }))).resolves.toMatchObject({ subject: 'alice' });
  });
});

describe('OidcTokenVerifier: operator and auditor organisations', () => {
  it.each([['operator' as const], ['auditor' as const]])('refuses a token for an %s organisation unless the allow-list names its issuer and subject', async (role) => {
    const verified = await verifierWith().verify(await token({}));
    expect(() => verifierWith().admit(verified, organisation([role]))).toThrow(expect.objectContaining({ code: 'token-privileged-subject-not-allowed', kind: 'forbidden' }));
    const allowing = verifierWith({ LEDGER_OIDC_PRIVILEGED_SUBJECTS: `https://other.example/|alice, ${ISSUER}|bob` });
    expect(() => allowing.admit(verified, organisation([role]))).toThrow(expect.objectContaining({ code: 'token-privileged-subject-not-allowed' }));
    const allowed = verifierWith({ LEDGER_OIDC_PRIVILEGED_SUBJECTS: `${ISSUER}|bob,${ISSUER}|alice` });
    expect(() => allowed.admit(verified, organisation([role]))).not.toThrow();
  });

  it('refuses a privileged organisation to a token without a subject, whatever the allow-list says', async () => {
    const verified = await verifierWith().verify(await token(without('sub')));
    expect(() => verifierWith({ LEDGER_OIDC_PRIVILEGED_SUBJECTS: `${ISSUER}|alice` }).admit(verified, organisation(['operator']))).toThrow(
      expect.objectContaining({ code: 'token-privileged-subject-not-allowed' }),
    );
  });

  it('lets a token act for any other organisation, as before', async () => {
    const verified = await verifierWith().verify(await token({}));
    expect(() => verifierWith().admit(verified, organisation(['sorter', 'collector']))).not.toThrow();
  });
});
