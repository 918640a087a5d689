import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { LedgerHarness } from '../fixtures/ledger-harness.js';
import { buildWebApp, eventually, launchChromium, newPage, plain, screenshot, seriousViolations, textOf } from './browser-session.js';
import { seedFlowsScenario, type FlowsScenario } from './flows-scenario.js';

/**
 * The municipality overview in a real browser against a real ledger (decision 036): every band of
 * the multi-level Sankey is a flow of the API's flows answer, each level sums to what was
 * collected, a quarter shows the API's quarter, definitions open from the keyboard, the downloads
 * are the API's report byte for byte, and codes read in Danish.
 */
type Json = Record<string, unknown>;
interface Flows {
  collectedGrams: number;
  collectors: Array<{ collectorOrgId: string; grams: number }>;
  sorters: Array<{ collectorOrgId: string; sorterOrgId: string | null; grams: number }>;
  grades: Array<{ sorterOrgId: string | null; grade: string; grams: number }>;
  fates: Array<{ grade: string; bucket: string; grams: number }>;
}
interface Band {
  level: string;
  source: string;
  target: string;
  grams: number;
}

const daTonnes = (grams: number) => `${new Intl.NumberFormat('da-DK', { minimumFractionDigits: 1, maximumFractionDigits: 3 }).format(grams / 1_000_000)} t`;

/** The flows answer as the bands the page should draw: every positive flow, ends named by level. */
function expectedBands(flows: Flows): Band[] {
  const sorter = (id: string | null) => `s:${id ?? '-'}`;
  return [
    ...flows.collectors.map((f) => ({ level: 'collector', source: 'k', target: `c:${f.collectorOrgId}`, grams: f.grams })),
    ...flows.sorters.map((f) => ({ level: 'sorter', source: `c:${f.collectorOrgId}`, target: sorter(f.sorterOrgId), grams: f.grams })),
    ...flows.grades.map((f) => ({ level: 'grade', source: sorter(f.sorterOrgId), target: `g:${f.grade}`, grams: f.grams })),
    ...flows.fates.map((f) => ({ level: 'fate', source: `g:${f.grade}`, target: `f:${f.bucket}`, grams: f.grams })),
  ]
    .filter((band) => band.grams > 0)
    .sort(byBand);
}

function byBand(a: Band, b: Band): number {
  return `${a.level}|${a.source}|${a.target}`.localeCompare(`${b.level}|${b.source}|${b.target}`);
}

async function bandsOnPage(page: Page): Promise<Band[]> {
  const bands = await page.locator('svg.sankey-flows path.sankey-link').evaluateAll((paths) =>
    paths.map((p) => ({ level: p.getAttribute('data-level') ?? '', source: p.getAttribute('data-source') ?? '', target: p.getAttribute('data-target') ?? '', grams: Number(p.getAttribute('data-grams')) })),
  );
  return bands.sort(byBand);
}

