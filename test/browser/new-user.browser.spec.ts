import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { buildWebApp, eventually, launchChromium, newPage, screenshot, seriousViolations, tabUntil, textOf } from './browser-session.js';

/**
 * What a new user does after `npm start` (decision 035): the same command on a fresh data
 * directory and a free port, the operator key read from the file the first start wrote (the log
 * says where, never the key), sign-in with the keyboard, and every page of the header on an empty
 * ledger, each an empty state rather than an error. Then SIGTERM, and a clean exit.
 */
const MAIN = path.resolve('dist/apps/ledger-api/src/main.js');

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

interface Started {
  readonly child: ChildProcess;
  readonly output: () => string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function start(dataDir: string, port: number): Started {
  // The environment a person has: no operator key, no test settings, and no jest in NODE_OPTIONS.
  const env: NodeJS.ProcessEnv = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('LEDGER_') && name !== 'NODE_OPTIONS' && name !== 'PORT'));
  const child = spawn(process.execPath, [MAIN], { env: { ...env, LEDGER_DATA_DIR: dataDir, PORT: String(port) }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  return { child, output: () => output, exited };
}

async function ready(baseUrl: string, started: Started, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exitedEarly = false;
  void started.exited.then(() => (exitedEarly = true));
  for (;;) {
    if (exitedEarly) throw new Error(`the ledger exited before it was ready:\n${started.output()}`);
    try {
      if ((await fetch(`${baseUrl}/health/ready`)).status === 200) return;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) throw new Error(`the ledger was not ready within ${timeoutMs} ms:\n${started.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** A page rendered without an error: its heading is there, nothing is loading, and no alert says the ledger failed. */
async function rendered(page: Page): Promise<string> {
  await eventually(async () => {
    expect(await page.locator('main [role="status"]').filter({ hasText: /Loading|Indlæser/ }).count()).toBe(0);
    expect(await page.locator('main h1').count()).toBeGreaterThan(0);
  }, 30_000);
  const alerts = await page.locator('main [role="alert"]').allTextContents();
  expect(alerts.filter((text) => text.trim() !== '')).toEqual([]);
  return textOf(page.locator('main h1'));
}

describe('a new user’s first start of the ledger', () => {
  let dataDir: string;
  let started: Started | undefined;
  let browser: Browser | undefined;
  const screenshots: string[] = [];

  beforeAll(() => {
    if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: npm test builds it (npm run build) before jest runs`);
    buildWebApp();
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'ledger-new-user-'));
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    if (started && started.child.exitCode === null && started.child.signalCode === null) started.child.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
    if (screenshots.length) process.stdout.write(`browser screenshots:\n${screenshots.join('\n')}\n`);
  }, 60_000);

  it('given `npm start` on an empty data directory, when the new user signs in with the operator key from its file, then every page of the header renders an empty state, and SIGTERM stops the ledger cleanly', async () => {
    const port = await freePort();
    const baseUrl = `http://127.0.0.1:${port}`;
    started = start(dataDir, port);
    await ready(baseUrl, started);

    // The first start wrote the operator key to a file only its user can read, and said where, never what.
    const keyFile = path.join(dataDir, 'operator-key');
    const key = readFileSync(keyFile, 'utf8').trim();
    expect(key).toMatch(/^[A-Za-z0-9_\-.]{16,200}$/);
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    expect(started.output()).toContain(`wrote it to ${keyFile}`);
    expect(started.output()).toContain(`Textile ledger listening on http://localhost:${port}`);
    expect(started.output()).not.toContain(key);

    browser = await launchChromium();
    const { context, page, errors } = await newPage(browser, baseUrl, 'en-GB');
    await page.goto('/');
    await page.locator('#api-key').waitFor();
    // Keyboard only: the key field has the focus, the key is typed and Enter signs in.
    await page.keyboard.type(key);
    await page.keyboard.press('Enter');
    await page.locator('nav').waitFor();
    expect(await rendered(page)).not.toBe('');
    screenshots.push(await screenshot(page, 'new-user-home'));
    expect(await seriousViolations(page)).toEqual([]);

    const header: { link: string; name: string; hash: RegExp }[] = [
      { link: 'Municipality overview', name: 'municipality', hash: /^#\/municipality/ },
      { link: 'Batches', name: 'batches', hash: /^#\/batches$/ },
      { link: 'Audit', name: 'audit', hash: /^#\/audit$/ },
      { link: 'Operator', name: 'operator', hash: /^#\/operator$/ },
      { link: 'Home', name: 'home-again', hash: /^#\/$|^$/ },
    ];
    for (const { link, name, hash } of header) {
      await page.locator('body').focus();
      await tabUntil(page, (focused) => focused.text === link);
      await page.keyboard.press('Enter');
      await eventually(async () => expect(new URL(page.url()).hash).toMatch(hash));
      await rendered(page);
      if (name !== 'home-again') screenshots.push(await screenshot(page, `new-user-${name}`));
      expect({ page: name, violations: await seriousViolations(page) }).toEqual({ page: name, violations: [] });
    }

    // The organisation page, from the operator page's list: the one organisation an empty ledger has.
    await page.locator('body').focus();
    await tabUntil(page, (focused) => focused.text === 'Operator');
    await page.keyboard.press('Enter');
    const organisations = page.locator('[data-testid="organisations"] a');
    await organisations.first().waitFor();
    expect(await organisations.count()).toBe(1);
    const operatorName = (await organisations.first().textContent())!.trim();
    await tabUntil(page, (focused) => focused.text === operatorName);
    await page.keyboard.press('Enter');
    await page.locator('[data-testid="chosen-organisation"]').waitFor();
    await rendered(page);
    const organisationId = (await page.locator('[data-testid="chosen-organisation"] code').first().textContent())!.trim();
    // The operator page links the chosen organisation's page; the keyboard follows the link.
    const toOrganisation = page.locator('[data-testid="organisation-page-link"]');
    expect(await toOrganisation.getAttribute('href')).toBe(`#/organisations/${organisationId}`);
    await toOrganisation.focus();
    await page.keyboard.press('Enter');
    await eventually(async () => expect(new URL(page.url()).hash).toMatch(new RegExp(`^#/organisations/${organisationId}`)));
    await rendered(page);
    screenshots.push(await screenshot(page, 'new-user-organisation'));
    expect(await seriousViolations(page)).toEqual([]);
    expect(errors).toEqual([]);
    await context.close();

    // SIGTERM: the ledger closes its stores and exits, without an error on the way out.
    const before = started.output().length;
    started.child.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const exit = await Promise.race([started.exited, new Promise<'hung'>((resolve) => (timer = setTimeout(() => resolve('hung'), 30_000)))]);
    clearTimeout(timer);
    expect(exit).not.toBe('hung');
    // Nest's shutdown hooks close the application, then re-raise the signal: exit by SIGTERM, or 0.
    expect(exit === 'hung' ? null : exit.code === 0 || exit.signal === 'SIGTERM').toBe(true);
    expect(started.output().slice(before)).not.toMatch(/\bERROR\b|Error:|Unhandled/);
    await expect(fetch(`${baseUrl}/health/live`)).rejects.toThrow();
  }, 240_000);
});
