import { TIME_ZONE } from '../../shared/format.js';

/** Copenhagen's offset from UTC at an instant, in minutes (60 in winter, 120 in summer). */
function copenhagenOffsetMinutes(instant: number): number {
  const name = new Intl.DateTimeFormat('en-GB', { timeZone: TIME_ZONE, timeZoneName: 'longOffset' }).formatToParts(new Date(instant)).find((part) => part.type === 'timeZoneName')?.value;
  const match = /GMT([+-])(\d{2}):(\d{2})/.exec(name ?? '');
  if (!match) return 0;
  return (match[1] === '-' ? -1 : 1) * (Number(match[2]) * 60 + Number(match[3]));
}

/**
 * A `datetime-local` value read as Copenhagen wall-clock time, as the instant with its offset the
 * API's `asOf` takes (`2026-07-01T10:30` is `2026-07-01T10:30:00+02:00`), whatever the browser's
 * own zone. A wall-clock time the spring switch skips takes summer time's offset; one the autumn
 * switch repeats, the later (winter) occurrence. Undefined for anything else.
 */
export function copenhagenInstant(local: string): string | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(local);
  if (!match) return undefined;
  const [, year, month, day, hour, minute, second = '00'] = match;
  const wall = Date.UTC(Number(year), Number(month) - 1, Number(day), Number(hour), Number(minute), Number(second));
  if (Number.isNaN(wall)) return undefined;
  // The offset at "wall read as UTC" minus that offset; checked once more near a switch.
  let offset = copenhagenOffsetMinutes(wall - copenhagenOffsetMinutes(wall) * 60_000);
  const again = copenhagenOffsetMinutes(wall - offset * 60_000);
  if (again > offset) offset = again;
  const sign = offset < 0 ? '-' : '+';
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${year}-${month}-${day}T${hour}:${minute}:${second}${sign}${pad(Math.floor(Math.abs(offset) / 60))}:${pad(Math.abs(offset) % 60)}`;
}

/** An instant as the `datetime-local` value (seconds included) of its Copenhagen wall-clock time. */
export function copenhagenLocalValue(iso: string): string {
  const parts = new Intl.DateTimeFormat('en-GB', { timeZone: TIME_ZONE, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' }).formatToParts(new Date(iso));
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? '00';
  return `${part('year')}-${part('month')}-${part('day')}T${part('hour')}:${part('minute')}:${part('second')}`;
}
