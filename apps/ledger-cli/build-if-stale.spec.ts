/**
 * The run scripts build only a stale tree (build-if-stale.mjs), given/when/then over a scratch tree.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from '@jest/globals';

const script = path.resolve('apps/ledger-cli/build-if-stale.mjs');

function check(root: string): 'fresh' | 'stale' {
  const run = spawnSync(process.execPath, [script, '--check'], { env: { ...process.env, LEDGER_BUILD_ROOT: root }, encoding: 'utf8' });
  if (run.status !== 0 && run.status !== 1) throw new Error(`build-if-stale --check failed: ${run.stderr}`);
  return run.status === 0 ? 'fresh' : 'stale';
}

function touch(file: string, at: Date): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, '');
  utimesSync(file, at, at);
}

describe('build-if-stale', () => {
  let root: string;
  const minutesAgo = (m: number): Date => new Date(Date.now() - m * 60_000);
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  function givenTree(): string {
    root = mkdtempSync(path.join(os.tmpdir(), 'ledger-build-'));
    touch(path.join(root, 'package.json'), minutesAgo(30));
    touch(path.join(root, 'apps', 'ledger-api', 'src', 'main.ts'), minutesAgo(20));
    touch(path.join(root, 'libs', 'domain', 'src', 'index.ts'), minutesAgo(20));
    return root;
  }

  it('given no build stamp, the tree is stale', () => {
    expect(check(givenTree())).toBe('stale');
  });

  it('given a stamp newer than every source, the tree is fresh, whatever node_modules or dist hold', () => {
    const tree = givenTree();
    touch(path.join(tree, 'dist', '.build-stamp'), minutesAgo(10));
    touch(path.join(tree, 'node_modules', 'x', 'index.js'), minutesAgo(1));
    touch(path.join(tree, 'dist', 'apps', 'main.js'), minutesAgo(1));
    expect(check(tree)).toBe('fresh');
  });

  it('when a source or a configuration file changes after the stamp, the tree is stale again', () => {
    const tree = givenTree();
    touch(path.join(tree, 'dist', '.build-stamp'), minutesAgo(10));
    touch(path.join(tree, 'libs', 'domain', 'src', 'index.ts'), minutesAgo(1));
    expect(check(tree)).toBe('stale');

    touch(path.join(tree, 'dist', '.build-stamp'), minutesAgo(0));
    expect(check(tree)).toBe('fresh');
    touch(path.join(tree, 'tsconfig.json'), new Date(Date.now() + 1_000));
    expect(check(tree)).toBe('stale');
  });
});
