import { readFileSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { validateEpcisDocument } from '#epcis';
import { LedgerHarness, type RegisteredOrganisation } from '../fixtures/ledger-harness.js';
import { buildWebApp, eventually, launchChromium, newPage, screenshot, seriousViolations, tabUntil, textOf } from './browser-session.js';

/**
 * EPCIS in a real browser against a real ledger (decision 047): a batch's and an organisation's
 * events downloaded as EPCIS documents that validate against GS1's schema, and the capture page
 * (reached by keyboard) taking a document, showing the job with every event's result in Danish, and
 * recognising the same events when they are captured again.
 */
describe('EPCIS export and capture in a browser', () => {
  let ledger: LedgerHarness;
  let browser: Browser;
  let baseUrl: string;
  let collector: RegisteredOrganisation;
  const batchId = '0195f100-0000-7000-8000-000000000001';

  beforeAll(async () => {
    buildWebApp();
    ledger = await LedgerHarness.start();
    await ledger.app.listen(0, '127.0.0.1');
    baseUrl = await ledger.app.getUrl();
    browser = await launchChromium();
    const herning = await ledger.registerOrganisation('Herning Kommune', ['municipality'], '0657');
    collector = await ledger.registerOrganisation('Trasborg Indsamling', ['collector']);
    await ledger.authoriseCollector(herning, collector.id);
    const collected = await ledger.post('/batches/collections', { batchId, kommuneCode: '0657', collectionScheme: 'bring-bank', ewcCode: '20 01 11', massGrams: 412_500, occurredAt: '2025-03-03T09:00:00+01:00' }, collector.key);
    if (collected.status !== 201) throw new Error(JSON.stringify(collected.body));
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await ledger?.close();
  }, 60_000);

  it('given a collection, when its batch page and its organisation page export EPCIS, then both documents validate against GS1’s schema', async () => {
    const { page, errors } = await newPage(browser, baseUrl, 'da-DK');
    await page.goto('/');
    await page.locator('#api-key').fill(collector.key);
    await page.keyboard.press('Enter');
    await page.locator('nav').first().waitFor();

    await page.goto(`/#/batches/${batchId}`);
    const exports = page.locator('[data-testid="epcis-export"]');
    await exports.waitFor();
    const download = page.waitForEvent('download');
    await exports.getByRole('button', { name: 'Med alt opstrøms (EPCIS)' }).click();
    const file = await download;
    expect(file.suggestedFilename()).toBe(`batch-${batchId}-upstream.epcis.jsonld`);
    const document = JSON.parse(readFileSync(await file.path(), 'utf8')) as { epcisBody: { eventList: Array<Record<string, unknown>> } };
    expect(validateEpcisDocument(document)).toEqual({ valid: true });
    expect(document.epcisBody.eventList).toHaveLength(1);
    expect(document.epcisBody.eventList[0]).toMatchObject({ bizStep: 'commissioning', quantityList: [{ quantity: 412.5, uom: 'KGM' }] });

    await page.goto(`/#/organisations/${collector.id}/2025`);
    const yearExport = page.locator('[data-testid="epcis-export"]');
    await yearExport.waitFor();
    const yearDownload = page.waitForEvent('download');
    await yearExport.getByRole('button', { name: 'Hændelser i 2025 (EPCIS)' }).click();
    const yearFile = await yearDownload;
    expect(validateEpcisDocument(JSON.parse(readFileSync(await yearFile.path(), 'utf8')))).toEqual({ valid: true });
    expect(await seriousViolations(page)).toEqual([]);
    expect(errors).toEqual([]);
  }, 120_000);

  it('when a document is captured on #/epcis, then the job shows every event’s result, and a second capture of the same events records nothing', async () => {
    const { page, errors } = await newPage(browser, baseUrl, 'da-DK');
    await page.goto('/');
    await page.locator('#api-key').fill(collector.key);
    await page.keyboard.press('Enter');
    await page.locator('nav').first().waitFor();
    await tabUntil(page, (focused) => focused.text === 'EPCIS');
    await page.keyboard.press('Enter');
    await page.locator('#epcis-file').waitFor();
    expect(page.url()).toContain('#/epcis');

    const event = (n: number, kg: number) => ({
      type: 'ObjectEvent',
      eventID: `urn:uuid:7c9e6679-7425-40de-944b-e07fc1f9000${n}`,
      eventTime: '2025-03-10T09:30:00+01:00',
      eventTimeZoneOffset: '+01:00',
      action: 'ADD',
      bizStep: 'commissioning',
      quantityList: [{ epcClass: `urn:textile-ledger:batch:0195f100-0000-7000-8000-00000000010${n}`, quantity: kg, uom: 'KGM' }],
      destinationList: [{ type: 'possessing_party', destination: `urn:textile-ledger:organisation:${collector.id}` }],
      ilmd: { 'tl:kommune': n === 3 ? '9999' : '0657', 'tl:collectionScheme': 'kerbside', 'tl:ewcCode': '20 01 11' },
    });
    const document = JSON.stringify({ '@context': ['https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld'], type: 'EPCISDocument', schemaVersion: '2.0', creationDate: '2025-03-10T10:00:00Z', epcisBody: { eventList: [event(1, 120.5), event(2, 80), event(3, 10)] } });
    const upload = async () => {
      await page.locator('#epcis-file').setInputFiles({ name: 'indsamlinger.jsonld', mimeType: 'application/ld+json', buffer: Buffer.from(document) });
      await page.getByRole('button', { name: 'Indlæs' }).click();
    };

    await upload();
    const results = page.locator('[data-testid="epcis-results"][data-status="finished"]');
    await results.waitFor();
    expect(await results.locator('tr[data-fate="captured"]').count()).toBe(2);
    expect(await results.locator('tr[data-fate="refused"]').getAttribute('data-problem')).toBe('unknown-kommune');
    expect(await textOf(results.locator('tr[data-fate="captured"] td').nth(1))).toBe('registreret');
    expect((await ledger.get<{ massGrams: number }>('/batches/0195f100-0000-7000-8000-000000000101', collector.key)).body.massGrams).toBe(120_500);

    const head = await ledger.store.headPosition();
    await upload();
    await eventually(async () => expect(await page.locator('[data-testid="epcis-jobs"] tbody tr').count()).toBe(2));
    await page.locator('[data-testid="epcis-results"][data-status="finished"] tr[data-fate="already-captured"]').first().waitFor();
    expect(await page.locator('[data-testid="epcis-results"] tr[data-fate="already-captured"]').count()).toBe(2);
    expect(await ledger.store.headPosition()).toBe(head);

    await screenshot(page, 'epcis-capture');
    expect(await seriousViolations(page)).toEqual([]);
    expect(errors).toEqual([]);
  }, 120_000);
});
