import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { LedgerHarness, type RegisteredOrganisation } from '../fixtures/ledger-harness.js';
import { buildWebApp, eventually, launchChromium, newPage, plain, screenshot, seriousViolations, tabUntil, textOf } from './browser-session.js';

/**
 * The import page (`#/import`, decision 038) in a real browser against a listening ledger: the file
 * is chosen through a keyboard-reachable input, the check shows every row's fate with each error on
 * its cell (aria-invalid and text), the import records the valid rows, and the weights the page
 * shows are the API's for the same batches.
 */
const daTonnes = (grams: number) => `${new Intl.NumberFormat('da-DK', { minimumFractionDigits: 1, maximumFractionDigits: 3 }).format(grams / 1_000_000)} t`;

describe('the import page in a browser', () => {
  let ledger: LedgerHarness;
  let browser: Browser;
  let baseUrl: string;
  let collector: RegisteredOrganisation;

  beforeAll(async () => {
    buildWebApp();
    ledger = await LedgerHarness.start();
    await ledger.app.listen(0, '127.0.0.1');
    baseUrl = await ledger.app.getUrl();
    collector = await ledger.registerOrganisation('Trasborg Indsamling', ['collector']);
    await ledger.authoriseCollector(await ledger.registerOrganisation('Herning Kommune', ['municipality'], '0657'), collector.id);
    browser = await launchChromium();
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await ledger?.close();
  }, 60_000);

  async function signIn(page: Page, key: string): Promise<void> {
    await page.goto('/');
    await page.locator('#api-key').fill(key);
    await page.keyboard.press('Enter');
    await page.locator('nav').waitFor();
  }

  it('given a file with bad rows, when checked and imported with the keyboard, then errors show on their cells and the recorded weights equal the API', async () => {
    const { context, page, errors } = await newPage(browser, baseUrl, 'da-DK');
    await signIn(page, collector.key);
    // The header links to the page.
    await page.locator('nav a[href="#/import"]').click();
    await eventually(async () => expect(await textOf(page.locator('h1'))).toBe('Importér fra regneark'));
    expect(await seriousViolations(page)).toEqual([]);

    // Given: the file, chosen through the input that Tab reaches (the native dialog is the browser's own).
    await page.locator('#main').focus();
    await tabUntil(page, (focused) => focused.id === 'import-file');
    await page.locator('#import-file').setInputFiles({ name: 'indsamlinger.csv', mimeType: 'text/csv', buffer: readFileSync('test/fixtures/csv/bad-rows.csv') });
    await eventually(async () => expect(await textOf(page.getByTestId('import-chosen'))).toMatch(/^Valgt: indsamlinger\.csv/));
    const head = await ledger.store.headPosition();

    // When: the check, by Tab and Enter.
    await tabUntil(page, (focused) => focused.text === 'Tjek filen');
    await page.keyboard.press('Enter');

    // Then: every row's fate, and each error on its cell, in text, with aria-invalid.
    await eventually(async () => expect(await page.locator('[data-testid="import-table"] tbody tr').count()).toBe(12));
    expect(plain(await page.getByTestId('import-status').textContent())).toBe('12 rækker: 2 vil blive importeret, 0 importeret, 0 allerede importeret, 10 med fejl, 0 ikke importeret.');
    const kommuneCell = page.locator('tr[data-line="2"] td[aria-invalid="true"]');
    expect(await kommuneCell.count()).toBe(1);
    expect(plain(await kommuneCell.locator('.cell-value').textContent())).toBe('9999');
    expect(plain(await kommuneCell.locator('.cell-error-text').textContent())).toBe('⚠ "9999" is not the code of one of the 98 Danish kommuner');
    expect(await page.locator('tr[data-line="4"] td[aria-invalid="true"]').textContent()).toContain('-3');
    expect(plain(await page.locator('tr[data-line="8"]').textContent())).toContain('the same collection as line 7');
    expect(await page.locator('td[aria-invalid="true"]').count()).toBe(9);
    expect(await page.getByTestId('import-download').isVisible()).toBe(true);
    expect(await ledger.store.headPosition()).toBe(head);
    expect(await seriousViolations(page)).toEqual([]);

    // When: the valid rows are imported.
    await page.locator('#import-mode').selectOption('valid-rows');
    await page.locator('#import-mode').focus();
    await tabUntil(page, (focused) => focused.text === 'Tjek filen');
    await page.keyboard.press('Enter');
    await eventually(async () => expect(await page.getByTestId('import-run').isDisabled()).toBe(false));
    await page.getByTestId('import-run').focus();
    await page.keyboard.press('Enter');

    // Then: two rows recorded, and the weights the page read back are the API's.
    await eventually(async () => expect(await page.locator('tr[data-fate="imported"]').count()).toBe(2));
    expect(await ledger.store.headPosition()).toBe(head + 2);
    for (const row of await page.locator('tr[data-fate="imported"]').all()) {
      const link = row.locator('a');
      const batchId = decodeURIComponent(String(await link.getAttribute('href')).replace('#/batches/', ''));
      const batch = await ledger.request<{ massGrams: number }>('GET', `/batches/${batchId}`, { key: collector.key });
      expect(plain(await link.textContent())).toBe(plain(daTonnes(batch.body.massGrams)));
    }
    expect([...new Set(await Promise.all((await page.locator('tr[data-fate="imported"] a').all()).map(async (a) => plain(await a.textContent()))))].sort()).toEqual([daTonnes(10_000), daTonnes(22_500)].map(plain).sort());
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'import');
    expect(errors).toEqual([]);
    await context.close();
  });
});
