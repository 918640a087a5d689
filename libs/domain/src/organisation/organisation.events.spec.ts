/**
 * CVR numbers (docs/domain.md): 8 digits, weights 2,7,6,5,4,3,2,1, weighted sum divisible by 11.
 * The valid examples are real registrations; each was checked by hand against the weights.
 */
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { RegisterOrganisation } from './organisation.commands.js';
import { OrganisationRegistered, ROLES, Role, isValidCvr } from './organisation.events.js';

const WEIGHTS = [2, 7, 6, 5, 4, 3, 2, 1];
const weightedSum = (cvr: string): number => WEIGHTS.reduce((acc, w, i) => acc + w * Number(cvr[i]), 0);

describe('isValidCvr (mod 11)', () => {
  it.each([
    ['24256790', 'Novo Nordisk A/S', 132],
    ['22756214', 'A.P. Møller - Mærsk A/S', 121],
    ['54562519', 'LEGO A/S', 132],
    ['61056416', 'Carlsberg A/S', 88],
    ['61126228', 'Danske Bank A/S', 77],
    ['10000009', 'smallest with a 1 first', 11],
  ])('accepts %s (%s): weighted sum %d = 11·k', (cvr, _name, sum) => {
    expect(weightedSum(cvr)).toBe(sum);
    expect(isValidCvr(cvr)).toBe(true);
  });

  it.each([
    ['24256791', 'last digit changed (sum 133)'],
    ['24256780', 'seventh digit changed'],
    ['12345678', 'sum 114'],
    ['42256790', 'first two digits swapped'],
    ['01000004', 'checksum holds (sum 11) but CVR numbers never start with 0'],
    ['00000000', 'all zeros'],
    ['2425679', 'seven digits'],
    ['242567900', 'nine digits'],
    ['2425679O', 'a letter O'],
    ['24 25 67 90', 'spaces'],
    ['', 'empty'],
  ])('refuses %s (%s)', (cvr) => {
    expect(isValidCvr(cvr)).toBe(false);
  });

  it('agrees with the weighted sum for every 8-digit number not starting with 0 (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 10_000_000, max: 99_999_999 }), (n) => {
        const cvr = String(n);
        expect(isValidCvr(cvr)).toBe(weightedSum(cvr) % 11 === 0);
      }),
    );
  });

  it('detects every single-digit error and every swap of adjacent digits in a valid number (property)', () => {
    const validCvr = fc
      .integer({ min: 1_000_000, max: 9_999_999 })
      .map((n) => String(n))
      .filter((seven) => (11 - (weightedSum(`${seven}0`) % 11)) % 11 <= 9)
      .map((seven) => `${seven}${(11 - (weightedSum(`${seven}0`) % 11)) % 11}`);
    fc.assert(
      fc.property(validCvr, fc.integer({ min: 0, max: 7 }), fc.integer({ min: 1, max: 9 }), (cvr, position, delta) => {
        expect(isValidCvr(cvr)).toBe(true);
        const digits = [...cvr];
        const changed = [...digits];
        changed[position] = String((Number(digits[position]) + delta) % 10);
        expect(isValidCvr(changed.join(''))).toBe(false);
        if (position < 7 && digits[position] !== digits[position + 1]) {
          const swapped = [...digits];
          [swapped[position], swapped[position + 1]] = [digits[position + 1] ?? '', digits[position] ?? ''];
          expect(isValidCvr(swapped.join(''))).toBe(false);
        }
      }),
    );
  });

  it('is enforced by the command and the event schema, and a CVR stays optional', () => {
    const command = {
      organisationId: '0190a000-0000-7000-8000-000000000020',
      name: 'Sortering A/S',
      roles: ['sorter'],
      occurredAt: '2024-05-01T11:00:00.000Z',
      apiKeyHash: 'a'.repeat(64),
      apiKeyId: 'key-1',
    };
    expect(RegisterOrganisation.safeParse({ ...command, cvr: '24256790' }).success).toBe(true);
    expect(RegisterOrganisation.safeParse({ ...command, cvr: '24256791' }).success).toBe(false);
    expect(RegisterOrganisation.safeParse(command).success).toBe(true);
    const event = { organisationId: command.organisationId, name: command.name, roles: ['sorter'], occurredAt: command.occurredAt };
    expect(OrganisationRegistered.safeParse({ ...event, cvr: '54562519' }).success).toBe(true);
    expect(OrganisationRegistered.safeParse({ ...event, cvr: '54562518' }).success).toBe(false);
  });
});

describe('roles', () => {
  it('are the eight of docs/domain.md', () => {
    expect([...ROLES]).toEqual(['municipality', 'collector', 'sorter', 'recycler', 'manufacturer', 'brand', 'auditor', 'operator']);
    expect(Role.safeParse('waste-broker').success).toBe(false);
  });

  it('an organisation needs at least one', () => {
    expect(
      RegisterOrganisation.safeParse({
        organisationId: '0190a000-0000-7000-8000-000000000020',
        name: 'Nobody',
        roles: [],
        occurredAt: '2024-05-01T11:00:00.000Z',
        apiKeyHash: 'a'.repeat(64),
        apiKeyId: 'key-1',
      }).success,
    ).toBe(false);
  });
});
