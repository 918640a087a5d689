import { readFileSync } from 'node:fs';
import { kommuneLabel } from '../../apps/ledger-web/src/shared/kommuner.js';
import type { Browser } from 'playwright-core';
import { codeLabel } from '../../apps/ledger-web/src/shared/i18n/codes.js';
import type { DemoYear } from '../../apps/ledger-cli/src/demo/seed-demo-year.js';
import type { LedgerHarness } from '../fixtures/ledger-harness.js';
import { eventually, launchChromium, newPage, plain, screenshot, seriousViolations, tabUntil, textOf } from './browser-session.js';
import { apiRead, daAdsCells, daPercent, daTonnes, rowsOf, signInByKeyboard, startDemoLedger, tabToLink, type AdsRow } from './demo-journeys.js';

/**
 * One journey per user of the ledger, on the demo year of `npm run demo` (decision 033): the
 * municipality officer, a recycler, the CØ59 manufacturer, the auditor and the operator. Each signs
 * in by keyboard, reaches at least one page by keyboard, and checks that the figures on each page
 * equal the API's answer to the same query; axe finds no serious or critical violation, and every
 * page leaves a screenshot `journey-<user>-<page>.png`. The assertions use the hooks the pages have
 * today and tolerate sections added later.
 */
describe('user journeys on the demo year', () => {
  let ledger: LedgerHarness;
  let browser: Browser;
  let baseUrl: string;
  let year: DemoYear;
  const screenshots: string[] = [];

  beforeAll(async () => {
    ({ ledger, baseUrl, year } = await startDemoLedger());
    browser = await launchChromium();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await ledger?.close();
    if (screenshots.length) process.stdout.write(`journey screenshots:\n${screenshots.join('\n')}\n`);
  }, 60_000);

  it('the municipality officer: Herning’s 2025 overview, reached by keyboard, equals the municipal report; the Sankey draws; the report downloads as the API answers it', async () => {
    const herning = year.kommuner.find((k) => k.code === '0657')!;
    const key = herning.municipality.key;
    const report = await apiRead<{ collected: { grams: number }; byEwcAndScheme: { collectionScheme: string; ewcCode: string; batches: number; grams: number }[]; circularity: { rates: Record<string, number> } }>(
      year,
      `/reports/municipal/0657/${year.year}`,
      key,
    );
    const monthly = (await apiRead<{ rows: { period: string; collectedGrams: number }[] }>(year, '/reports/circularity?kommuneCode=0657&period=month', key)).rows;
    const yearly = (await apiRead<{ rows: { period: string; buckets: Record<string, number> }[] }>(year, '/reports/circularity?kommuneCode=0657&period=year', key)).rows;
    const yearRow = yearly.find((row) => row.period === String(year.year))!;

    const { context, page, errors } = await newPage(browser, baseUrl, 'da-DK');
    await signInByKeyboard(page, key);
    // The kommune's overview (the header's link opens the first municipality of the list, which for
    // an officer of another kommune is a refusal), then the demo's year chosen by keyboard.
    await page.goto('/#/municipality/0657');
    await page.locator('#report-year').waitFor();
    await page.locator('#report-year').focus();
    await page.keyboard.press('Control+A');
    await page.keyboard.type(String(year.year));
    await page.keyboard.press('Enter');
    await eventually(async () => expect(page.url()).toContain(`#/municipality/0657/${year.year}`));
    await eventually(async () => expect(await textOf(page.locator('[data-testid="collected-total"]'))).toBe(daTonnes(report.collected.grams)));

    // Every month of the year, each as the circularity report answers it.
    const months = monthly.filter((row) => row.period.startsWith(`${year.year}-`));
    expect(months).toHaveLength(12);
    expect(await page.locator('[data-testid="collected-by-month"] tbody td').allTextContents()).toEqual(months.map((row) => daTonnes(row.collectedGrams)));
    // Each scheme row: its EWC code, loads and tonnes (the scheme's own label is the page's wording).
    const schemeRows = (await rowsOf(page, 'collected-by-scheme')).map((cells) => cells.slice(1));
    expect(schemeRows.sort()).toEqual(report.byEwcAndScheme.map((row) => [row.ewcCode, String(row.batches), daTonnes(row.grams)]).sort());
    for (const rate of ['circularity', 'resolved']) expect(plain(await page.locator(`[data-rate="${rate}"]`).first().textContent())).toBe(daPercent(report.circularity.rates[rate]!));

    // The Sankey draws at least one band per fate that holds mass.
    const fates = Object.values(yearRow.buckets).filter((grams) => grams > 0).length;
    expect(fates).toBeGreaterThanOrEqual(4);
    const bands = await page.locator('svg.sankey path.sankey-link').all();
    expect(bands.length).toBeGreaterThanOrEqual(fates);
    for (const band of bands) expect(await band.getAttribute('d')).toMatch(/^M[\d.]+/);

    // The downloads are the API's own answers, byte for byte.
    for (const [button, format] of [['CSV', 'csv'], ['JSON', 'json']] as const) {
      const download = page.waitForEvent('download');
      await page.getByRole('button', { name: button }).click();
      const file = await download;
      expect(file.suggestedFilename()).toBe(`municipal-report-0657-${year.year}.${format}`);
      const answer = await fetch(`${baseUrl}/reports/municipal/0657/${year.year}?format=${format}`, { headers: { authorization: `Bearer ${key}` } });
      expect(readFileSync(await file.path(), 'utf8')).toBe(await answer.text());
    }

    screenshots.push(await screenshot(page, 'journey-municipality-overview'));
    expect(await seriousViolations(page)).toEqual([]);
    expect(errors).toEqual([]);
    await context.close();
  }, 150_000);

  it('a recycler: the batch it corrected shows custody and provenance as the API does; Tab reaches its own organisation page, whose stock and balance equal the inventory, and its sites, whose ADS export equals the API’s', async () => {
    const recycler = year.firms.fibreWorks;
    const batchId = year.notable.correctedBatchId;
    const batch = await apiRead<{ massGrams: number; grade: string }>(year, `/batches/${batchId}`, recycler.key);
    const custody = (await apiRead<{ periods: { organisationId: string }[] }>(year, `/batches/${batchId}/custody`, recycler.key)).periods;
    const provenance = await apiRead<{ recycledContentBasisPoints: number; byKommune: { kommuneCode: string; grams: number }[] }>(year, `/batches/${batchId}/provenance`, recycler.key);
    const upstream = (await apiRead<{ edges: { parentBatchId: string }[] }>(year, `/batches/${batchId}/lineage?direction=upstream`, recycler.key)).edges;
    const period = `from=${encodeURIComponent(`${year.year}-01-01T00:00:00+01:00`)}&to=${encodeURIComponent(`${year.year + 1}-01-01T00:00:00+01:00`)}`;
    const inventory = await apiRead<Record<string, unknown>>(year, `/reports/inventory/${recycler.id}?${period}`, recycler.key);
    const nameOf = new Map(Object.values(year.firms).map((firm) => [firm.id, firm.name]));

    const { context, page, errors } = await newPage(browser, baseUrl, 'da-DK');
    await signInByKeyboard(page, recycler.key);
    await page.goto(`/#/batches/${batchId}`);
    const summary = page.locator('[data-testid="batch-summary"]');
    await summary.waitFor();
    expect(plain(await summary.textContent())).toContain(daTonnes(batch.massGrams));
    // The grade is shown in the reader's words (the batch page names codes in Danish).
    expect(plain(await summary.textContent())).toContain(codeLabel('da', 'grade', batch.grade));
    // Custody: from the sorter to the recycler, named as the API lists the periods.
    expect(custody.map((p) => nameOf.get(p.organisationId))).toEqual([year.firms.herningSorter.name, recycler.name]);
    expect((await page.locator('[data-testid="custody"] li .holder').allTextContents()).map(plain)).toEqual(custody.map((p) => nameOf.get(p.organisationId)));
    expect(await textOf(page.locator('[data-testid="recycled-content"]'))).toBe(daPercent(provenance.recycledContentBasisPoints / 10_000));
    expect((await rowsOf(page, 'provenance-by-kommune')).map((cells) => cells.slice(0, 2))).toEqual(provenance.byKommune.map((row) => [`${kommuneLabel(row.kommuneCode)} (${row.kommuneCode})`, daTonnes(row.grams)]));
    expect((await page.locator('[data-testid="lineage-upstream"] a').allTextContents()).map(plain).sort()).toEqual([...new Set(upstream.map((edge) => edge.parentBatchId))].sort());
    screenshots.push(await screenshot(page, 'journey-recycler-batch'));
    expect(await seriousViolations(page)).toEqual([]);

    // By keyboard: the custodian's name leads to the organisation page; the year is typed.
    await page.locator('main').focus();
    await tabToLink(page, `#/organisations/${recycler.id}`);
    await page.keyboard.press('Enter');
    await page.locator('#balance-year').waitFor();
    await page.locator('#balance-year').fill(String(year.year));
    await page.keyboard.press('Enter');
    await eventually(async () => expect(page.url()).toContain(`#/organisations/${recycler.id}/${year.year}`));
    await page.locator('[data-testid="balance-verdict"]').waitFor();

    const grams = (field: string) => inventory[field] as number;
    const stock = inventory.stock as { availableGrams: number; byGrade: { grade: string; availableGrams: number }[] };
    expect((await rowsOf(page, 'stock-by-grade')).map((cells) => cells.slice(0, 2))).toEqual(stock.byGrade.map((row) => [row.grade, daTonnes(row.availableGrams)]));
    expect(await textOf(page.locator('[data-testid="stock-total"]'))).toContain(daTonnes(stock.availableGrams));
    const terms = { opening: 'openingGrams', collected: 'collectedGrams', registered: 'registeredGrams', received: 'receivedGrams', produced: 'producedGrams', adjustment: 'adjustmentGrams', dispatched: 'dispatchedGrams', consumed: 'consumedGrams', outcomes: 'outcomeGrams', closing: 'closingGrams' };
    for (const [term, field] of Object.entries(terms)) expect(await textOf(page.locator(`tr[data-term="${term}"] td`))).toBe(daTonnes(grams(field)));
    // The weighbridge correction is a term of the year's balance, and the balance still holds.
    expect(grams('adjustmentGrams')).toBeLessThan(0);
    expect(inventory.balanced).toBe(true);
    expect(await page.locator('[data-testid="balance-verdict"]').getAttribute('data-balanced')).toBe('true');
    screenshots.push(await screenshot(page, 'journey-recycler-organisation'));
    expect(await seriousViolations(page)).toEqual([]);

    // By keyboard: from the organisation page to its sites, listed with their P-numbers as the API lists them.
    const plant = year.sites.fibreWorks;
    const sites = (await apiRead<{ sites: { siteId: string; name: string; pNumber: string | null }[] }>(year, `/organisations/${recycler.id}/sites`, recycler.key)).sites;
    await page.locator('main').focus();
    await tabToLink(page, `#/organisations/${recycler.id}/sites`);
    await page.keyboard.press('Enter');
    await page.locator('[data-testid="sites"]').waitFor();
    expect((await rowsOf(page, 'sites')).map((cells) => [cells[0], cells[2]])).toEqual(sites.map((site) => [site.name, site.pNumber ?? '—']));
    expect(sites.map((site) => site.siteId)).toEqual([plant.id]);

    // The plant's 2025 ADS export: every row, the total and the verdict as the API answers them.
    const ads = await apiRead<{ rows: AdsRow[]; totals: { tonnes: string; batches: number }; reconciliation: { balanced: boolean; rowsGrams: number; intakeGrams: number } }>(year, `/reports/ads/${plant.pNumber}/${year.year}`, recycler.key);
    expect(ads.reconciliation).toMatchObject({ balanced: true, rowsGrams: ads.reconciliation.intakeGrams });
    expect(ads.rows.length).toBeGreaterThan(0);
    await page.goto(`/#/organisations/${recycler.id}/sites/${plant.id}/ads/${year.year}`);
    await page.locator('[data-testid="ads-rows"]').waitFor();
    expect(await rowsOf(page, 'ads-rows')).toEqual([...ads.rows.map(daAdsCells), ['I alt', '', '', '', '', ads.totals.tonnes.replace('.', ','), String(ads.totals.batches)]]);
    expect(await textOf(page.locator('[data-testid="ads-verdict"]'))).toContain(daTonnes(ads.reconciliation.rowsGrams));
    expect(await textOf(page.locator('h1'))).toContain(plant.pNumber);
    screenshots.push(await screenshot(page, 'journey-recycler-ads'));
    expect(await seriousViolations(page)).toEqual([]);
    expect(errors).toEqual([]);
    await context.close();
  }, 150_000);

  it('the CØ59 manufacturer: Tab from its batch list reaches the pillow batch, whose recycled content and origins equal the API’s provenance', async () => {
    const maker = year.firms.pillowMaker;
    const pillowId = year.notable.pillowBatchId;
    const batch = await apiRead<{ massGrams: number; productType: string }>(year, `/batches/${pillowId}`, maker.key);
    const provenance = await apiRead<{ recycledContentBasisPoints: number; postConsumerGrams: number; preConsumerGrams: number; virginGrams: number; byKommune: { kommuneCode: string; grams: number }[] }>(year, `/batches/${pillowId}/provenance`, maker.key);
    const upstream = (await apiRead<{ edges: { parentBatchId: string }[] }>(year, `/batches/${pillowId}/lineage?direction=upstream&maxDepth=1`, maker.key)).edges;

    const { context, page, errors } = await newPage(browser, baseUrl, 'da-DK');
    await signInByKeyboard(page, maker.key);
    await page.locator('body').focus();
    await tabUntil(page, (focused) => focused.text === 'Partier');
    await page.keyboard.press('Enter');
    await page.locator('[data-testid="batch-list"] a').first().waitFor();
    await tabToLink(page, `#/batches/${pillowId}`);
    await page.keyboard.press('Enter');
    await page.locator('[data-testid="recycled-content"]').waitFor();

    expect(batch.productType).toBe('pillow');
    expect(plain(await page.locator('[data-testid="batch-summary"]').textContent())).toContain(daTonnes(batch.massGrams));
    // The claim: recycled content, the API's basis points, post-consumer beside the virgin filling.
    expect(provenance.recycledContentBasisPoints).toBeGreaterThan(0);
    expect(await textOf(page.locator('[data-testid="recycled-content"]'))).toBe(daPercent(provenance.recycledContentBasisPoints / 10_000));
    expect(await textOf(page.locator('[data-testid="recycled-tonnes"]'))).toBe(daTonnes(provenance.postConsumerGrams + provenance.preConsumerGrams));
    const kinds = await rowsOf(page, 'provenance-kinds');
    expect(kinds.map((cells) => cells[1])).toEqual(expect.arrayContaining([daTonnes(provenance.postConsumerGrams), daTonnes(provenance.virginGrams)]));
    expect((await rowsOf(page, 'provenance-by-kommune')).map((cells) => cells.slice(0, 2))).toEqual(provenance.byKommune.map((row) => [`${kommuneLabel(row.kommuneCode)} (${row.kommuneCode})`, daTonnes(row.grams)]));
    // Its inputs: the CØ59 cotton fibre and the fibre lots from the collections.
    const parents = [...new Set(upstream.map((edge) => edge.parentBatchId))].sort();
    const links = (await page.locator('[data-testid="lineage-upstream"] a').allTextContents()).map(plain);
    expect(parents.every((parent) => links.includes(parent))).toBe(true);
    screenshots.push(await screenshot(page, 'journey-manufacturer-batch'));
    expect(await seriousViolations(page)).toEqual([]);
    expect(errors).toEqual([]);
    await context.close();
  }, 150_000);

  it('the auditor: the audit page, reached by Tab, lists the API’s checkpoints and anomalies, and a filter by kind by keyboard narrows them as the API does', async () => {
    const auditor = year.firms.auditor;
    await eventually(async () => expect((await apiRead<{ checkpoints: unknown[] }>(year, '/audit/checkpoints?limit=1000', auditor.key)).checkpoints.length).toBeGreaterThan(1), 30_000);
    const checkpoints = (await apiRead<{ checkpoints: { treeSize: number; rootHash: string }[] }>(year, '/audit/checkpoints?limit=1000', auditor.key)).checkpoints;
    const anomalies = (await apiRead<{ items: { kind: string }[] }>(year, '/audit/anomalies?limit=500', auditor.key)).items;
    const gaps = (await apiRead<{ items: { kind: string }[] }>(year, '/audit/anomalies?limit=500&kind=custody-gap', auditor.key)).items;

    const { context, page, errors } = await newPage(browser, baseUrl, 'da-DK');
    await signInByKeyboard(page, auditor.key);
    await page.locator('body').focus();
    await tabUntil(page, (focused) => focused.text === 'Revision');
    await page.keyboard.press('Enter');
    await page.locator('[data-testid="checkpoints"] tbody tr').first().waitFor();

    // Checkpoints, newest first; the page may have asked a moment later, so it may show more.
    const rows = await rowsOf(page, 'checkpoints');
    expect(rows.length).toBeGreaterThanOrEqual(checkpoints.length);
    const shownRoots = rows.map((cells) => cells[1]);
    for (const checkpoint of checkpoints) expect(shownRoots).toContain(checkpoint.rootHash);
    await eventually(async () => expect(await page.locator('[data-testid="audit-anomalies"] tbody tr').count()).toBe(anomalies.length));
    for (const kind of new Set(anomalies.map((a) => a.kind))) {
      expect(await page.locator(`[data-testid="audit-anomalies"] tbody tr[data-kind="${kind}"]`).count()).toBe(anomalies.filter((a) => a.kind === kind).length);
    }
    expect(new Set(anomalies.map((a) => a.kind))).toEqual(new Set(['process-loss', 'transit-discrepancy', 'custody-gap']));

    // By keyboard: the kind chosen in the filter, applied with Enter.
    await page.locator('#anomaly-kind').focus();
    await page.locator('#anomaly-kind').selectOption('custody-gap');
    await page.locator('#anomaly-from').focus();
    await page.keyboard.press('Enter');
    await eventually(async () => expect(await page.locator('[data-testid="audit-anomalies"] tbody tr').count()).toBe(gaps.length));
    expect(await page.locator('[data-testid="audit-anomalies"] tbody tr[data-kind="custody-gap"]').count()).toBe(gaps.length);
    screenshots.push(await screenshot(page, 'journey-auditor-audit'));
    expect(await seriousViolations(page)).toEqual([]);
    expect(errors).toEqual([]);
    await context.close();
  }, 150_000);

  it('the operator: the operator page, reached by Tab, lists every organisation, and Herning’s keys and collector authorisations, as the API does', async () => {
    const herning = year.kommuner.find((k) => k.code === '0657')!.municipality;
    const organisations = await apiRead<{ organisationId: string; name: string }[]>(year, '/organisations', year.operatorKey);
    const keys = await apiRead<{ keyId: string }[]>(year, `/organisations/${herning.id}/api-keys`, year.operatorKey);
    const authorisations = await apiRead<{ collectorOrgId: string; kommuneCode: string }[]>(year, `/organisations/${herning.id}/collector-authorisations`, year.operatorKey);

    const { context, page, errors } = await newPage(browser, baseUrl, 'da-DK');
    await signInByKeyboard(page, year.operatorKey);
    await page.locator('body').focus();
    await tabUntil(page, (focused) => focused.text === 'Operatør');
    await page.keyboard.press('Enter');
    await page.locator('[data-testid="organisations"] tbody tr').first().waitFor();
    expect((await rowsOf(page, 'organisations')).map((cells) => cells[0])).toEqual(organisations.map((o) => plain(o.name)));
    expect(organisations).toHaveLength(1 + year.kommuner.length + Object.keys(year.firms).length);

    await tabToLink(page, `#/operator/${herning.id}`);
    await page.keyboard.press('Enter');
    await page.locator('[data-testid="api-keys"] tbody tr').first().waitFor();
    expect(await textOf(page.locator('#chosen-heading'))).toBe(herning.name);
    expect((await rowsOf(page, 'api-keys')).map((cells) => cells[0])).toEqual(keys.map((k) => k.keyId));
    expect(authorisations.map((a) => a.collectorOrgId)).toEqual([year.firms.herningSorter.id]);
    expect((await rowsOf(page, 'collector-authorisations')).map((cells) => cells.slice(0, 2))).toEqual([[year.firms.herningSorter.name, '0657']]);
    expect(plain(await page.locator('main').textContent())).not.toContain(herning.key);
    screenshots.push(await screenshot(page, 'journey-operator-operator'));
    expect(await seriousViolations(page)).toEqual([]);
    expect(errors).toEqual([]);
    await context.close();
  }, 150_000);
});
