/**
 * The web application's pages on the demo year (decision 033): for each user's page, the time from
 * navigation to the page's data shown (a data-testid that appears only once the answers are rendered),
 * against a 1 s budget, and the API's answer time for the page's main query measured in the same run,
 * so the page's own cost shows as a ratio; plus the gzipped initial JavaScript against its 250 KB
 * budget (as `node apps/ledger-web/build.mjs --sizes` measures it).
 *
 * Runs on its own too: `node dist/bench/web-pages.bench.js` (after `npm run build`).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { chromium, type Page } from 'playwright-core';
import { loadLedgerConfig } from '../apps/ledger-api/src/config/ledger.config.js';
import { createLedgerApp } from '../apps/ledger-api/src/ledger-app.js';
import { seedDemoYear, type DemoYear } from '../apps/ledger-cli/src/demo/seed-demo-year.js';
import { webAppDirectory } from '../apps/ledger-web/server/serve-web-app.js';
import { emit, log, median, type Figure } from './bench-support.js';

/** One JSON line of bench output, as bench/ledger.bench.ts prints them. */
export type BenchLine = Figure;

const PAGE_BUDGET_MS = 1_000;
const SCRIPT_BUDGET_BYTES = 250 * 1024;
const RUNS = 7;

interface PageCase {
  readonly page: string;
  readonly fragment: string;
  /** Shown only once the page rendered the API's answers. */
  readonly ready: string;
  readonly key: string;
  /** The page's main query, timed over HTTP on its own. */
  readonly query: string;
}

function pageCases(year: DemoYear): PageCase[] {
  const herning = year.kommuner.find((k) => k.code === '0657')!.municipality;
  const period = `from=${encodeURIComponent(`${year.year}-01-01T00:00:00+01:00`)}&to=${encodeURIComponent(`${year.year + 1}-01-01T00:00:00+01:00`)}`;
  return [
    { page: 'municipality overview', fragment: `#/municipality/0657/${year.year}`, ready: '[data-testid="collected-total"]', key: herning.key, query: `/reports/municipal/0657/${year.year}` },
    { page: 'batch', fragment: `#/batches/${year.notable.pillowBatchId}`, ready: '[data-testid="recycled-content"]', key: year.firms.pillowMaker.key, query: `/batches/${year.notable.pillowBatchId}/provenance` },
    { page: 'organisation', fragment: `#/organisations/${year.firms.fibreWorks.id}/${year.year}`, ready: '[data-testid="balance-verdict"]', key: year.firms.fibreWorks.key, query: `/reports/inventory/${year.firms.fibreWorks.id}?${period}` },
    { page: 'audit', fragment: '#/audit', ready: '[data-testid="anomaly-count"]', key: year.firms.auditor.key, query: '/audit/anomalies?limit=500' },
    { page: 'operator', fragment: '#/operator', ready: '[data-testid="organisations"] tbody tr', key: year.operatorKey, query: '/organisations' },
  ];
}

async function signIn(page: Page, key: string): Promise<void> {
  await page.goto('/');
  await page.locator('#api-key').fill(key);
  await page.keyboard.press('Enter');
  await page.locator('nav').waitFor();
}

/** From the home page (which shows none of the pages' hooks) to the page's data, `RUNS` times. */
async function timePage(page: Page, fragment: string, ready: string): Promise<number> {
  const times: number[] = [];
  for (let run = 0; run <= RUNS; run += 1) {
    await page.evaluate(() => {
      (globalThis as unknown as { location: { hash: string } }).location.hash = '#/';
    });
    await page.locator(ready).first().waitFor({ state: 'detached' });
    const start = performance.now();
    await page.evaluate((hash) => {
      (globalThis as unknown as { location: { hash: string } }).location.hash = hash;
    }, fragment);
    await page.locator(ready).first().waitFor();
    // The first run warms the caches and the JIT, as a user's second visit would find them.
    if (run > 0) times.push(performance.now() - start);
  }
  return median(times);
}

async function timeQuery(baseUrl: string, query: string, key: string, position: number): Promise<number> {
  const times: number[] = [];
  for (let run = 0; run <= RUNS; run += 1) {
    const start = performance.now();
    const answer = await fetch(`${baseUrl}${query}`, { headers: { authorization: `Bearer ${key}`, 'ledger-min-position': String(position) } });
    await answer.arrayBuffer();
    if (!answer.ok) throw new Error(`GET ${query}: ${answer.status}`);
    if (run > 0) times.push(performance.now() - start);
  }
  return median(times);
}

export async function benchWebPages(): Promise<BenchLine[]> {
  const publicDir = webAppDirectory();
  if (!existsSync(path.join(publicDir, 'app.js'))) execFileSync(process.execPath, ['apps/ledger-web/build.mjs'], { stdio: 'inherit' });
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'ledger-bench-web-'));
  const operatorKey = 'tl_000000000000_bench-operator-key-with-enough-entropy';
  const { app } = await createLedgerApp(loadLedgerConfig({ LEDGER_DATA_DIR: dataDir, LEDGER_OPERATOR_KEY: operatorKey, LEDGER_RECOVERY_INTERVAL_MS: '0' }), { logger: false });
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
    headless: true,
  });
  const lines: BenchLine[] = [];
  try {
    await app.listen({ port: 0, host: '127.0.0.1' });
    const baseUrl = await app.getUrl();
    const seeded = performance.now();
    const year = await seedDemoYear(baseUrl, operatorKey);
    log(`web pages: demo year seeded (${year.counts.requests} requests) in ${((performance.now() - seeded) / 1000).toFixed(1)} s`);
    for (const c of pageCases(year)) {
      const context = await browser.newContext({ baseURL: baseUrl, locale: 'da-DK', viewport: { width: 1200, height: 900 } });
      const page = await context.newPage();
      await signIn(page, c.key);
      const pageMs = await timePage(page, c.fragment, c.ready);
      await context.close();
      const apiMs = await timeQuery(baseUrl, c.query, c.key, year.headPosition);
      lines.push({ name: `web page ${c.page}: navigation to data shown`, value: pageMs, unit: 'ms', reference: `${PAGE_BUDGET_MS} ms budget`, ratio: pageMs / PAGE_BUDGET_MS });
      lines.push({ name: `web page ${c.page}: API answer to its main query`, value: apiMs, unit: 'ms', reference: 'self', ratio: 1 });
      lines.push({ name: `web page ${c.page}: navigation to data shown, against its main query`, value: pageMs, unit: 'ms', reference: `web page ${c.page}: API answer to its main query`, ratio: pageMs / apiMs });
    }
  } finally {
    await browser.close();
    await app.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
  const gzipped = gzipSync(readFileSync(path.join(publicDir, 'app.js'))).length;
  lines.push({ name: 'web initial JavaScript', value: gzipped, unit: 'bytes gzipped', reference: `${SCRIPT_BUDGET_BYTES} bytes (250 KB) budget`, ratio: gzipped / SCRIPT_BUDGET_BYTES });
  return lines;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const line of await benchWebPages()) emit(line);
}
