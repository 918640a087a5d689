import { describe, expect, it } from '@jest/globals';
import { loadLedgerConfig } from './ledger.config.js';

const base = { LEDGER_DATA_DIR: '/tmp/ledger-config-spec', LEDGER_DATABASE_URL: 'postgres://ledger@db/ledger' };

describe('the bench-only switch for the single projection writer (decision 023)', () => {
  it('given no setting, then the guard is on for either read store', () => {
    expect(loadLedgerConfig(base).readModels.singleWriter).toBeUndefined();
    expect(loadLedgerConfig({ ...base, LEDGER_READ_MODELS: 'postgres' }).readModels.singleWriter).toBeUndefined();
  });

  it('given LEDGER_BENCH_PROJECTION_WRITER_GUARD=off, then the read models are configured without it', () => {
    expect(loadLedgerConfig({ ...base, LEDGER_READ_MODELS: 'postgres', LEDGER_BENCH_PROJECTION_WRITER_GUARD: 'off' }).readModels).toEqual({
      kind: 'postgres',
      connectionString: 'postgres://ledger@db/ledger',
      singleWriter: false,
    });
    expect(loadLedgerConfig({ ...base, LEDGER_BENCH_PROJECTION_WRITER_GUARD: 'off' }).readModels.singleWriter).toBe(false);
  });

  it('given any other value, then the configuration is refused', () => {
    expect(() => loadLedgerConfig({ ...base, LEDGER_BENCH_PROJECTION_WRITER_GUARD: 'false' })).toThrow(/LEDGER_BENCH_PROJECTION_WRITER_GUARD/);
  });
});
