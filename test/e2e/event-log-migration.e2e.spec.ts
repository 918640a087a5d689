import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  MerkleFrontier,
  PostgresEventStore,
  SqliteEventStore,
  ledgerLeafHash,
  loadOrCreateAuditKey,
  signCheckpoint,
  type EventStore,
  type SignedCheckpoint,
  type StoredEvent,
} from '#event-store';
import { createLedgerProjections, ProjectionRunner } from '#projections';
import { openSqliteReadDb } from '#read-store';
import { appendScenario, generateScenario } from '#scenarios';
import { exportEventLog, importEventLog } from '../../apps/ledger-cli/src/event-log.js';
import { startTestPostgres, type TestPostgres } from '../support/postgres-server.js';

const run = promisify(execFile);

async function readWholeLog(store: EventStore): Promise<StoredEvent[]> {
  const all: StoredEvent[] = [];
  for (let after = -1; ; ) {
    const page = await store.readAll({ after, maxCount: 1000 });
    if (page.length === 0) return all;
    all.push(...page);
    after = page[page.length - 1]!.position;
  }
}

async function readModelChecksum(store: EventStore, dir: string, name: string): Promise<string> {
  const db = openSqliteReadDb({ filename: path.join(dir, `${name}.sqlite`) });
  const runner = new ProjectionRunner({ store, db, projections: createLedgerProjections() });
  try {
    await runner.rebuild();
    return (await runner.checksum()).total;
  } finally {
    await runner.close();
    await db.destroy();
  }
}

