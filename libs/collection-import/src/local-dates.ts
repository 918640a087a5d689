import { Instant } from '#domain';

export type DateReading = { readonly occurredAt: string; readonly date: string } | { readonly code: 'invalid-date'; readonly reason: string };

/** The last Sunday of a month of a year, as a day of the month (the EU's summer-time rule). */
function lastSunday(year: number, month: number): number {
  const lastDay = new Date(Date.UTC(year, month, 0));
  return lastDay.getUTCDate() - lastDay.getUTCDay();
}

/**
 * Copenhagen's UTC offset at the start (00:00) of a local date. Summer time runs from 01:00 UTC on
 * the last Sunday of March to 01:00 UTC on the last Sunday of October (EU rule since 1996, so for
 * every date the ledger accepts): midnight of the March change day is still winter time, midnight
 * of the October change day still summer time. Computed, not read from the process's time zone
 * data, so that the library stays pure and gives the same instant on every machine.
 */
export function copenhagenOffsetAtMidnight(year: number, month: number, day: number): '+01:00' | '+02:00' {
  const key = month * 100 + day;
  const springs = 300 + lastSunday(year, 3);
  const falls = 1000 + lastSunday(year, 10);
  return key > springs && key <= falls ? '+02:00' : '+01:00';
}

function isCalendarDate(year: number, month: number, day: number): boolean {
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

const pad = (n: number) => String(n).padStart(2, '0');

/**
 * Reads a date cell: ISO `2025-03-10`, Danish `10-03-2025`, `10.03.2025` or `10/03/2025` (day first,
 * as Danish spreadsheets write it), or a full ISO instant with its offset. A bare date is a
 * Copenhagen calendar day and becomes the start of that day, 00:00 Europe/Copenhagen: the one time
 * of day that is never in the future on the day itself (an import run at 09:00 may carry today's
 * collections), and that every report buckets to the same local day and month as the spreadsheet.
 */
export function readDate(text: string): DateReading {
  const cell = text.trim();
  const iso = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(cell);
  const danish = /^(\d{1,2})[-./](\d{1,2})[-./](\d{4})$/.exec(cell);
  const parts = iso ? [Number(iso[1]), Number(iso[2]), Number(iso[3])] : danish ? [Number(danish[3]), Number(danish[2]), Number(danish[1])] : undefined;
  if (parts) {
    const [year, month, day] = parts as [number, number, number];
    if (!isCalendarDate(year, month, day)) return { code: 'invalid-date', reason: `"${text}" is not a date of the calendar` };
    const date = `${year}-${pad(month)}-${pad(day)}`;
    return { occurredAt: `${date}T00:00:00${copenhagenOffsetAtMidnight(year, month, day)}`, date };
  }
  if (Instant.safeParse(cell).success) {
    const local = new Date(Date.parse(cell));
    // The Copenhagen day of an instant: shift by the offset in force at that day's midnight, good
    // to the hour around the two changes, which is all a future-date check needs.
    const shifted = new Date(local.getTime() + (copenhagenOffsetAtMidnight(local.getUTCFullYear(), local.getUTCMonth() + 1, local.getUTCDate()) === '+02:00' ? 2 : 1) * 3_600_000);
    return { occurredAt: cell, date: shifted.toISOString().slice(0, 10) };
  }
  return { code: 'invalid-date', reason: `"${text}" is not a date: write 2025-03-10, 10-03-2025 or 10.03.2025` };
}

/** Today's Copenhagen calendar date of an instant (the caller's clock: the library reads none). */
export function copenhagenDate(now: Date): string {
  const utc = now.toISOString().slice(0, 10);
  const [y, m, d] = utc.split('-').map(Number) as [number, number, number];
  // At 00:00 local the offset of the coming day decides; an hour's error around the change is harmless here.
  const offsetHours = copenhagenOffsetAtMidnight(y, m, d) === '+02:00' ? 2 : 1;
  return new Date(now.getTime() + offsetHours * 3_600_000).toISOString().slice(0, 10);
}
