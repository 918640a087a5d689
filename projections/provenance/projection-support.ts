/**
 * Integer columns come back as number (better-sqlite3), string (pg returns bigint and numeric as
 * text) or bigint (safe-integer mode); grams are summed as BigInt whichever it is.
 */
export function toBigIntValue(value: unknown): bigint {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number' && Number.isSafeInteger(value)) return BigInt(value);
  if (typeof value === 'string' && /^-?\d+$/.test(value)) return BigInt(value);
  if (value === null || value === undefined) return 0n;
  throw new TypeError(`expected an integer column, got ${String(value)}`);
}

/** Grams as kg with exactly three decimals, e.g. 1234567 → "1234.567", −5 → "-0.005". */
export function gramsToKg(grams: bigint | number): string {
  const g = typeof grams === 'bigint' ? grams : BigInt(grams);
  const sign = g < 0n ? '-' : '';
  const abs = g < 0n ? -g : g;
  return `${sign}${abs / 1000n}.${(abs % 1000n).toString().padStart(3, '0')}`;
}
