import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { LedgerHarness, type RegisteredOrganisation } from '../fixtures/ledger-harness.js';
import { buildWebApp, eventually, launchChromium, newPage, plain, screenshot, seriousViolations, tabUntil, textOf } from './browser-session.js';

/**
 * The sites page and the ADS export in a real browser (decision 039): a sorter declares its hall by
 * keyboard alone; once material has passed through the hall, the ADS table shows the API's rows
 * and verdict for the same P-number and year, and the CSV download is the API's CSV. axe finds no
 * serious or critical violation on either page.
 */
type Json = Record<string, unknown>;
interface AdsRow {
  originKommuneCode: string | null;
  eakCode: string | null;
  fraction: string;
  treatmentCode: string;
  measurement: string;
  tonnes: string;
  batches: number;
}

const YEAR = 2025;
const P_NUMBER = '1012345678';
const AT = (month: number, day: number): string => `${YEAR}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}T10:00:00+01:00`;

describe('sites and the ADS export in a browser', () => {
  let ledger: LedgerHarness;
  let browser: Browser;
  let baseUrl: string;
  let sorter: RegisteredOrganisation;
  let collector: RegisteredOrganisation;
  let siteId = '';
  const screenshots: string[] = [];

  async function ok(response: Promise<{ status: number; body: unknown }>, status = 200): Promise<Json> {
    const r = await response;
    if (r.status !== status) throw new Error(`expected ${status}, got ${r.status}: ${JSON.stringify(r.body)}`);
    return r.body as Json;
  }

  async function signIn(page: Page, key: string): Promise<void> {
    await page.goto('/');
    await page.locator('#api-key').fill(key);
    await page.keyboard.press('Enter');
    await page.locator('nav').waitFor();
  }

  beforeAll(async () => {
    buildWebApp();
    ledger = await LedgerHarness.start();
    await ledger.app.listen(0, '127.0.0.1');
    baseUrl = await ledger.app.getUrl();
    const herning = await ledger.registerOrganisation('Herning Kommune', ['municipality'], '0657');
    const holstebro = await ledger.registerOrganisation('Holstebro Kommune', ['municipality'], '0661');
    collector = await ledger.registerOrganisation('Midtjysk Indsamling', ['collector']);
    sorter = await ledger.registerOrganisation('<b>Herning</b> Sortering', ['sorter']);
    await ledger.authoriseCollector(herning, collector.id);
    await ledger.authoriseCollector(holstebro, collector.id);
    browser = await launchChromium();
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await ledger?.close();
    if (screenshots.length) process.stdout.write(`browser screenshots:\n${screenshots.join('\n')}\n`);
  }, 60_000);

  it('given the sorter on its sites page, when it declares its hall with the keyboard alone, then the list shows it with its P-number', async () => {
    const { context, page, errors } = await newPage(browser, baseUrl, 'da-DK');
    await signIn(page, sorter.key);
    // From its own organisation page (the header's "signed in as" link), by the sites link.
    await page.goto(`/#/organisations/${sorter.id}`);
    await page.getByTestId('sites-link').focus();
    await page.keyboard.press('Enter');
    await eventually(async () => expect(new URL(page.url()).hash).toBe(`#/organisations/${sorter.id}/sites`));
    await eventually(async () => expect(await textOf(page.locator('h1'))).toBe('Anlæg: <b>Herning</b> Sortering'));
    expect(await page.locator('h1 b').count()).toBe(0);

    await tabUntil(page, (focused) => focused.id === 'site-name');
    await page.keyboard.type('Sorteringshal Herning');
    for (const [id, text] of [
      ['site-address', 'Industrivej 12, 7400 Herning'],
      ['site-kommune', '0657'],
      ['site-p-number', P_NUMBER],
      ['site-latitude', '56,1393'],
      ['site-longitude', '8,9738'],
    ] as const) {
      await page.keyboard.press('Tab');
      expect(await page.locator(':focus').getAttribute('id')).toBe(id);
      await page.keyboard.type(text);
    }
    await page.keyboard.press('Enter');
    await eventually(async () => expect(await textOf(page.getByTestId('site-declared'))).toBe('Anlægget Sorteringshal Herning er anmeldt.'));

    const answer = await ok(ledger.get(`/organisations/${sorter.id}/sites`, sorter.key));
    const sites = answer.sites as Json[];
    expect(sites).toEqual([expect.objectContaining({ name: 'Sorteringshal Herning', pNumber: P_NUMBER, kommuneCode: '0657', latitude: 56.1393, longitude: 8.9738 })]);
    siteId = String(sites[0]!.siteId);
    const cells = await page.getByTestId('sites').locator('tbody tr').first().locator('th, td').allTextContents();
    expect(cells.map(plain)).toEqual(['Sorteringshal Herning', 'Herning (0657)', P_NUMBER, 'Åbent', 'Industrivej 12, 7400 Herning', `ADS ${new Date().getFullYear() - 1}`]);

    expect(await seriousViolations(page)).toEqual([]);
    screenshots.push(await screenshot(page, 'sites'));
    expect(errors).toEqual([]);
    await context.close();
  });

  it("given a year of material through the hall, when the sorter opens its ADS export, then the table and verdict are the API's and the CSV download is the API's CSV", async () => {
    // Given: two collections from two kommuner received at the hall (one estimated), one sorted there, its re-use grade sold there.
    const received: string[] = [];
    for (const [kommuneCode, massGrams, measurement, month] of [
      ['0657', 1_234_500, 'weighed', 2],
      ['0661', 765_500, 'estimated', 3],
    ] as const) {
      const { batchId } = await ok(ledger.post('/batches/collections', { kommuneCode, collectionScheme: 'bring-bank', ewcCode: '20 01 11', massGrams, occurredAt: AT(month, 1) }, collector.key), 201);
      await ok(ledger.post(`/batches/${String(batchId)}/dispatch`, { toOrgId: sorter.id, occurredAt: AT(month, 2) }, collector.key));
      await ok(ledger.post(`/batches/${String(batchId)}/receive`, { receivedMassGrams: massGrams - 500, siteId, measurement, occurredAt: AT(month, 3) }, sorter.key));
      received.push(String(batchId));
    }
    const sorting = await ok(
      ledger.post(
        '/processes',
        {
          processType: 'sorting',
          siteId,
          inputs: [{ batchId: received[0] }],
          outputs: [
            { massGrams: 900_000, grade: 'reuse', composition: [{ fibre: 'cotton', share: 10_000 }] },
            { massGrams: 334_000, grade: 'recycling', composition: [{ fibre: 'cotton', share: 10_000 }], ewcCode: '19 12 08' },
          ],
          occurredAt: AT(4, 1),
        },
        sorter.key,
      ),
      201,
    );
    await ok(ledger.post(`/batches/${(sorting.outputBatchIds as string[])[0]!}/outcome`, { outcome: 'sold-for-reuse', market: 'domestic', siteId, occurredAt: AT(5, 1) }, sorter.key));
    const head = await ledger.store.headPosition();
    await ledger.runner.waitForPosition(head);
    const api = await ok(ledger.get(`/reports/ads/${P_NUMBER}/${YEAR}`, sorter.key));
    const csv = (await ledger.request<string>('GET', `/reports/ads/${P_NUMBER}/${YEAR}?format=csv`, { key: sorter.key })).body;

    const { context, page, errors } = await newPage(browser, baseUrl, 'da-DK');
    await signIn(page, sorter.key);
    await page.goto(`/#/organisations/${sorter.id}/sites/${siteId}/ads/${YEAR}`);
    await eventually(async () => expect(await textOf(page.locator('h1'))).toBe(`ADS-indberetning ${YEAR}: Sorteringshal Herning (P ${P_NUMBER})`));

    // Then: the rows are the API's, with a decimal comma; the last row is the total.
    const rows = api.rows as AdsRow[];
    expect(rows).toHaveLength(2);
    const shown = await page.getByTestId('ads-rows').locator('tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('th, td')].map((cell) => cell.textContent ?? '')));
    expect(shown.map((cells) => cells.map(plain))).toEqual([
      ...rows.map((row) => [
        `${row.originKommuneCode} ${row.originKommuneCode === '0657' ? 'Herning' : 'Holstebro'}`,
        String(row.eakCode),
        row.fraction,
        row.treatmentCode,
        row.measurement === 'weighed' ? 'Vejet' : 'Estimeret',
        row.tonnes.replace('.', ','),
        String(row.batches),
      ]),
      ['I alt', '', '', '', '', String((api.totals as Json).tonnes).replace('.', ','), String((api.totals as Json).batches)],
    ]);
    expect(rows.map((row) => row.treatmentCode)).toEqual(['R12', 'R13']);
    const reconciliation = api.reconciliation as Json;
    expect(reconciliation.balanced).toBe(true);
    const daTonnes = `${new Intl.NumberFormat('da-DK', { minimumFractionDigits: 1, maximumFractionDigits: 3 }).format(Number(reconciliation.rowsGrams) / 1_000_000)} t`;
    expect(await textOf(page.getByTestId('ads-verdict'))).toBe(plain(`Afstemt: rækkerne rummer præcis det anlægget modtog i året (${daTonnes}), til grammet, og anlæggets massebalance går op.`));

    expect(await seriousViolations(page)).toEqual([]);
    screenshots.push(await screenshot(page, 'ads-export'));

    // The CSV download, reached by keyboard, is byte for byte the API's CSV.
    const download = page.waitForEvent('download');
    await tabUntil(page, (focused) => focused.text === 'Hent CSV (ADS)');
    await page.keyboard.press('Enter');
    const file = await download;
    expect(file.suggestedFilename()).toBe(`ads-${P_NUMBER}-${YEAR}.csv`);
    const saved = await file.path();
    expect(readFileSync(saved, 'utf8')).toBe(csv);
    expect(errors).toEqual([]);
    await context.close();
  });
});
