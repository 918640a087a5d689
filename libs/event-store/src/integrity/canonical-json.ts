/**
 * Canonical JSON in the style of RFC 8785 (JCS): object keys sorted by UTF-16 code units, no
 * whitespace, strings and numbers exactly as ECMAScript's JSON.stringify writes them (which is what
 * RFC 8785 specifies).
 *
 * Why not the `canonicalize` package (the RFC authors' reference implementation)? It scans every
 * string character by character in JavaScript to reject lone surrogates, which made it about twice
 * as slow on our event envelopes, and hashing sits on the append path and on every audit. It is kept
 * as a dev dependency and the spec checks this implementation against it.
 *
 * Deviations from RFC 8785, both deterministic:
 * - lone surrogates are written as `\udxxx` escapes (as JSON.stringify does) instead of being refused;
 * - `toJSON`, boxed primitives, and `undefined`/function/symbol members follow JSON.stringify.
 * NaN, ±Infinity and bigint are refused, because JSON has no faithful form for them.
 */
export function canonicalJson(value: unknown): string {
  const json = serialize(value);
  if (json === undefined) {
    throw new TypeError(`a value of type ${typeof value} has no JSON representation`);
  }
  return json;
}

function serialize(value: unknown): string | undefined {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) {
        throw new RangeError(`${value} has no JSON representation`);
      }
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'bigint':
      throw new TypeError('a bigint has no JSON representation');
    case 'undefined':
    case 'function':
    case 'symbol':
      return undefined;
    case 'object':
      return serializeObject(value);
    default:
      throw new TypeError(`cannot serialise a value of type ${typeof value}`);
  }
}

function serializeObject(value: object | null): string | undefined {
  if (value === null) {
    return 'null';
  }
  const toJSON = (value as { toJSON?: unknown }).toJSON;
  if (typeof toJSON === 'function') {
    return serialize((toJSON as () => unknown).call(value));
  }
  if (value instanceof Number || value instanceof String || value instanceof Boolean) {
    return serialize(value.valueOf());
  }
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out += ',';
      out += serialize(value[i] as unknown) ?? 'null';
    }
    return `${out}]`;
  }
  // Default sort compares UTF-16 code units, which is the order RFC 8785 prescribes.
  const keys = Object.keys(value).sort();
  let out = '{';
  let first = true;
  for (const key of keys) {
    const member = serialize((value as Record<string, unknown>)[key]);
    if (member === undefined) continue;
    out += `${first ? '' : ','}${JSON.stringify(key)}:${member}`;
    first = false;
  }
  return `${out}}`;
}
