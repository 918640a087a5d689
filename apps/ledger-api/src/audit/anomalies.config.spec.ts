import { describe, expect, it } from '@jest/globals';
import { DEFAULT_LOSS_NORMS_BASIS_POINTS } from '#projections';
import { loadLedgerConfig } from '../config/ledger.config.js';
import { anomalySettings, loadAnomalyConfig, parseLossNorms } from './anomalies.config.js';

describe('anomaly settings from the environment', () => {
  it('keeps the defaults when nothing is set', () => {
    expect(loadAnomalyConfig({})).toEqual({ lossNormsBasisPoints: DEFAULT_LOSS_NORMS_BASIS_POINTS, custodyGapHours: 72, unfinishedProcessGraceMinutes: undefined });
    expect(parseLossNorms('  ')).toEqual(DEFAULT_LOSS_NORMS_BASIS_POINTS);
  });

  it('reads LEDGER_LOSS_NORMS as percent per process type, over the defaults', () => {
    expect(parseLossNorms('sorting:12,blending:2.5, repair : 0.25')).toEqual({ ...DEFAULT_LOSS_NORMS_BASIS_POINTS, sorting: 1_200, blending: 250, repair: 25 });
    expect(parseLossNorms('chemical-recycling:100,splitting:0')).toMatchObject({ 'chemical-recycling': 10_000, splitting: 0 });
  });

  it.each([
    ['sortin:10', 'unknown process type "sortin"'],
    ['sorting:ten', '"sorting:ten" is not process-type:percent'],
    ['sorting=10', '"sorting=10" is not process-type:percent'],
    ['sorting:10.125', 'is not process-type:percent'],
    ['sorting:-1', 'is not process-type:percent'],
    ['sorting:100.5', '100.5 % for sorting is above 100 %'],
    ['sorting:10,,blending:3', 'an empty entry'],
    ['sorting:10,sorting:12', 'process type "sorting" given twice'],
  ])('refuses LEDGER_LOSS_NORMS=%s at start-up, saying why and what is expected', (value, problem) => {
    expect(() => loadLedgerConfig({ LEDGER_LOSS_NORMS: value })).toThrow(problem);
    expect(() => loadLedgerConfig({ LEDGER_LOSS_NORMS: value })).toThrow(/LEDGER_LOSS_NORMS: .*expected process-type:percent pairs separated by commas, e\.g\. "sorting:10,blending:3"/);
  });

  it('reads the custody-gap hours and the grace minutes as whole numbers of at least 1', () => {
    expect(loadLedgerConfig({ LEDGER_CUSTODY_GAP_HOURS: '48', LEDGER_UNFINISHED_PROCESS_GRACE_MINUTES: '5' }).anomalies).toMatchObject({ custodyGapHours: 48, unfinishedProcessGraceMinutes: 5 });
    for (const bad of ['0', '1.5', '-3', 'two', '1e3']) {
      expect(() => loadLedgerConfig({ LEDGER_CUSTODY_GAP_HOURS: bad })).toThrow(`LEDGER_CUSTODY_GAP_HOURS must be a whole number of hours, at least 1, got "${bad}"`);
      expect(() => loadLedgerConfig({ LEDGER_UNFINISHED_PROCESS_GRACE_MINUTES: bad })).toThrow(`LEDGER_UNFINISHED_PROCESS_GRACE_MINUTES must be a whole number of minutes, at least 1, got "${bad}"`);
    }
  });

  it('gives recovery three intervals before a process counts as stuck, unless the grace is set', () => {
    expect(anomalySettings(loadLedgerConfig({})).unfinishedProcessGraceMinutes).toBe(10);
    expect(anomalySettings(loadLedgerConfig({ LEDGER_RECOVERY_INTERVAL_MS: '600000' })).unfinishedProcessGraceMinutes).toBe(30);
    expect(anomalySettings(loadLedgerConfig({ LEDGER_RECOVERY_INTERVAL_MS: '600000', LEDGER_UNFINISHED_PROCESS_GRACE_MINUTES: '5' })).unfinishedProcessGraceMinutes).toBe(5);
  });
});
