import { MAX_BATCH_MASS_GRAMS } from '#domain';

/** The decimal mark of a file's numbers: Danish spreadsheets write `12,5`, English ones `12.5`. */
export type DecimalMark = ',' | '.';

export type MassReading = { readonly grams: number } | { readonly code: MassErrorCode; readonly reason: string };

/** Built once: a weight is read for every row of files of hundreds of thousands of rows. */
const PATTERNS: Readonly<Record<DecimalMark, { plain: RegExp; grouped: RegExp }>> = {
  ',': { plain: /^\d+(?:,\d*)?$/, grouped: /^\d{1,3}(?:[. ]\d{3})+(?:,\d*)?$/ },
  '.': { plain: /^\d+(?:\.\d*)?$/, grouped: /^\d{1,3}(?:[, ]\d{3})+(?:\.\d*)?$/ },
};

export type MassErrorCode = 'not-a-number' | 'negative-weight' | 'zero-weight' | 'too-many-decimals' | 'weight-above-maximum';

/**
 * Reads a weight cell as integer grams by string arithmetic, never through a float: `12,345` kg is
 * 12 345 g exactly, where parseFloat('12.345') * 1000 is 12344.999999999998. Kilograms carry at most
 * three decimals (a gram); grams none. Thousands separators are accepted only in their proper groups
 * of three (`1.234,5` with a decimal comma, `1,234.5` with a decimal point, or spaces), so that a
 * misread decimal mark is an error rather than a weight a thousand times off.
 */
export function readMass(text: string, unit: 'kg' | 'g', decimal: DecimalMark): MassReading {
  const cell = text.trim().replace(/[\u00a0\u202f]/g, ' ');
  const negative = /^-/.test(cell);
  const unsigned = cell.replace(/^[-+]/, '');
  const { plain, grouped } = PATTERNS[decimal];
  if (unsigned === '' || !(plain.test(unsigned) || grouped.test(unsigned))) {
    return { code: 'not-a-number', reason: `"${text}" is not a number with the decimal mark "${decimal}"` };
  }
  // Left of the decimal mark, any mark left is a thousands separator (the patterns above checked its groups).
  const [groupedWhole = '', fraction = ''] = unsigned.split(decimal);
  const whole = groupedWhole.replace(/[ .,]/g, '');
  const places = unit === 'kg' ? 3 : 0;
  const significantFraction = fraction.replace(/0+$/, '');
  if (significantFraction.length > places) {
    return {
      code: 'too-many-decimals',
      reason: unit === 'kg' ? `"${text}" kg has more than three decimals: the ledger records whole grams` : `"${text}" g is not a whole number of grams`,
    };
  }
  const digits = (whole + significantFraction.padEnd(places, '0')).replace(/^0+(?=\d)/, '');
  if (negative && /[1-9]/.test(digits)) return { code: 'negative-weight', reason: `the weight ${text} is negative` };
  if (!/[1-9]/.test(digits)) return { code: 'zero-weight', reason: 'the weight is 0: a collection weighs more than nothing' };
  // Compared as digit strings first, so that a 30-digit cell never becomes an imprecise number.
  const maximum = String(MAX_BATCH_MASS_GRAMS);
  if (digits.length > maximum.length || (digits.length === maximum.length && digits > maximum)) {
    return { code: 'weight-above-maximum', reason: `${text} ${unit} is more than the ${MAX_BATCH_MASS_GRAMS / 1_000_000} t one batch may weigh (decision 020): record it as several batches` };
  }
  return { grams: Number(digits) };
}

/** Integer grams as kilograms with three decimals, by string arithmetic: 12345 → `12,345`. */
export function formatKilograms(grams: number, decimal: DecimalMark): string {
  if (!Number.isSafeInteger(grams) || grams < 0) throw new RangeError(`${grams} is not a whole, non-negative number of grams`);
  const digits = String(grams).padStart(4, '0');
  return `${digits.slice(0, -3)}${decimal}${digits.slice(-3)}`;
}
