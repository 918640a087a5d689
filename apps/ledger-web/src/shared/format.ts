/**
 * Figures as a Danish reader expects them (`1.234,5 t`, `78,4 %`, dates in Europe/Copenhagen),
 * or in English when the page is in English. The API speaks integer grams and exact fractions;
 * only the page rounds, and only for display.
 */
export type Locale = 'da' | 'en';

const INTL_LOCALE: Record<Locale, string> = { da: 'da-DK', en: 'en-GB' };
export const TIME_ZONE = 'Europe/Copenhagen';
const GRAMS_PER_TONNE = 1_000_000;

/** Tonnes with one to three decimals: 1 234 500 000 g is `1.234,5 t`, 138 791 g is `0,139 t`. */
export function formatTonnes(grams: number, locale: Locale): string {
  const tonnes = new Intl.NumberFormat(INTL_LOCALE[locale], { minimumFractionDigits: 1, maximumFractionDigits: 3 }).format(grams / GRAMS_PER_TONNE);
  return `${tonnes} t`;
}

/** A fraction of one as a percentage with one decimal: 0.7836 is `78,4 %`. */
export function formatPercent(fraction: number, locale: Locale): string {
  return new Intl.NumberFormat(INTL_LOCALE[locale], { style: 'percent', minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(fraction);
}

/** Basis points (1/10 000) as a percentage: 9568 is `95,7 %`. */
export function formatBasisPoints(basisPoints: number, locale: Locale): string {
  return formatPercent(basisPoints / 10_000, locale);
}

export function formatInteger(value: number, locale: Locale): string {
  return new Intl.NumberFormat(INTL_LOCALE[locale], { maximumFractionDigits: 0 }).format(value);
}

/** An instant as a date and time in Copenhagen, whatever the browser's own zone. */
export function formatDateTime(iso: string, locale: Locale): string {
  const instant = new Date(iso);
  if (Number.isNaN(instant.getTime())) return iso;
  return new Intl.DateTimeFormat(INTL_LOCALE[locale], { dateStyle: 'medium', timeStyle: 'short', timeZone: TIME_ZONE }).format(instant);
}

/** A `YYYY-MM` period as the month's name and year: `2026-03` is `marts 2026`. */
export function formatMonth(period: string, locale: Locale): string {
  const match = /^(\d{4})-(\d{2})$/.exec(period);
  if (!match) return period;
  // Noon UTC on the 15th is the same month in every time zone.
  const middle = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, 15, 12));
  return new Intl.DateTimeFormat(INTL_LOCALE[locale], { month: 'long', year: 'numeric', timeZone: TIME_ZONE }).format(middle);
}

/**
 * The instant a Copenhagen calendar day starts, with its offset (`2026-07-01` is
 * `2026-07-01T00:00:00+02:00`), for the API's business-time bounds. Midnight UTC is 01:00 or
 * 02:00 in Copenhagen, before any summer-time switch (at 02:00 or 03:00), so its offset is the
 * offset at local midnight.
 */
export function copenhagenStartOfDay(date: string): string {
  const offset = new Intl.DateTimeFormat('en-GB', { timeZone: TIME_ZONE, timeZoneName: 'longOffset' })
    .formatToParts(new Date(`${date}T00:00:00Z`))
    .find((part) => part.type === 'timeZoneName')?.value;
  const match = /GMT([+-]\d{2}:\d{2})/.exec(offset ?? '');
  return `${date}T00:00:00${match ? match[1] : 'Z'}`;
}
