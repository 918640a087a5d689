import type { Page } from 'playwright-core';
import { seedDemoYear, type DemoYear } from '../../apps/ledger-cli/src/demo/seed-demo-year.js';
import { LedgerHarness } from '../fixtures/ledger-harness.js';
import { buildWebApp, plain } from './browser-session.js';

/**
 * The demo year (`npm run demo`) in a listening ledger, for the user journeys: the same seeding the
 * command runs, over real HTTP. Checkpoints are signed every 500 events so the auditor has a few.
 */
export async function startDemoLedger(): Promise<{ ledger: LedgerHarness; baseUrl: string; year: DemoYear }> {
  buildWebApp();
  const ledger = await LedgerHarness.start({ env: { LEDGER_CHECKPOINT_EVERY_EVENTS: '500', LEDGER_CHECKPOINT_EVERY_MS: '0' } });
  await ledger.app.listen(0, '127.0.0.1');
  const baseUrl = await ledger.app.getUrl();
  const year = await seedDemoYear(baseUrl, ledger.operatorKey);
  return { ledger, baseUrl, year };
}

export type Json = Record<string, unknown>;

/** The API's answer for a page's query, read after the whole demo year (`Ledger-Min-Position`). */
export async function apiRead<T = Json>(year: DemoYear, url: string, key: string): Promise<T> {
  const answer = await fetch(`${year.baseUrl}${url}`, { headers: { authorization: `Bearer ${key}`, 'ledger-min-position': String(year.headPosition) } });
  const text = await answer.text();
  if (answer.status !== 200) throw new Error(`GET ${url}: ${answer.status} ${text}`);
  return (/json/.test(answer.headers.get('content-type') ?? '') ? JSON.parse(text) : text) as T;
}

/** The Danish formats, written out here independently of the application's own formatter. */
export const daTonnes = (grams: number): string => `${new Intl.NumberFormat('da-DK', { minimumFractionDigits: 1, maximumFractionDigits: 3 }).format(grams / 1_000_000)} t`;
export const daPercent = (fraction: number): string => plain(new Intl.NumberFormat('da-DK', { style: 'percent', minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(fraction));

/** Signs in as a keyboard-only user: the key field has the focus, the key is typed, Enter submits. */
export async function signInByKeyboard(page: Page, key: string): Promise<void> {
  await page.goto('/');
  await page.locator('#api-key').waitFor();
  await page.locator('#api-key').focus();
  await page.keyboard.type(key);
  await page.keyboard.press('Enter');
  await page.locator('nav').waitFor();
}

/** Presses Tab until a link to `fragment` has the focus, as a keyboard-only user would. */
export async function tabToLink(page: Page, fragment: string, maxPresses = 200): Promise<void> {
  for (let press = 0; press < maxPresses; press += 1) {
    await page.keyboard.press('Tab');
    const href = await page.evaluate(() => (globalThis as unknown as { document: { activeElement: { getAttribute(name: string): string | null } | null } }).document.activeElement?.getAttribute('href') ?? '');
    if (href === fragment) return;
  }
  throw new Error(`no link to ${fragment} was reached in ${maxPresses} presses of Tab`);
}

/** The cells of every body row of a table, as text a reader sees. */
export async function rowsOf(page: Page, testId: string): Promise<string[][]> {
  const rows = await page.locator(`[data-testid="${testId}"] tbody tr`).all();
  return Promise.all(rows.map(async (row) => (await row.locator('th, td').allTextContents()).map(plain)));
}

/** A row of a site's ADS export as the API answers it (GET /reports/ads/:pNumber/:year). */
export interface AdsRow {
  readonly originKommuneCode: string | null;
  readonly originKommuneName: string | null;
  readonly eakCode: string | null;
  readonly fraction: string;
  readonly treatmentCode: string;
  readonly measurement: 'weighed' | 'estimated';
  readonly grams: number;
  readonly tonnes: string;
  readonly batches: number;
}

/**
 * The cells a Danish reader should see for an ADS row: the kommune with its name, the API's tonnes
 * with a decimal comma (not re-rounded), ADS's words for the measurement method, the batch count.
 */
export function daAdsCells(row: AdsRow): string[] {
  return [
    row.originKommuneCode ? `${row.originKommuneCode} ${row.originKommuneName ?? ''}`.trim() : 'Ukendt',
    row.eakCode ?? 'Ukendt',
    row.fraction,
    row.treatmentCode,
    row.measurement === 'weighed' ? 'Vejet' : 'Estimeret',
    row.tonnes.replace('.', ','),
    plain(new Intl.NumberFormat('da-DK').format(row.batches)),
  ];
}
