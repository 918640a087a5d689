import { describe, expect, it } from '@jest/globals';
import { loadLedgerConfig } from '../config/ledger.config.js';

describe('the mass-balance claim period (LEDGER_MASS_BALANCE_PERIOD)', () => {
  it('given nothing set, then a period is a calendar year', () => {
    expect(loadLedgerConfig({}).massBalancePeriod).toBe('calendar-year');
  });

  it('given a quarter or a month, then that is the period', () => {
    expect(loadLedgerConfig({ LEDGER_MASS_BALANCE_PERIOD: 'calendar-quarter' }).massBalancePeriod).toBe('calendar-quarter');
    expect(loadLedgerConfig({ LEDGER_MASS_BALANCE_PERIOD: 'calendar-month' }).massBalancePeriod).toBe('calendar-month');
  });

  it('given anything else, then the ledger refuses to start', () => {
    expect(() => loadLedgerConfig({ LEDGER_MASS_BALANCE_PERIOD: 'week' })).toThrow(/LEDGER_MASS_BALANCE_PERIOD/);
  });
});
