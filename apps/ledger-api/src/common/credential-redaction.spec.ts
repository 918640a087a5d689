import { describe, expect, it } from '@jest/globals';
import { CredentialRedactor, REDACTED } from './credential-redaction.js';

describe('CredentialRedactor', () => {
  const operatorKey = 'Our.Own_operator-key.2026';
  const redactor = new CredentialRedactor([operatorKey, undefined, '']);

  it('given the operator key in any shape, anywhere in a value, then it is redacted', () => {
    expect(redactor.text(operatorKey)).toBe(REDACTED);
    expect(redactor.text(`see ${operatorKey}!`)).toBe(`see ${REDACTED}!`);
    expect(redactor.params({ organisationId: operatorKey })).toEqual({ organisationId: REDACTED });
  });

  it('given generated keys, JWTs and pasted Authorization values, then each is redacted', () => {
    expect(redactor.text('tl_0123456789ab_AbC-dEf_123')).toBe(REDACTED);
    expect(redactor.text('hook whsec_Qm9vb2tzQW5kV2Vic2FyZUZ1bkJ1dE5vdFRoaXMx')).toBe(`hook ${REDACTED}`);
    expect(redactor.text('eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxIn0.sig-nature_x')).toBe(REDACTED);
    expect(redactor.text('Bearer abc.def.ghi')).toBe(REDACTED);
    expect(redactor.text('basic dXNlcjpwYXNz')).toBe(REDACTED);
  });

  it('given a query, then parameters named like credentials are redacted whole and others scrubbed', () => {
    expect(redactor.query({ api_key: 'x', key: 'y', token: 'z', access_token: 'w', direction: 'upstream', ids: ['a', 'tl_0123456789ab_secret'] })).toEqual({
      api_key: REDACTED,
      key: REDACTED,
      token: REDACTED,
      access_token: REDACTED,
      direction: 'upstream',
      ids: ['a', REDACTED],
    });
  });

  it('given ordinary values, then they are kept as they are', () => {
    const uuid = '0190c0de-0000-7000-8000-000000000001';
    expect(redactor.text(uuid)).toBe(uuid);
    expect(redactor.text('basic grade')).toBe('basic grade');
    expect(redactor.query({ from: '2026-01-01T00:00:00Z', limit: 10 })).toEqual({ from: '2026-01-01T00:00:00Z', limit: 10 });
  });
});