describe('the municipality overview in a browser', () => {
  let ledger: LedgerHarness;
  let browser: Browser;
  let baseUrl: string;
  let scenario: FlowsScenario;

  async function api(url: string): Promise<Json> {
    const answer = await ledger.request('GET', url, { key: scenario.municipality.key, headers: { 'ledger-min-position': String(scenario.headPosition) } });
    if (answer.status !== 200) throw new Error(`GET ${url}: ${answer.status} ${JSON.stringify(answer.body)}`);
    return answer.body;
  }

  beforeAll(async () => {
    buildWebApp();
    ledger = await LedgerHarness.start();
    await ledger.app.listen(0, '127.0.0.1');
    baseUrl = await ledger.app.getUrl();
    scenario = await seedFlowsScenario(ledger);
    browser = await launchChromium();
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await ledger?.close();
  }, 60_000);

  it('given a kommune’s year and quarters, when the overview is open, then the Sankey, tables, definitions and downloads equal the API’s answers', async () => {
    const { context, page, errors } = await newPage(browser, baseUrl, 'da-DK');
    const { kommuneCode, year } = scenario;
    const flows = (await api(`/reports/municipal/${kommuneCode}/${year}/flows`)) as unknown as Flows;

    await page.goto('/');
    await page.locator('#api-key').fill(scenario.municipality.key);
    await page.keyboard.press('Enter');
    await page.locator('nav').first().waitFor();
    await page.goto(`/#/municipality/${kommuneCode}/${year}`);
    await page.locator('svg.sankey-flows').waitFor();

    // Every band is one of the API's flows, with its grams, and every positive flow is a band.
    expect(flows.collectedGrams).toBe(2_800_000);
    expect(await bandsOnPage(page)).toEqual(expectedBands(flows));
    // Each level of the answer sums to what the report says was collected; the drawn bands too,
    // once the negative weighing difference (a gain, which cannot be drawn) is counted back.
    const report = await api(`/reports/municipal/${kommuneCode}/${year}`);
    const collected = (report.collected as { grams: number }).grams;
    expect(collected).toBe(flows.collectedGrams);
    const bands = await bandsOnPage(page);
    const negative = (level: keyof Omit<Flows, 'collectedGrams'>) => (flows[level] as Array<{ grams: number }>).filter((f) => f.grams < 0).reduce((s, f) => s + f.grams, 0);
    for (const [level, key] of [['collector', 'collectors'], ['sorter', 'sorters'], ['grade', 'grades'], ['fate', 'fates']] as const) {
      const drawn = bands.filter((b) => b.level === level).reduce((s, b) => s + b.grams, 0);
      expect({ level, sum: drawn + negative(key) }).toEqual({ level, sum: collected });
    }
    expect(negative('fates')).toBe(-3_000);
    expect(await textOf(page.locator('[data-testid="collected-total"]'))).toBe(daTonnes(collected));
    // The flow table holds every flow, the negative one too.
    expect(await page.locator('[data-testid="flow-table"] tbody tr').count()).toBe(expectedBands(flows).length + 1);

    // Danish names for codes: schemes, grades and fates, and the organisations by name.
    const schemes = (await page.locator('[data-testid="collected-by-scheme"] tbody tr th').allTextContents()).map(plain).sort();
    expect(schemes).toEqual(['Genbrugsbutik', 'Genbrugsplads', 'Husstandsindsamling', 'Tøjcontainer']);
    const labels = (await page.locator('svg.sankey-flows text').allTextContents()).map(plain);
    for (const label of ['Til genbrug', 'Til genanvendelse', 'Restfraktion', 'Tab ved sortering', 'Ikke sorteret', 'Genbrug', 'Energiudnyttelse', 'Stadig på lager', 'Midtjysk Indsamling', 'Herning Tekstilsortering']) {
      expect(labels.some((text) => text.startsWith(`${label} · `))).toBe(true);
    }
    expect(labels).toContain(`Herning · ${daTonnes(collected)}`);

    // Definitions open from the keyboard: focus a summary, press Enter.
    const definition = page.locator('details[data-definition="fibreToFibre"]');
    expect(await definition.locator('p').isVisible()).toBe(false);
    await definition.locator('summary').focus();
    await page.keyboard.press('Enter');
    await eventually(async () => expect(await definition.locator('p').isVisible()).toBe(true));
    expect(await textOf(definition.locator('p'))).toContain('genanvendt til nye tekstiler');

    // Downloads: the files are the API's report, CSV byte for byte and JSON equal.
    const csvDownload = page.waitForEvent('download');
    await page.getByRole('button', { name: 'CSV' }).click();
    const csvFile = await csvDownload;
    expect(csvFile.suggestedFilename()).toBe(`municipal-report-${kommuneCode}-${year}.csv`);
    const csv = await ledger.request('GET', `/reports/municipal/${kommuneCode}/${year}?format=csv`, { key: scenario.municipality.key });
    expect(readFileSync(await csvFile.path(), 'utf8')).toBe(csv.body as unknown as string);
    const jsonDownload = page.waitForEvent('download');
    await page.getByRole('button', { name: 'JSON' }).click();
    const jsonFile = await jsonDownload;
    expect(JSON.parse(readFileSync(await jsonFile.path(), 'utf8'))).toEqual(report);

    await screenshot(page, 'municipality');
    expect(await seriousViolations(page)).toEqual([]);

    // The second quarter, reached by keyboard from the period links: the API's quarter figures.
    const q2 = (await api(`/reports/municipal/${kommuneCode}/${year}/flows?quarter=2`)) as unknown as Flows;
    const q2Report = await api(`/reports/municipal/${kommuneCode}/${year}?quarter=2`);
    expect(q2.collectedGrams).toBe(500_000);
    await page.locator('[data-testid="period-nav"] a[data-quarter="2"]').focus();
    await page.keyboard.press('Enter');
    await eventually(async () => expect(await textOf(page.locator('h1'))).toBe(`Herning: tekstiler indsamlet i 2. kvartal ${year}`));
    await eventually(async () => expect(await bandsOnPage(page)).toEqual(expectedBands(q2)));
    expect(await textOf(page.locator('[data-testid="collected-total"]'))).toBe(daTonnes((q2Report.collected as { grams: number }).grams));
    expect(await page.locator('[data-testid="period-nav"] a[aria-current="page"]').getAttribute('data-quarter')).toBe('2');
    const q2Csv = page.waitForEvent('download');
    await page.getByRole('button', { name: 'CSV' }).click();
    const q2File = await q2Csv;
    expect(q2File.suggestedFilename()).toBe(`municipal-report-${kommuneCode}-${year}-q2.csv`);
    expect(readFileSync(await q2File.path(), 'utf8')).toBe((await ledger.request('GET', `/reports/municipal/${kommuneCode}/${year}?format=csv&quarter=2`, { key: scenario.municipality.key })).body as unknown as string);
    expect(await seriousViolations(page)).toEqual([]);

    // The fourth quarter has nothing collected: no diagram, a message.
    await page.goto(`/#/municipality/${kommuneCode}/${year}/q4`);
    await eventually(async () => expect(await textOf(page.locator('[data-testid="collected-total"]'))).toBe(daTonnes(0)));
    expect(await page.locator('svg.sankey-flows').count()).toBe(0);

    expect(errors).toEqual([]);
    await context.close();
  }, 120_000);
});
