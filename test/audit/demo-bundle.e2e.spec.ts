import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '../..');
const cli = (name: string): string => path.join(root, 'dist/apps/ledger-cli/src', name);

/** The environment minus every LEDGER_* setting: what a fresh shell on the auditor's machine has. */
function bareEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: os.tmpdir() };
  return { ...env, ...extra };
}

async function node(script: string, args: string[], options: { env: NodeJS.ProcessEnv; cwd: string }): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [script, ...args], { ...options, maxBuffer: 64 * 1024 * 1024 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

/**
 * A bundle exported from the demo scenario verifies offline in a fresh process
 * with no store, and changing one byte of it makes verification fail, naming what broke. Runs the
 * compiled CLI (`npm test` builds first), as an operator and an auditor would.
 */
describe('the demo scenario, exported and verified offline by the CLI', () => {
  let dataDir: string;
  let auditorDir: string;
  let bundle: string;
  let demoOutput: string;
  let pillowId: string;

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'ledger-demo-audit-'));
    auditorDir = mkdtempSync(path.join(os.tmpdir(), 'ledger-auditor-'));
    const demo = await node(cli('demo.command.js'), [], { env: bareEnv({ LEDGER_DATA_DIR: dataDir }), cwd: root });
    expect(demo.stderr).toBe('');
    expect(demo.code).toBe(0);
    demoOutput = demo.stdout;
    pillowId = /Provenance of pillow batch ([0-9a-f-]{36})/.exec(demoOutput)![1]!;
    bundle = path.join(auditorDir, 'pillow.bundle.json');
    const exported = await node(cli('ledger.command.js'), ['audit', 'export', '--batch', pillowId, '--upstream', '--out', bundle], { env: bareEnv({ LEDGER_DATA_DIR: dataDir }), cwd: root });
    expect(exported.stderr).toBe('');
    expect(exported.code).toBe(0);
    expect(JSON.parse(exported.stdout)).toEqual(expect.objectContaining({ command: 'audit export', batchId: pillowId, upstream: true }));
  }, 180_000);

  afterAll(() => {
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(auditorDir, { recursive: true, force: true });
  });

  it('verifies in a fresh process with no store and no configuration, and recomputes the demo’s provenance', async () => {
    const verified = await node(cli('ledger.command.js'), ['audit', 'verify', bundle], { env: bareEnv(), cwd: auditorDir });
    expect(verified.stdout).toContain('Result: VERIFIED');
    expect(verified.code).toBe(0);
    // The same recycled content and kommune split the demo read from the live API.
    const recycled = /recycled content ([\d.]+) %/;
    expect(recycled.exec(verified.stdout)?.[1]).toBe(recycled.exec(demoOutput)?.[1]);
    for (const code of ['0657', '0756', '0661']) {
      const line = new RegExp(`kommune ${code}: ([\\d.,]+) kg`);
      expect(line.exec(verified.stdout)?.[1]?.replace(/,/g, '')).toBe(line.exec(demoOutput)?.[1]);
    }
    const json = await node(cli('ledger.command.js'), ['audit', 'verify', '--json', bundle], { env: bareEnv(), cwd: auditorDir });
    const report = JSON.parse(json.stdout) as { ok: boolean; processes: Array<{ processType: string; balanced: boolean }>; lineage: unknown[] };
    expect(report.ok).toBe(true);
    // The demo year's pillow comes through several sortings and recyclings, one manufacturing.
    expect([...new Set(report.processes.map((p) => p.processType))].sort()).toEqual(['manufacturing', 'mechanical-recycling', 'sorting']);
    expect(report.processes.every((p) => p.balanced)).toBe(true);
    expect(report.lineage.length).toBeGreaterThanOrEqual(7);
  });

  it('fails, naming what broke, when one byte of the bundle is changed', async () => {
    const original = readFileSync(bundle, 'utf8');
    const edited = path.join(auditorDir, 'edited.bundle.json');
    // A digit inside the first event's mass: the event's hash no longer matches its content.
    const at = original.indexOf('"massGrams":') + '"massGrams":'.length;
    const digit = original[at]!;
    writeFileSync(edited, original.slice(0, at) + (digit === '9' ? '8' : String(Number(digit) + 1)) + original.slice(at + 1));
    const verified = await node(cli('ledger.command.js'), ['audit', 'verify', edited], { env: bareEnv(), cwd: auditorDir });
    expect(verified.code).toBe(1);
    expect(verified.stdout).toMatch(/Result: FAILED: hash chains: event at position \d+ \(batch-[0-9a-f-]+ revision 0, id [^)]+\): hash does not match/);
  });

  it('passes whole-store verification of the demo ledger', async () => {
    const verified = await node(cli('ledger.command.js'), ['verify', '--json'], { env: bareEnv({ LEDGER_DATA_DIR: dataDir }), cwd: root });
    expect(verified.code).toBe(0);
    expect(JSON.parse(verified.stdout)).toEqual(expect.objectContaining({ ok: true }));
  });
});
