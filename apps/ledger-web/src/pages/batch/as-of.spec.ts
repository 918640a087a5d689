import { copenhagenInstant, copenhagenLocalValue } from './as-of.js';

describe('as-of moments in Copenhagen time', () => {
  it('given a summer and a winter wall-clock time, when read as Copenhagen time, then each gets its own offset', () => {
    expect(copenhagenInstant('2026-07-01T10:30')).toBe('2026-07-01T10:30:00+02:00');
    expect(copenhagenInstant('2026-01-15T23:59:59')).toBe('2026-01-15T23:59:59+01:00');
  });

  it('given the times the switches skip and repeat, when read, then they resolve to a real instant', () => {
    expect(copenhagenInstant('2026-03-29T02:30')).toBe('2026-03-29T02:30:00+02:00');
    expect(copenhagenInstant('2026-10-25T02:30')).toBe('2026-10-25T02:30:00+01:00');
  });

  it('given anything but a datetime-local value, when read, then there is no instant', () => {
    expect(copenhagenInstant('')).toBeUndefined();
    expect(copenhagenInstant('2026-07-01')).toBeUndefined();
  });

  it('given an instant, when shown in the picker, then it is Copenhagen’s wall-clock time and reads back to the same instant', () => {
    const value = copenhagenLocalValue('2026-07-01T08:30:05.123Z');
    expect(value).toBe('2026-07-01T10:30:05');
    expect(new Date(copenhagenInstant(value)!).toISOString()).toBe('2026-07-01T08:30:05.000Z');
  });
});
