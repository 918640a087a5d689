import type { Locale } from '../../shared/format.js';

const DECIMAL = /^(-?)(\d+)(?:\.(\d+))?$/;

/**
 * An exact decimal string of the API ("1234.5678", tonnes or a factor) the way a Danish or English
 * reader writes it ("1.234,5678" or "1,234.5678"): digit groups and the decimal mark only, never
 * parsed into a float, so no digit is lost, rounded or invented. Anything else is shown as written.
 */
export function decimalText(decimal: string, locale: Locale): string {
  const match = DECIMAL.exec(decimal);
  if (!match) return decimal;
  const [, sign = '', whole = '', fraction] = match;
  const groups = whole.replace(/\B(?=(\d{3})+(?!\d))/g, locale === 'da' ? '.' : ',');
  return `${sign}${groups}${fraction === undefined ? '' : `${locale === 'da' ? ',' : '.'}${fraction}`}`;
}

/** Integer grams as exact tonnes, the API's way ("700", "0.7", "0.000001"): a mass the answer gives only in grams. */
export function gramsAsTonnes(grams: number): string {
  const digits = BigInt(Math.abs(grams)).toString().padStart(7, '0');
  const whole = digits.slice(0, -6).replace(/^0+(?=\d)/, '');
  const fraction = digits.slice(-6).replace(/0+$/, '');
  return `${grams < 0 ? '-' : ''}${whole}${fraction ? `.${fraction}` : ''}`;
}
