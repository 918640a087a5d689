import { describe, expect, it } from '@jest/globals';
import canonicalize from 'canonicalize';
import fc from 'fast-check';

import { canonicalJson } from './canonical-json.js';

describe('canonicalJson (RFC 8785)', () => {
  it('sorts keys by UTF-16 code units, not by code points (RFC 8785 §3.2.3)', () => {
    const input = {
      '\u20ac': 'Euro Sign',
      '\r': 'Carriage Return',
      '\ufb33': 'Hebrew Letter Dalet With Dagesh',
      '1': 'One',
      '\ud83d\ude00': 'Emoji: Grinning Face',
      '\u0080': 'Control',
      '\u00f6': 'Latin Small Letter O With Diaeresis',
    };
    // Read the key order off the text: JSON.parse would reorder the integer-like key "1".
    const order = [...canonicalJson(input).matchAll(/"([^"]*)":/g)].map((m) => m[1]);
    expect(order).toEqual(['\\r', '1', '\u0080', '\u00f6', '\u20ac', '\ud83d\ude00', '\ufb33']);
  });

  it('serialises numbers, strings and literals like the RFC 8785 §3.2.2 example', () => {
    const input = {
      numbers: [333333333.33333329, 1e30, 4.5, 2e-3, 0.000000000000000000000000001],
      string: '\u20ac$\u000F\u000aA\'\u0042\u0022\u005c\\"/',
      literals: [null, true, false],
    };
    expect(canonicalJson(input)).toBe(
      String.raw`{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\u000f\nA'B\"\\\\\"/"}`,
    );
  });

  it('sorts nested objects, keeps array order and emits no whitespace', () => {
    expect(canonicalJson({ b: [{ z: 1, y: 2 }, 3], a: { d: null, c: 'x' } })).toBe(
      '{"a":{"c":"x","d":null},"b":[{"y":2,"z":1},3]}',
    );
  });

  it('agrees with JSON.stringify on undefined fields and toJSON', () => {
    const value = { keep: 1, drop: undefined, when: new Date('2025-01-02T03:04:05.678Z'), list: [undefined, 2] };
    expect(canonicalJson(value)).toBe('{"keep":1,"list":[null,2],"when":"2025-01-02T03:04:05.678Z"}');
    expect(canonicalJson(JSON.parse(JSON.stringify(value)))).toBe(canonicalJson(value));
  });

  it('agrees with the RFC 8785 reference implementation on arbitrary JSON values', () => {
    fc.assert(
      fc.property(fc.jsonValue({ stringUnit: 'binary' }), (value) => {
        expect(canonicalJson(value)).toBe(canonicalize(value));
      }),
      { numRuns: 2000 },
    );
  });

  it('is unchanged by a JSON round trip, so stored events hash the same when read back', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const canonical = canonicalJson(value);
        expect(canonicalJson(JSON.parse(JSON.stringify(value)))).toBe(canonical);
        expect(canonicalJson(JSON.parse(canonical))).toBe(canonical);
      }),
      { numRuns: 1000 },
    );
  });

  it('unwraps boxed primitives and escapes lone surrogates like JSON.stringify', () => {
    expect(canonicalJson([new Number(1.5), new String('s'), new Boolean(false)])).toBe('[1.5,"s",false]');
    expect(canonicalJson('\ud800x')).toBe('"\\ud800x"');
  });

  it('refuses values that have no reproducible JSON form', () => {
    expect(() => canonicalJson({ x: Number.NaN })).toThrow();
    expect(() => canonicalJson({ x: Number.POSITIVE_INFINITY })).toThrow();
    expect(() => canonicalJson(undefined)).toThrow(TypeError);
    expect(() => canonicalJson({ x: 1n })).toThrow();
  });
});
