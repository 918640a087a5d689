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

  it('accepts plain http for a key set on a loopback address only, and reads the token limits and the allow-list', () => {
    for (const url of ['http://127.0.0.1:4000/jwks', 'http://localhost/jwks', 'http://[::1]:8080/jwks']) {
      expect(loadOidcConfig({ ...BASE, LEDGER_OIDC_JWKS_URL: url })?.jwksUrl?.href).toBe(new URL(url).href);
    }
    expect(loadOidcConfig({ ...BASE, LEDGER_OIDC_PUBLIC_KEY: PEM })).toMatchObject({ maxTokenAgeSeconds: 86_400, maxTokenLifetimeSeconds: 86_400, privilegedSubjects: new Set() });
    const configured = loadOidcConfig({
      ...BASE,
      LEDGER_OIDC_PUBLIC_KEY: PEM,
      LEDGER_OIDC_MAX_TOKEN_AGE_SECONDS: '3600',
      LEDGER_OIDC_MAX_TOKEN_LIFETIME_SECONDS: '600',
      LEDGER_OIDC_PRIVILEGED_SUBJECTS: 'https://idp.example/|auth0|42 , https://idp.example/|ops@example.com',
    });
    expect(configured).toMatchObject({ maxTokenAgeSeconds: 3600, maxTokenLifetimeSeconds: 600 });
    expect([...configured!.privilegedSubjects]).toEqual(['https://idp.example/|auth0|42', 'https://idp.example/|ops@example.com']);
  });

  it.each<[string, NodeJS.ProcessEnv, RegExp]>([
    ['settings without an issuer', { LEDGER_OIDC_AUDIENCE: 'ledger' }, /need LEDGER_OIDC_ISSUER/],
    ['no audience', { LEDGER_OIDC_ISSUER: 'https://idp.example/', LEDGER_OIDC_JWKS_URL: 'https://idp.example/jwks' }, /AUDIENCE/],
    ['no key source', BASE, /exactly one/],
    ['two key sources', { ...BASE, LEDGER_OIDC_JWKS_URL: 'https://idp.example/jwks', LEDGER_OIDC_PUBLIC_KEY: PEM }, /exactly one/],
    ['a JWKS URL that is not one', { ...BASE, LEDGER_OIDC_JWKS_URL: 'not a url' }, /not a URL/],
    ['a JWKS URL of another scheme', { ...BASE, LEDGER_OIDC_JWKS_URL: 'file:///etc/jwks.json' }, /https/],
    ['a plain-http JWKS URL on the network', { ...BASE, LEDGER_OIDC_JWKS_URL: 'http://idp.example/jwks' }, /must be an https URL/],
    ['a plain-http JWKS URL on a private address', { ...BASE, LEDGER_OIDC_JWKS_URL: 'http://10.0.0.5/jwks' }, /must be an https URL/],
    ['a plain-http JWKS URL whose host merely starts like loopback', { ...BASE, LEDGER_OIDC_JWKS_URL: 'http://127.0.0.1.evil.example/jwks' }, /must be an https URL/],
    ['a privileged subject without its issuer', { ...BASE, LEDGER_OIDC_PUBLIC_KEY: PEM, LEDGER_OIDC_PRIVILEGED_SUBJECTS: 'alice' }, /not issuer\|subject/],
    ['a privileged issuer without a subject', { ...BASE, LEDGER_OIDC_PUBLIC_KEY: PEM, LEDGER_OIDC_PRIVILEGED_SUBJECTS: 'https://idp.example/|' }, /not issuer\|subject/],
    ['a maximum token age out of range', { ...BASE, LEDGER_OIDC_PUBLIC_KEY: PEM, LEDGER_OIDC_MAX_TOKEN_AGE_SECONDS: '31536000' }, /60 to 604800/],
    ['a maximum token lifetime that is not a number', { ...BASE, LEDGER_OIDC_PUBLIC_KEY: PEM, LEDGER_OIDC_MAX_TOKEN_LIFETIME_SECONDS: 'forever' }, /60 to 604800/],
    ['a key that is not PEM', { ...BASE, LEDGER_OIDC_PUBLIC_KEY: 'hunter2' }, /not a PEM public key/],
    ['a tolerance out of range', { ...BASE, LEDGER_OIDC_JWKS_URL: 'https://idp.example/jwks', LEDGER_OIDC_CLOCK_TOLERANCE_SECONDS: '3600' }, /0 to 300/],
  ])('refuses %s at start-up', (_what, env, message) => {
    expect(() => loadOidcConfig(env)).toThrow(message);
  });
});
