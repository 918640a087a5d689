import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { loadLedgerConfig } from '../config/ledger.config.js';

const base = { LEDGER_DATA_DIR: '/tmp/ledger-config-spec' };

describe('abuse-limit and request-audit settings', () => {
  it('defaults: rate limits off, 1 MiB bodies, 8 KiB targets, 16 KiB headers, the audit log on under the data directory', () => {
    const config = loadLedgerConfig(base);
    expect(config.limits).toEqual({
      perKey: { perMinute: 0, burst: 0 },
      unauthenticated: { perMinute: 0, burst: 0 },
      bodyLimitBytes: 1024 * 1024,
      maxUrlLength: 8192,
      maxHeaderBytes: 16384,
      trustProxy: false,
    });
    expect(config.requestAudit).toEqual({ mode: 'file', dir: path.resolve('/tmp/ledger-config-spec/request-audit'), flushIntervalMs: 1000 });
  });

  it('a burst defaults to the per-minute rate', () => {
    const config = loadLedgerConfig({ ...base, LEDGER_RATE_LIMIT_PER_MINUTE: '120', LEDGER_RATE_LIMIT_UNAUTHENTICATED_PER_MINUTE: '30', LEDGER_RATE_LIMIT_UNAUTHENTICATED_BURST: '5' });
    expect(config.limits.perKey).toEqual({ perMinute: 120, burst: 120 });
    expect(config.limits.unauthenticated).toEqual({ perMinute: 30, burst: 5 });
  });

  it('reads the proxy setting', () => {
    expect(loadLedgerConfig({ ...base, LEDGER_TRUST_PROXY: 'true' }).limits.trustProxy).toBe(true);
    expect(loadLedgerConfig({ ...base, LEDGER_TRUST_PROXY: '10.0.0.0/8' }).limits.trustProxy).toBe('10.0.0.0/8');
  });

  it('refuses settings that cannot work', () => {
    expect(() => loadLedgerConfig({ ...base, LEDGER_RATE_LIMIT_PER_MINUTE: '60', LEDGER_RATE_LIMIT_BURST: '0' })).toThrow(/LEDGER_RATE_LIMIT_BURST/);
    expect(() => loadLedgerConfig({ ...base, LEDGER_RATE_LIMIT_PER_MINUTE: '-1' })).toThrow(/LEDGER_RATE_LIMIT_PER_MINUTE/);
    expect(() => loadLedgerConfig({ ...base, LEDGER_BODY_LIMIT_BYTES: '0' })).toThrow(/LEDGER_BODY_LIMIT_BYTES/);
    expect(() => loadLedgerConfig({ ...base, LEDGER_REQUEST_AUDIT: 'syslog' })).toThrow(/LEDGER_REQUEST_AUDIT/);
    expect(() => loadLedgerConfig({ ...base, LEDGER_REQUEST_AUDIT_FLUSH_MS: '0' })).toThrow(/LEDGER_REQUEST_AUDIT_FLUSH_MS/);
  });
});
