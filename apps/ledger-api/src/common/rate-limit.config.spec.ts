import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { loadLedgerConfig } from '../config/ledger.config.js';

const base = { LEDGER_DATA_DIR: '/tmp/ledger-config-spec' };

describe('abuse-limit and request-audit settings', () => {
  it('defaults: rate limits on (3000 a minute per organisation, bursts of 600; 10 failed authentications a minute per network, bursts of 20), no proxy trusted, 1 MiB bodies, 8 KiB targets, 16 KiB headers, the audit log on under the data directory', () => {
    const config = loadLedgerConfig(base);
    expect(config.limits).toMatchObject({
      perKey: { perMinute: 3000, burst: 600 },
      unauthenticated: { perMinute: 10, burst: 20 },
      bodyLimitBytes: 1024 * 1024,
      maxUrlLength: 8192,
      maxHeaderBytes: 16384,
      trustProxy: false,
    });
    expect(config.requestAudit).toEqual({ mode: 'file', dir: path.resolve('/tmp/ledger-config-spec/request-audit'), flushIntervalMs: 1000 });
  });

  it('a burst defaults to the per-minute rate once the rate is set, and 0 turns a limit off', () => {
    const config = loadLedgerConfig({ ...base, LEDGER_RATE_LIMIT_PER_MINUTE: '120', LEDGER_RATE_LIMIT_UNAUTHENTICATED_PER_MINUTE: '30', LEDGER_RATE_LIMIT_UNAUTHENTICATED_BURST: '5' });
    expect(config.limits.perKey).toEqual({ perMinute: 120, burst: 120 });
    expect(config.limits.unauthenticated).toEqual({ perMinute: 30, burst: 5 });
    expect(loadLedgerConfig({ ...base, LEDGER_RATE_LIMIT_PER_MINUTE: '0' }).limits.perKey.perMinute).toBe(0);
  });

  it('trusts the proxies named by address or CIDR, as a list', () => {
    expect(loadLedgerConfig({ ...base, LEDGER_TRUST_PROXY: '10.0.0.0/8' }).limits.trustProxy).toEqual(['10.0.0.0/8']);
    expect(loadLedgerConfig({ ...base, LEDGER_TRUST_PROXY: '10.0.0.0/8, 192.0.2.1,2001:db8::/32,loopback' }).limits.trustProxy).toEqual(['10.0.0.0/8', '192.0.2.1', '2001:db8::/32', 'loopback']);
    expect(loadLedgerConfig({ ...base, LEDGER_TRUST_PROXY: 'false' }).limits.trustProxy).toBe(false);
    expect(loadLedgerConfig({ ...base, LEDGER_TRUST_PROXY: '' }).limits.trustProxy).toBe(false);
  });

  it('refuses to trust any proxy (true), a hop count, and entries that are not addresses or CIDRs', () => {
    expect(() => loadLedgerConfig({ ...base, LEDGER_TRUST_PROXY: 'true' })).toThrow(/LEDGER_TRUST_PROXY=true would take the client address from any X-Forwarded-For/);
    expect(() => loadLedgerConfig({ ...base, LEDGER_TRUST_PROXY: '1' })).toThrow(/LEDGER_TRUST_PROXY=1 is a hop count/);
    expect(() => loadLedgerConfig({ ...base, LEDGER_TRUST_PROXY: '10.0.0.0/33' })).toThrow(/"10.0.0.0\/33" is not an IP address, a CIDR/);
    expect(() => loadLedgerConfig({ ...base, LEDGER_TRUST_PROXY: '10.0.0.1,proxy.internal' })).toThrow(/"proxy.internal"/);
  });

  it('refuses settings that cannot work', () => {
    expect(() => loadLedgerConfig({ ...base, LEDGER_RATE_LIMIT_PER_MINUTE: '60', LEDGER_RATE_LIMIT_BURST: '0' })).toThrow(/LEDGER_RATE_LIMIT_BURST/);
    expect(() => loadLedgerConfig({ ...base, LEDGER_RATE_LIMIT_PER_MINUTE: '-1' })).toThrow(/LEDGER_RATE_LIMIT_PER_MINUTE/);
    expect(() => loadLedgerConfig({ ...base, LEDGER_BODY_LIMIT_BYTES: '0' })).toThrow(/LEDGER_BODY_LIMIT_BYTES/);
    expect(() => loadLedgerConfig({ ...base, LEDGER_REQUEST_AUDIT: 'syslog' })).toThrow(/LEDGER_REQUEST_AUDIT/);
    expect(() => loadLedgerConfig({ ...base, LEDGER_REQUEST_AUDIT_FLUSH_MS: '0' })).toThrow(/LEDGER_REQUEST_AUDIT_FLUSH_MS/);
  });
});
