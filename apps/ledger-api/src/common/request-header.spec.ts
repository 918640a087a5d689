import { describe, expect, it } from '@jest/globals';
import { HttpException } from '@nestjs/common';
import { correlationIdOf, malformedClientId } from './request-header.js';

const codeOf = (error: HttpException | undefined) => (error?.getResponse() as { code?: string } | undefined)?.code;

describe('client-chosen ids', () => {
  it.each([
    ['a UUID', '0190c0de-0000-7000-8000-000000000001'],
    ['a W3C traceparent', '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'],
    ['an AWS trace id', 'Root=1-5759e988-bd862e3fe1be46a994272793'.replace('=', ':')],
    ['64 characters', 'a'.repeat(64)],
  ])('given %s as X-Correlation-Id, then it is kept', (_, id) => {
    expect(malformedClientId({ headers: { 'x-correlation-id': id } })).toBeUndefined();
    expect(correlationIdOf({ headers: { 'x-correlation-id': id } })).toBe(id);
  });

  it.each([
    ['65 characters', 'a'.repeat(65)],
    ['a formula', '=HYPERLINK("x")'],
    ['an empty value', ''],
    ['a space', 'a b'],
    ['non-ASCII', 'sporingsnøgle'],
  ])('given %s as X-Correlation-Id, then it is refused as invalid-correlation-id', (_, id) => {
    expect(codeOf(malformedClientId({ headers: { 'x-correlation-id': id } }))).toBe('invalid-correlation-id');
    expect(() => correlationIdOf({ headers: { 'x-correlation-id': id } })).toThrow(HttpException);
  });

  it('given a repeated X-Correlation-Id or a malformed X-Request-Id, then each is refused with its own code', () => {
    expect(codeOf(malformedClientId({ headers: { 'x-correlation-id': ['a', 'b'] } }))).toBe('invalid-correlation-id');
    expect(codeOf(malformedClientId({ headers: { 'x-request-id': '<b>' } }))).toBe('invalid-request-id');
    expect(malformedClientId({ headers: {} })).toBeUndefined();
  });
});
