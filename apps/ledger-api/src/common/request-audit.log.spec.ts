import { appendFileSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type { LedgerConfig } from '../config/ledger.config.js';
import { RequestAuditLog, type RequestAuditEntry } from './request-audit.log.js';

const entry = (time: string, organisationId: string | null = 'org-1'): RequestAuditEntry => ({
  time,
  requestId: `r-${time}`,
  organisationId,
  keyId: null,
  impersonatedBy: null,
  impersonationReason: null,
  ip: '127.0.0.1',
  method: 'GET',
  route: '/batches',
  params: {},
  query: {},
  status: 200,
  durationMs: 1,
  idempotencyKey: null,
  commandId: null,
  position: null,
  appendedEvents: 0,
});

describe('RequestAuditLog', () => {
  let dir: string;
  let log: RequestAuditLog;

  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'request-audit-'));
    log = new RequestAuditLog({ requestAudit: { mode: 'file', dir, flushIntervalMs: 3_600_000 } } as LedgerConfig);
  });
  afterEach(async () => {
    await log.onApplicationShutdown();
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes one file a UTC day and reads across days, oldest first', async () => {
    log.record(entry('2026-03-01T23:59:59.000Z'));
    log.record(entry('2026-03-02T00:00:00.000Z', 'org-2'));
    log.record(entry('2026-03-02T10:00:00.000Z'));
    await log.flush();
    expect(readdirSync(dir).sort()).toEqual(['requests-2026-03-01.ndjson', 'requests-2026-03-02.ndjson']);
    const all = await log.read({ from: new Date('2026-03-01T00:00:00Z'), to: new Date('2026-03-03T00:00:00Z'), limit: 10 });
    expect(all.entries.map((e) => e.time)).toEqual(['2026-03-01T23:59:59.000Z', '2026-03-02T00:00:00.000Z', '2026-03-02T10:00:00.000Z']);
    const one = await log.read({ from: new Date('2026-03-01T00:00:00Z'), to: new Date('2026-03-03T00:00:00Z'), organisationId: 'org-2', limit: 10 });
    expect(one.entries.map((e) => e.organisationId)).toEqual(['org-2']);
    const window = await log.read({ from: new Date('2026-03-02T00:00:00Z'), to: new Date('2026-03-02T09:00:00Z'), limit: 10 });
    expect(window.entries.map((e) => e.time)).toEqual(['2026-03-02T00:00:00.000Z']);
    const page = await log.read({ from: new Date('2026-03-01T00:00:00Z'), to: new Date('2026-03-03T00:00:00Z'), limit: 2 });
    expect(page).toMatchObject({ truncated: true });
    expect(page.entries).toHaveLength(2);
  });

  it('ends a line torn by a crash before appending, and skips it when reading', async () => {
    appendFileSync(path.join(dir, 'requests-2026-03-01.ndjson'), `${JSON.stringify(entry('2026-03-01T08:00:00.000Z'))}\n{"time":"2026-03-01T09:`);
    log.record(entry('2026-03-01T10:00:00.000Z'));
    await log.flush();
    const lines = readFileSync(path.join(dir, 'requests-2026-03-01.ndjson'), 'utf8').split('\n');
    expect(lines[1]).toBe('{"time":"2026-03-01T09:');
    const read = await log.read({ from: new Date('2026-03-01T00:00:00Z'), to: new Date('2026-03-02T00:00:00Z'), limit: 10 });
    expect(read.entries.map((e) => e.time)).toEqual(['2026-03-01T08:00:00.000Z', '2026-03-01T10:00:00.000Z']);
  });

  it('buffers until flushed', async () => {
    log.record(entry('2026-03-01T10:00:00.000Z'));
    expect(readdirSync(dir)).toEqual([]);
    await log.flush();
    expect(readdirSync(dir)).toEqual(['requests-2026-03-01.ndjson']);
  });

  it('finds the days of a range from one listing of the directory, ignoring other files, whatever the range', async () => {
    log.record(entry('2026-03-01T10:00:00.000Z'));
    log.record(entry('2026-03-05T10:00:00.000Z'));
    log.record(entry('2027-01-02T10:00:00.000Z'));
    await log.flush();
    appendFileSync(path.join(dir, 'requests-2026-03-02.ndjson.bak'), 'x');
    appendFileSync(path.join(dir, 'notes.txt'), 'x');
    expect(await log.daysWithEntries('0001-01-01', '9999-12-31')).toEqual(['2026-03-01', '2026-03-05', '2027-01-02']);
    expect(await log.daysWithEntries('2026-03-02', '2026-12-31')).toEqual(['2026-03-05']);
    const read = await log.read({ from: new Date('2026-01-01T00:00:00Z'), to: new Date('2026-12-31T23:59:59Z'), limit: 10 });
    expect(read.entries.map((e) => e.time)).toEqual(['2026-03-01T10:00:00.000Z', '2026-03-05T10:00:00.000Z']);
  });
});
