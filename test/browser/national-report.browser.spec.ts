import { readFileSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { LedgerHarness } from '../fixtures/ledger-harness.js';
import { buildWebApp, eventually, launchChromium, newPage, plain, screenshot, seriousViolations, tabUntil, textOf } from './browser-session.js';
import { seedFlowsScenario, type FlowsScenario } from './flows-scenario.js';

/**
 * The national view in a real browser against a real ledger (decision 040): reached from the header
 * by keyboard as the operator, every kommune row and the country's totals are the API's grams, the
 * definitions open from the keyboard, the downloads are the API's answer, and a municipality is
 * told it may not see it.
 */
interface Figure {
  grams: number;
}
interface Figures {
  collected: Figure & { batches: number };
  preparedForReuse: Figure;
  recycled: Figure;
  circularity: { collected: Figure; buckets: Record<string, Figure>; rates: Record<string, number | null> };
}
interface National {
  kommuner: Array<Figures & { kommuneCode: string; kommuneName: string }>;
  total: Figures;
}

const daTonnes = (grams: number) => `${new Intl.NumberFormat('da-DK', { minimumFractionDigits: 1, maximumFractionDigits: 3 }).format(grams / 1_000_000)} t`;

/** The table's columns as the API's figures: the page may only add buckets together. */
function columns(f: Figures): Record<string, number> {
  const b = (name: string) => f.circularity.buckets[name]?.grams ?? 0;
  return {
    collected: f.collected.grams,
    preparedForReuse: f.preparedForReuse.grams,
    recycled: f.recycled.grams,
    exported: b('exportRecycling') + b('exportUnknown'),
    energyRecovery: b('energyRecovery'),
    disposed: b('incineration') + b('landfill'),
    losses: b('processLoss') + b('weighingDifference'),
    inStock: b('inStock'),
  };
}

describe('the national view in a browser', () => {
  let ledger: LedgerHarness;
  let browser: Browser;
  let baseUrl: string;
  let scenario: FlowsScenario;

  beforeAll(async () => {
    buildWebApp();
    ledger = await LedgerHarness.start();
    await ledger.app.listen(0, '127.0.0.1');
    baseUrl = await ledger.app.getUrl();
    scenario = await seedFlowsScenario(ledger);
    // A second kommune, so the table has more than one row that collected.
    const ikast = await ledger.registerOrganisation('Ikast-Brande Kommune', ['municipality'], '0756');
    const collector = await ledger.registerOrganisation('Ikast Indsamling <b>ApS</b>', ['collector']);
    await ledger.authoriseCollector(ikast, collector.id);
    const r = await ledger.post('/batches/collections', { kommuneCode: '0756', collectionScheme: 'kerbside', ewcCode: '20 01 10', massGrams: 123_457, collectorOrgId: collector.id, occurredAt: `${scenario.year}-04-02T10:00:00+02:00` }, ikast.key);
    if (r.status !== 201) throw new Error(`collection: ${r.status} ${JSON.stringify(r.body)}`);
    browser = await launchChromium();
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await ledger?.close();
  }, 60_000);

  it('given two kommuner’s year, when the operator opens the national view by keyboard, then every row, the totals, the definitions and the downloads equal the API', async () => {
    const { year } = scenario;
    const answer = await ledger.request('GET', `/reports/national/${year}`, { headers: { 'ledger-min-position': String(await ledger.store.headPosition()) } });
    expect(answer.status).toBe(200);
    const national = answer.body as unknown as National;
    const { context, page, errors } = await newPage(browser, baseUrl, 'da-DK');

    await page.goto('/');
    await page.locator('#api-key').fill(ledger.operatorKey);
    await page.keyboard.press('Enter');
    await page.locator('nav').first().waitFor();
    // The header links the national view for the operator; Tab reaches it, Enter opens it.
    await tabUntil(page, (focused) => focused.text === 'Landstal');
    await page.keyboard.press('Enter');
    await page.locator('[data-testid="national-table"]').waitFor();
    // The address without a year is this year; the scenario's year is one form away.
    await page.locator('#national-year').fill(String(year));
    await page.locator('#national-year').press('Enter');
    await eventually(async () => expect(await textOf(page.locator('h1'))).toBe(`Danmark: separat indsamlede tekstiler ${year}`));
    expect(page.url()).toContain(`#/national/${year}`);

    // Only the kommuner that collected are listed at first: Herning and Ikast-Brande, named as text.
    const collectedRows = national.kommuner.filter((k) => k.collected.grams !== 0);
    expect(collectedRows.map((k) => k.kommuneCode)).toEqual(['0657', '0756']);
    await eventually(async () => expect(await page.locator('[data-testid="national-table"] tbody tr').count()).toBe(2));
    for (const row of collectedRows) {
      const tr = page.locator(`[data-testid="national-table"] tbody tr[data-kommune="${row.kommuneCode}"]`);
      expect(plain(await tr.locator('th').textContent())).toBe(row.kommuneName);
      for (const [measure, grams] of Object.entries(columns(row))) {
        const cell = tr.locator(`td[data-measure="${measure}"]`);
        expect({ measure, grams: Number(await cell.getAttribute('data-grams')), text: await textOf(cell) }).toEqual({ measure, grams, text: daTonnes(grams) });
      }
    }
    // The totals, in the table's foot and in the summary, are the API's country totals.
    const totals = columns(national.total);
    expect(totals['collected']).toBe(collectedRows.reduce((s, k) => s + k.collected.grams, 0));
    for (const [measure, grams] of Object.entries(totals)) {
      expect(Number(await page.locator(`tfoot td[data-measure="${measure}"]`).getAttribute('data-grams'))).toBe(grams);
      expect(await textOf(page.locator(`[data-testid="national-totals"] dd[data-measure="${measure}"]`))).toBe(daTonnes(grams));
    }
    // Every bucket is in exactly one column: the columns after "collected" add up to it.
    expect(Object.entries(totals).filter(([m]) => m !== 'collected').reduce((s, [, g]) => s + g, 0)).toBe(national.total.circularity.collected.grams);

    // A definition opens from the keyboard.
    const definition = page.locator('details[data-definition="circularity"]');
    expect(await definition.locator('p').isVisible()).toBe(false);
    await definition.locator('summary').focus();
    await page.keyboard.press('Enter');
    await eventually(async () => expect(await definition.locator('p').isVisible()).toBe(true));
    expect(await textOf(definition.locator('p'))).toContain('Eksport til genanvendelse tælles ikke med');

    // Downloads: the API's CSV byte for byte, and its JSON.
    const csvDownload = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Hent CSV' }).click();
    const csvFile = await csvDownload;
    expect(csvFile.suggestedFilename()).toBe(`national-${year}.csv`);
    expect(readFileSync(await csvFile.path(), 'utf8')).toBe((await ledger.request('GET', `/reports/national/${year}?format=csv`)).body as unknown as string);
    const jsonDownload = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Hent JSON' }).click();
    expect(JSON.parse(readFileSync(await (await jsonDownload).path(), 'utf8'))).toEqual(national);

    await screenshot(page, 'national');
    expect(await seriousViolations(page)).toEqual([]);

    // All 98 kommuner, by keyboard: zeros where nothing was collected.
    await page.locator('[data-testid="national-toggle"]').focus();
    await page.keyboard.press('Enter');
    await eventually(async () => expect(await page.locator('[data-testid="national-table"] tbody tr').count()).toBe(98));
    expect(await page.locator('tr[data-kommune="0751"] td[data-measure="collected"]').getAttribute('data-grams')).toBe('0');
    expect(await seriousViolations(page)).toEqual([]);
    expect(errors).toEqual([]);
    await context.close();
  }, 120_000);

  it('given a municipality, when it opens the national address, then it has no header link and is told who may see it', async () => {
    const { context, page, errors } = await newPage(browser, baseUrl, 'en-GB');
    await page.goto('/');
    await page.locator('#api-key').fill(scenario.municipality.key);
    await page.keyboard.press('Enter');
    await page.locator('nav').first().waitFor();
    expect(await page.locator('nav a[href^="#/national"]').count()).toBe(0);
    await page.goto(`/#/national/${scenario.year}`);
    await eventually(async () => expect(await textOf(page.locator('[data-testid="national-refused"]'))).toBe('Only auditors and the operator may see the national figures.'));
    expect(await seriousViolations(page)).toEqual([]);
    // The one console error is the API's 403 the page explains.
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain('403');
    await context.close();
  }, 60_000);
});
