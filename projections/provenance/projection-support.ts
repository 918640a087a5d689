import type { ReadDb } from '../runner/projection.js';
import { textType } from '../runner/sql-rows.js';

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

/**
 * Column type for grams that add up many batches (a cohort's total, a process's inputs): decimal
 * text on both dialects. A sum of schema-valid masses can pass 2^53, where a bigint column would be
 * rounded by better-sqlite3 and refused by the PostgreSQL read store's parser, and even 2^63; text
 * keeps it exact at any size. Nothing sums these columns in SQL: queries add them up as BigInt
 * (docs/decisions/021-projections-are-total.md).
 */
export function gramsTotalType(db: ReadDb): ReturnType<typeof textType> {
  return textType(db);
}

/** Grams for a `gramsTotalType` column: the exact decimal integer. */
export function gramsText(grams: bigint | number): string {
  return (typeof grams === 'bigint' ? grams : BigInt(grams)).toString();
}

/** A JSON number for an API figure: exact up to 2^53, the nearest double beyond (never a throw). */
export function gramsFigure(grams: bigint): number {
  return Number(grams);
}
