import { describe, expect, it } from '@jest/globals';
import { generateKeyPairSync } from 'node:crypto';
import { loadOidcConfig } from './oidc.config.js';

const PEM = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
const BASE = { LEDGER_OIDC_ISSUER: 'https://idp.example/', LEDGER_OIDC_AUDIENCE: 'ledger' };

describe('loadOidcConfig', () => {
  it('is off without an issuer', () => {
    expect(loadOidcConfig({})).toBeUndefined();
  });

  it('reads a JWKS URL or a PEM key (with escaped newlines), the claim and the tolerance', () => {
    expect(loadOidcConfig({ ...BASE, LEDGER_OIDC_JWKS_URL: 'https://idp.example/jwks' })).toMatchObject({
      issuer: 'https://idp.example/',
      audience: 'ledger',
      jwksUrl: new URL('https://idp.example/jwks'),
      publicKey: undefined,
      organisationClaim: 'ledger_org',
      clockToleranceSeconds: 30,
    });
    const withKey = loadOidcConfig({ ...BASE, LEDGER_OIDC_PUBLIC_KEY: PEM.replace(/\n/g, '\\n'), LEDGER_OIDC_ORG_CLAIM: 'org', LEDGER_OIDC_CLOCK_TOLERANCE_SECONDS: '0' });
    expect(withKey?.publicKey?.asymmetricKeyType).toBe('ec');
    expect(withKey).toMatchObject({ organisationClaim: 'org', clockToleranceSeconds: 0 });
  });

  it.each<[string, NodeJS.ProcessEnv, RegExp]>([
    ['settings without an issuer', { LEDGER_OIDC_AUDIENCE: 'ledger' }, /need LEDGER_OIDC_ISSUER/],
    ['no audience', { LEDGER_OIDC_ISSUER: 'https://idp.example/', LEDGER_OIDC_JWKS_URL: 'https://idp.example/jwks' }, /AUDIENCE/],
    ['no key source', BASE, /exactly one/],
    ['two key sources', { ...BASE, LEDGER_OIDC_JWKS_URL: 'https://idp.example/jwks', LEDGER_OIDC_PUBLIC_KEY: PEM }, /exactly one/],
    ['a JWKS URL that is not one', { ...BASE, LEDGER_OIDC_JWKS_URL: 'not a url' }, /not a URL/],
    ['a JWKS URL of another scheme', { ...BASE, LEDGER_OIDC_JWKS_URL: 'file:///etc/jwks.json' }, /https/],
    ['a key that is not PEM', { ...BASE, LEDGER_OIDC_PUBLIC_KEY: 'hunter2' }, /not a PEM public key/],
    ['a tolerance out of range', { ...BASE, LEDGER_OIDC_JWKS_URL: 'https://idp.example/jwks', LEDGER_OIDC_CLOCK_TOLERANCE_SECONDS: '3600' }, /0 to 300/],
  ])('refuses %s at start-up', (_what, env, message) => {
    expect(() => loadOidcConfig(env)).toThrow(message);
  });
});