/** Moving a ledger from the embedded store to PostgreSQL: export, verify, import (docs/operations.md). */
describe('event log export and import', () => {
  let dir: string;
  let source: SqliteEventStore;
  let exported: string;
  let postgres: TestPostgres;
  let sourceLog: StoredEvent[];
  let checkpoints: SignedCheckpoint[];

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'ledger-migration-'));
    source = await SqliteEventStore.open({ filename: path.join(dir, 'events.sqlite'), synchronous: 'NORMAL' });
    // A realistic log: collections, transfers, every process type, outcomes, corrections, rejections.
    await appendScenario(source, generateScenario({ seed: 7, batches: 300 }));
    sourceLog = await readWholeLog(source);
    // Two signed checkpoints, as the server would have made them.
    const { key } = loadOrCreateAuditKey(path.join(dir, 'audit-key.pem'));
    const tree = MerkleFrontier.empty();
    checkpoints = [];
    for (const event of sourceLog) {
      tree.append(ledgerLeafHash(event));
      if (tree.size === 100 || tree.size === sourceLog.length - 5) {
        const checkpoint = signCheckpoint({ origin: 'textile-ledger', treeSize: tree.size, rootHash: tree.root().toString('hex'), lastPosition: event.position, signedAt: '2026-11-22T10:00:00.000Z' }, key);
        await source.appendCheckpoint(checkpoint);
        checkpoints.push(checkpoint);
      }
    }
    exported = path.join(dir, 'log.ndjson');
    postgres = await startTestPostgres();
  }, 120_000);

  afterAll(async () => {
    await source.close();
    await postgres.stop();
    rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('exports every event and imports it into PostgreSQL unchanged, rebuilding to the same read models', async () => {
    const summary = await exportEventLog(source, exported);
    expect(summary.events).toBe(sourceLog.length);
    expect(summary.lastHash).toBe(sourceLog.at(-1)!.hash);

    const target = await PostgresEventStore.open({ connectionString: await postgres.createDatabase() });
    try {
      const imported = await importEventLog(target, exported);
      expect(imported.events).toBe(sourceLog.length);
      expect(await readWholeLog(target)).toEqual(sourceLog);
      // The signed checkpoints are evidence: they move with the log, verbatim.
      expect(imported.checkpoints).toBe(2);
      expect(await target.listCheckpoints()).toEqual(checkpoints);
      expect(await readModelChecksum(target, dir, 'from-postgres')).toBe(await readModelChecksum(source, dir, 'from-sqlite'));
      // The imported log goes on like any other: appends continue its positions and chains.
      const next = await target.append('batch-after-import', [{ eventId: 'after-import-1', type: 'TestEvent', schemaVersion: 1, data: {}, metadata: { actorOrgId: 'o', commandId: 'c', correlationId: 'c', causationId: 'c' } }], 'no-stream');
      expect(next.position).toBe(sourceLog.length);
    } finally {
      await target.close();
    }
  }, 120_000);

  it.each([
    ['a changed field', (lines: string[]) => {
      const target = lines.findIndex((l, i) => i > 40 && l.includes('"massGrams":'));
      return lines.map((l, i) => (i === target ? l.replace(/"massGrams":(\d+)/, (_m, g: string) => `"massGrams":${Number(g) + 1}`) : l));
    }, /hash does not match/],
    ['a deleted event', (lines: string[]) => lines.filter((_l, i) => i !== 40), /expected position/],
    ['two swapped events', (lines: string[]) => lines.map((l, i) => (i === 40 ? lines[41]! : i === 41 ? lines[40]! : l)), /expected position/],
    ['a truncated tail', (lines: string[]) => lines.slice(0, -3), /truncated/],
    ['a checkpoint whose root was changed', (lines: string[]) => lines.map((l) => (l.startsWith('{"checkpoint"') ? l.replace(/"rootHash":"(.)/, (_m, c: string) => `"rootHash":"${c === 'a' ? 'b' : 'a'}`) : l)), /checkpoint of 100 events does not match the Merkle root/],
  ])('refuses a log with %s and imports nothing', async (_name, tamper, message) => {
    await exportEventLog(source, exported);
    const lines = readFileSync(exported, 'utf8').trimEnd().split('\n');
    const tampered = path.join(dir, 'tampered.ndjson');
    writeFileSync(tampered, `${tamper(lines).join('\n')}\n`);
    const target = await PostgresEventStore.open({ connectionString: await postgres.createDatabase() });
    try {
      await expect(importEventLog(target, tampered)).rejects.toThrow(message);
      expect(await target.headPosition()).toBe(-1);
    } finally {
      await target.close();
    }
  }, 60_000);

  it('refuses to import into a store that already holds events', async () => {
    await exportEventLog(source, exported);
    await expect(importEventLog(source, exported)).rejects.toThrow(/not empty/);
  });

  it('works from the command line: npm run ledger -- events export | import, on the configured stores', async () => {
    const cli = path.resolve('dist/apps/ledger-cli/src/ledger.command.js');
    const file = path.join(dir, 'cli.ndjson');
    const exportRun = await run(process.execPath, [cli, 'events', 'export', file], { env: { ...process.env, LEDGER_DATA_DIR: dir, LEDGER_STORE: 'sqlite' } });
    expect(JSON.parse(exportRun.stdout)).toMatchObject({ command: 'events export', events: sourceLog.length });
    const targetDir = path.join(dir, 'target');
    const importRun = await run(process.execPath, [cli, 'events', 'import', file], { env: { ...process.env, LEDGER_DATA_DIR: targetDir, LEDGER_STORE: 'sqlite' } });
    expect(JSON.parse(importRun.stdout)).toMatchObject({ command: 'events import', events: sourceLog.length });
    const copy = await SqliteEventStore.open({ filename: path.join(targetDir, 'events.sqlite') });
    try {
      expect(await readWholeLog(copy)).toEqual(sourceLog);
    } finally {
      await copy.close();
    }
    await expect(run(process.execPath, [cli, 'events', 'import', file], { env: { ...process.env, LEDGER_DATA_DIR: targetDir, LEDGER_STORE: 'sqlite' } })).rejects.toMatchObject({ code: 1 });

    // `events verify` needs no store; one changed byte fails it, naming the line and position.
    expect(JSON.parse((await run(process.execPath, [cli, 'events', 'verify', file])).stdout)).toMatchObject({ ok: true, events: sourceLog.length });
    const lines = readFileSync(file, 'utf8').split('\n');
    lines[10] = lines[10]!.replace(/"recordedAt":"(\d)/, (_m, d: string) => `"recordedAt":"${(Number(d) + 1) % 10}`);
    writeFileSync(file, lines.join('\n'));
    const failed = await run(process.execPath, [cli, 'events', 'verify', file]).catch((error: { code: number; stdout: string }) => error);
    expect(failed).toMatchObject({ code: 1 });
    expect(JSON.parse(failed.stdout)).toMatchObject({ ok: false, error: expect.stringMatching(/:11: event at position 7: .*hash does not match/) });
  }, 60_000);
});
