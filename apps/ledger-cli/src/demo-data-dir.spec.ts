import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { claimDemoDataDir, DEMO_MARKER_FILE, NotADemoLedgerError } from './demo-data-dir.js';

describe('the demo’s data directory', () => {
  let parent: string;
  beforeEach(() => {
    parent = mkdtempSync(path.join(os.tmpdir(), 'demo-dir-'));
  });
  afterEach(() => {
    rmSync(parent, { recursive: true, force: true });
  });

  it('given a new directory, then it is created and marked as the demo’s', () => {
    const dir = path.join(parent, 'new');
    claimDemoDataDir(dir);
    expect(readdirSync(dir)).toEqual([DEMO_MARKER_FILE]);
  });

  it('given a directory the demo marked, then it is used again', () => {
    const dir = path.join(parent, 'demo');
    claimDemoDataDir(dir);
    writeFileSync(path.join(dir, 'events.sqlite'), '');
    expect(() => claimDemoDataDir(dir)).not.toThrow();
  });

  it('given a directory holding anything else, a real ledger say, then it is refused and left as it was', () => {
    const dir = path.join(parent, 'real');
    mkdirSync(dir);
    writeFileSync(path.join(dir, 'events.sqlite'), '');
    expect(() => claimDemoDataDir(dir)).toThrow(NotADemoLedgerError);
    expect(readdirSync(dir)).toEqual(['events.sqlite']);
  });
});
