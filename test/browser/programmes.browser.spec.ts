import { readFileSync } from 'node:fs';
import type { Browser, Locator, Page } from 'playwright-core';
import { LedgerHarness, type RegisteredOrganisation } from '../fixtures/ledger-harness.js';
import { buildWebApp, eventually, launchChromium, newPage, plain, screenshot, seriousViolations, tabUntil, textOf } from './browser-session.js';

/**
 * The programmes pages in a real browser against a real ledger (decisions 041 and 043): the
 * programme's manager finds Closing Loops in the list (value chain, members and SMEs this year,
 * as the API counts them), opens it, adds a recycler to the value chain by the form, and the
 * impact report then shows the tonnes the recycler took in as raw material — a hand-known figure
 * from a collection sorted and then mechanically recycled — with every figure equal to the API's
 * answer, the reuse route's unknown factor written "ukendt" (never 0), and a CSV download that is
 * the API's CSV byte for byte, and the catalogue's deals split into classic symbiosis and via the
 * market. A second add is refused in words. The operator registers a
 * programme from the list. axe finds no serious or critical violation.
 */
type Json = Record<string, unknown>;

interface Route {
  route: string;
  grams: number;
  kgCo2ePerKg: string | null;
  source: string | null;
  tonnesCo2e: string | null;
  known: boolean;
}
interface Impact {
  wasteUsedAsRawMaterial: {
    totalGrams: number;
    totalTonnes: string;
    byOrigin: { originKey: string; kommuneCode: string | null; tonnes: string; grams: number }[];
    byMember: { organisationId: string; name: string | null; tonnes: string; grams: number }[];
  };
  reused: { grams: number; tonnes: string };
  avoidedCo2e: { basis: string; factorSet: { factorSetId: string; validFrom: string } | null; routes: Route[]; parts: unknown[]; totalTonnes: string | null; knownTonnes: string };
  organisations: { count: number };
  smes: { count: number; unknownSize: number };
  circularity: { collectedGrams: number; buckets: Record<string, number> };
  symbiosis: Record<'classic' | 'viaMarket', { deals: number; matchedGrams: number; matchedTonnes: string; tradedGrams: number; tradedTonnes: string }>;
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const copenhagenPickerValue = (iso: string) => {
  const parts = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Copenhagen', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' }).formatToParts(new Date(iso));
  const part = (type: string) => parts.find((p) => p.type === type)!.value;
  return `${part('year')}-${part('month')}-${part('day')}T${part('hour')}:${part('minute')}:${part('second')}`;
};
const COTTON = [{ fibre: 'cotton', share: 10_000 }];
/** The Copenhagen day the test runs on: the page's default period is its calendar year. */
const TODAY = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Copenhagen', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
const YEAR = TODAY.slice(0, 4);
const FROM = `${YEAR}-01-01`;
const TO = `${YEAR}-12-31`;
/** Danish digit groups and decimal comma for an exact decimal string, as the page writes it. */
const da = (decimal: string): string => {
  const [whole = '', fraction] = decimal.split('.');
  return `${whole.replace(/\B(?=(\d{3})+(?!\d))/g, '.')}${fraction === undefined ? '' : `,${fraction}`}`;
};

describe('the programmes pages in a browser', () => {
  let ledger: LedgerHarness;
  let browser: Browser;
  let baseUrl: string;
  let manager: RegisteredOrganisation;
  let sorter: RegisteredOrganisation;
  let recycler: RegisteredOrganisation;
  let programmeId = '';
  let valueChainId = '';
  /** A moment after the recycling and before the recycler becomes a member, whole seconds as the picker takes it. */
  let beforeMembership = '';

  async function ok(response: Promise<{ status: number; body: unknown }>, status = 200): Promise<Json> {
    const r = await response;
    if (r.status !== status) throw new Error(`expected ${status}, got ${r.status}: ${JSON.stringify(r.body)}`);
    return r.body as Json;
  }

  async function signIn(page: Page, key: string): Promise<void> {
    await page.goto('/');
    await page.locator('#api-key').fill(key);
    await page.keyboard.press('Enter');
    await page.locator('nav').first().waitFor();
  }

  beforeAll(async () => {
    buildWebApp();
    ledger = await LedgerHarness.start();
    await ledger.app.listen(0, '127.0.0.1');
    baseUrl = await ledger.app.getUrl();
    const herning = await ledger.registerOrganisation('Herning Kommune', ['municipality'], '0657');
    sorter = await ledger.registerOrganisation('Herning Tekstilsortering', ['sorter', 'collector']);
    recycler = await ledger.registerOrganisation('Fibre Loop ApS', ['recycler']);
    manager = await ledger.registerOrganisation('Lifestyle & Design Cluster', ['brand']);
    // The sorter is an SME from the first of the year; the recycler never declares a size.
    await ok(ledger.post(`/organisations/${sorter.id}/size`, { employees: 40, annualTurnoverEur: 6_500_000, balanceSheetTotalEur: 3_200_000, appliesFrom: FROM }), 201);
    const programme = await ok(ledger.post('/programmes', { name: 'Closing Loops', tag: 'closing-loops', managerOrganisationId: manager.id }), 201);
    programmeId = programme.programmeId as string;
    valueChainId = (await ok(ledger.post(`/programmes/${programmeId}/value-chains`, { name: 'CØ59' }, manager.key), 201)).valueChainId as string;
    await ok(ledger.post(`/programmes/${programmeId}/members`, { organisationId: sorter.id, valueChainId, from: FROM }, manager.key), 201);

    // By hand: Herning collects 1 t; the sorter sorts it into 0.3 t for reuse (sold), 0.6 t for
    // recycling and 0.08 t residual (0.02 t lost); the recycler receives the 0.6 t and recycles it
    // mechanically into fibre. Waste used as raw material: the 0.6 t of Herning's waste that first
    // becomes reprocessed there — counted only once the recycler is a member. Reused: 0.3 t.
    const collected = (
      await ok(ledger.post('/batches/collections', { kommuneCode: '0657', collectionScheme: 'bring-bank', ewcCode: '20 01 11', massGrams: 1_000_000, collectorOrgId: sorter.id }, herning.key), 201)
    ).batchId as string;
    const sorting = await ok(
      ledger.post(
        '/processes',
        {
          processType: 'sorting',
          inputs: [{ batchId: collected }],
          outputs: [
            { massGrams: 300_000, grade: 'reuse', composition: COTTON },
            { massGrams: 600_000, grade: 'recycling', composition: COTTON },
            { massGrams: 80_000, grade: 'residual', composition: COTTON },
          ],
          losses: [{ kind: 'moisture-dust', massGrams: 20_000 }],
        },
        sorter.key,
      ),
      201,
    );
    const [reuse, recycling] = sorting.outputBatchIds as string[];
    await ok(ledger.post(`/batches/${reuse}/outcome`, { outcome: 'sold-for-reuse', market: 'domestic' }, sorter.key));
    await ok(ledger.post(`/batches/${recycling}/dispatch`, { toOrgId: recycler.id, massGrams: 600_000 }, sorter.key));
    await ok(ledger.post(`/batches/${recycling}/receive`, { receivedMassGrams: 600_000 }, recycler.key));
    await ok(
      ledger.post(
        '/processes',
        { processType: 'mechanical-recycling', inputs: [{ batchId: recycling }], outputs: [{ massGrams: 570_000, grade: 'fibre', composition: COTTON }], losses: [{ kind: 'process-waste', massGrams: 30_000 }] },
        recycler.key,
      ),
      201,
    );
    // Two catalogue deals of the sorter (a member): its own registered residual, 0.05 t, offered and
    // reserved for the recycler but not yet sent (classic symbiosis: matched 0.05 t, traded 0); and the
    // 0.08 t residual grade of its sorting, offered, reserved, sent and received (via the market:
    // matched and traded 0.08 t).
    const own = (
      await ok(
        ledger.post('/batches/residuals', { originClass: 'post-consumer-business', ewcCode: '20 01 11', massGrams: 50_000, composition: COTTON, description: 'hospital linen' }, sorter.key),
        201,
      )
    ).batchId as string;
    const residualGrade = (sorting.outputBatchIds as string[])[2]!;
    for (const batchId of [own, residualGrade]) {
      const offerId = (await ok(ledger.post('/catalogue/offers', { batchId, title: 'Cotton', ewcCode: '20 01 11', place: { kommuneCode: '0657' } }, sorter.key), 201)).offerId as string;
      const dealId = (await ok(ledger.post(`/catalogue/offers/${offerId}/requests`, {}, recycler.key), 201)).dealId as string;
      await ok(ledger.post(`/catalogue/requests/${dealId}/accept`, {}, sorter.key));
    }
    await ok(ledger.post(`/batches/${residualGrade}/dispatch`, { toOrgId: recycler.id, massGrams: 80_000 }, sorter.key));
    await ok(ledger.post(`/batches/${residualGrade}/receive`, { receivedMassGrams: 80_000 }, recycler.key));
    await pause(1_100);
    beforeMembership = new Date(Math.floor(Date.now() / 1000) * 1000).toISOString();
    await pause(1_100);
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await ledger?.close();
  }, 60_000);

  const impactOf = async (query = ''): Promise<Impact> => (await ok(ledger.get(`/programmes/${programmeId}/impact?from=${FROM}&to=${TO}${query}`, manager.key))) as unknown as Impact;

  /** Every figure of the impact section equals the API's answer for the same choices, in Danish number format. */
  async function expectImpactEqualsApi(page: Page, api: Impact): Promise<void> {
    const impact = page.getByTestId('impact');
    const waste = api.wasteUsedAsRawMaterial;
    await eventually(async () => expect(await impact.getByTestId('waste-total').getAttribute('data-grams')).toBe(String(waste.totalGrams)));
    expect(await textOf(impact.getByTestId('waste-total'))).toBe(`${da(waste.totalTonnes)} t i alt`);
    for (const row of waste.byOrigin) expect(await textOf(impact.locator(`[data-testid="waste-by-origin"] tr[data-origin="${row.originKey}"] td.number`))).toBe(da(row.tonnes));
    expect(await impact.locator('[data-testid="waste-by-origin"] tbody tr').count()).toBe(waste.byOrigin.length);
    for (const row of waste.byMember) expect(await textOf(impact.locator(`[data-testid="waste-by-member"] tr[data-organisation="${row.organisationId}"] td.number`))).toBe(da(row.tonnes));
    expect(await impact.locator('[data-testid="waste-by-member"] tbody tr').count()).toBe(waste.byMember.length);
    expect(await impact.getByTestId('reused-total').getAttribute('data-tonnes')).toBe(api.reused.tonnes);
    const co2 = api.avoidedCo2e;
    for (const route of co2.routes) {
      const row = impact.locator(`[data-testid="co2-routes"] tr[data-route="${route.route}"]`);
      expect(await textOf(row.locator('td').nth(0))).toBe(da(String(route.grams / 1_000_000)));
      expect(await textOf(row.locator('td[data-co2e]'))).toBe(route.tonnesCo2e === null ? 'ukendt' : da(route.tonnesCo2e));
      if (route.kgCo2ePerKg !== null) expect(await textOf(row.locator('td[data-factor]'))).toBe(da(route.kgCo2ePerKg));
      if (route.source !== null) expect(await textOf(row.locator('td[data-source]'))).toBe(route.source);
    }
    expect(await impact.getByTestId('co2-total').getAttribute('data-total')).toBe(co2.totalTonnes ?? '');
    expect(await impact.getByTestId('co2-total').getAttribute('data-known')).toBe(co2.knownTonnes);
    expect(await impact.getByTestId('impact-organisations').getAttribute('data-count')).toBe(String(api.organisations.count));
    expect(await impact.getByTestId('impact-smes').getAttribute('data-count')).toBe(String(api.smes.count));
    expect(await impact.getByTestId('circularity-collected').getAttribute('data-grams')).toBe(String(api.circularity.collectedGrams));
    for (const [bucket, grams] of Object.entries(api.circularity.buckets)) {
      expect(await impact.locator(`[data-testid="circularity-buckets"] tr[data-bucket="${bucket}"] td.number`).getAttribute('data-grams')).toBe(String(grams));
    }
    for (const kind of ['classic', 'viaMarket'] as const) {
      const cells = impact.locator(`[data-testid="symbiosis"] tr[data-symbiosis="${kind}"] td`);
      const figures = api.symbiosis[kind];
      expect([await textOf(cells.nth(0)), await textOf(cells.nth(1)), await textOf(cells.nth(2))]).toEqual([da(figures.matchedTonnes), da(figures.tradedTonnes), String(figures.deals)]);
    }
  }

  const selectByLabel = async (select: Locator, label: string): Promise<void> => {
    await select.selectOption({ label });
  };

  it("given Closing Loops with CØ59 and a sorting member, when its manager adds the recycler by the form, then the list, members and impact figures equal the API's and the CSV is the API's", async () => {
    const { page, errors } = await newPage(browser, baseUrl, 'da-DK');
    await signIn(page, manager.key);
    await tabUntil(page, (focused) => focused.text === 'Programmer');
    await page.keyboard.press('Enter');
    const row = page.locator(`[data-testid="programmes"] tr[data-programme="${programmeId}"]`);
    await row.waitFor();
    expect(page.url()).toContain('#/programmes');
    // The list's counts are the members report's for this year.
    const listed = await ok(ledger.get(`/programmes/${programmeId}/members?from=${FROM}&to=${TO}`, manager.key));
    expect(listed.counts).toMatchObject({ organisations: 1, smes: 1 });
    expect(await textOf(row.locator('td[data-measure="members"]'))).toBe('1');
    expect(await textOf(row.locator('td[data-measure="smes"]'))).toBe('1');
    expect(await textOf(row.locator(`a[data-value-chain="${valueChainId}"]`))).toBe('CØ59');
    expect(plain(await row.locator('td').nth(1).textContent())).toBe('Lifestyle & Design Cluster');
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'programmes');

    await row.locator('th a').click();
    await page.getByTestId('members').waitFor();
    expect(plain(await page.locator('h1').textContent())).toBe('Program: Closing Loops');
    const sorterRow = page.locator(`[data-testid="members"] tr[data-organisation="${sorter.id}"]`);
    expect(plain(await sorterRow.locator('th').textContent())).toBe(`Herning Tekstilsortering${sorter.id}`);
    expect(plain(await sorterRow.locator('td').nth(0).textContent())).toBe(`CØ59: fra ${FROM}`);
    expect(plain(await sorterRow.locator('td').nth(1).textContent())).toBe(`SMV (størrelse oplyst fra ${FROM})`);

    // Before the recycler is a member, its recycling is not the programme's.
    const before = await impactOf();
    expect(before.wasteUsedAsRawMaterial.totalGrams).toBe(0);
    await expectImpactEqualsApi(page, before);

    // The manager adds the recycler to CØ59 from today (the form's default day).
    await selectByLabel(page.locator('#add-member-organisation'), 'Fibre Loop ApS');
    await selectByLabel(page.locator('#add-member-scope'), 'CØ59');
    expect(await page.locator('#add-member-from').inputValue()).toBe(TODAY);
    await page.locator('[data-testid="add-member"] button[type="submit"]').click();
    await eventually(async () => expect(await textOf(page.getByTestId('programme-notice'))).toBe(`Fibre Loop ApS er medlem fra ${TODAY}.`));
    const recyclerRow = page.locator(`[data-testid="members"] tr[data-organisation="${recycler.id}"]`);
    expect(plain(await recyclerRow.locator('td').nth(1).textContent())).toBe('Ukendt (ingen størrelse oplyst)');
    expect(await page.getByTestId('members-counts').getAttribute('data-organisations')).toBe('2');

    // The hand-known figure: 0.6 t of Herning's collection, by the recycler; the reuse factor is unknown.
    const after = await impactOf();
    expect(after.wasteUsedAsRawMaterial.totalGrams).toBe(600_000);
    await expectImpactEqualsApi(page, after);
    const impact = page.getByTestId('impact');
    expect(await textOf(impact.getByTestId('waste-total'))).toBe('0,6 t i alt');
    expect(await textOf(impact.locator('[data-testid="waste-by-origin"] tr[data-origin="kommune:0657"] th'))).toBe('Herning (0657)');
    expect(await textOf(impact.locator(`[data-testid="waste-by-member"] tr[data-organisation="${recycler.id}"] td`))).toBe('0,6');
    const reuseRoute = after.avoidedCo2e.routes.find((r) => r.route === 'reuse');
    expect(reuseRoute?.known).toBe(false);
    expect(await textOf(impact.locator('[data-testid="co2-routes"] tr[data-route="reuse"] td[data-co2e]'))).toBe('ukendt');
    // herning-2022 (in force) avoids 20.4 kg CO2e per kg recycled: 0.6 t × 20.4 = 12.24 t.
    expect(await textOf(impact.locator('[data-testid="co2-routes"] tr[data-route="recycling"] td[data-co2e]'))).toBe('12,24');
    expect(after.avoidedCo2e.totalTonnes).toBeNull();
    // The catalogue's deals, split: the sorter's own residual (classic), its sorted residual grade (via the market).
    expect(after.symbiosis.classic).toMatchObject({ deals: 1, matchedGrams: 50_000, tradedGrams: 0 });
    expect(after.symbiosis.viaMarket).toMatchObject({ deals: 1, matchedGrams: 80_000, tradedGrams: 80_000 });
    const symbiosisRow = async (kind: string): Promise<string[]> => (await impact.locator(`[data-testid="symbiosis"] tr[data-symbiosis="${kind}"]`).locator('th, td').allTextContents()).map(plain);
    expect(await symbiosisRow('classic')).toEqual(['Klassisk symbiose', '0,05', '0', '1']);
    expect(await symbiosisRow('viaMarket')).toEqual(['Via markedet', '0,08', '0,08', '1']);
    expect(await textOf(impact.getByTestId('co2-total'))).toBe(`Det samlede tal er ukendt: en behandlingsvej har ingen kendt faktor. Behandlingsvejene med kendt faktor undgår ${da(after.avoidedCo2e.knownTonnes)} t CO2e.`);
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'programme-impact');

    // Adding the recycler again is refused, in words.
    await selectByLabel(page.locator('#add-member-organisation'), 'Fibre Loop ApS');
    await selectByLabel(page.locator('#add-member-scope'), 'CØ59');
    await page.locator('[data-testid="add-member"] button[type="submit"]').click();
    await eventually(async () => expect(await textOf(page.getByTestId('add-member-status'))).toBe('Afvist: organisationen er allerede medlem der.'));

    // As the ledger stood before the recycler joined: its recycling was not yet the programme's.
    const then = await impactOf(`&asOf=${encodeURIComponent(beforeMembership)}`);
    expect(then.wasteUsedAsRawMaterial.totalGrams).toBe(0);
    await page.locator('#report-as-of').fill(copenhagenPickerValue(beforeMembership));
    await page.getByTestId('report-choice').locator('button[type="submit"]').click();
    await eventually(async () => expect(await textOf(page.getByTestId('impact-as-of'))).toContain(`logposition ${(then as unknown as { asOf: { position: number } }).asOf.position}`));
    await expectImpactEqualsApi(page, then);
    await page.locator('#report-as-of').fill('');
    await page.getByTestId('report-choice').locator('button[type="submit"]').click();
    await eventually(async () => expect(await textOf(page.getByTestId('impact-as-of'))).toBe('Effektrapporten, som registret ser ud nu.'));
    await expectImpactEqualsApi(page, after);

    // The CSV download, reached by keyboard, is the API's CSV for the same choices.
    const csv = (await ledger.request<string>('GET', `/programmes/${programmeId}/impact?from=${FROM}&to=${TO}&format=csv`, { key: manager.key })).body;
    const download = page.waitForEvent('download');
    await page.getByTestId('report-choice').locator('button[type="submit"]').focus();
    await tabUntil(page, (focused) => focused.text === 'Hent effektrapporten (CSV)', 80);
    await page.keyboard.press('Enter');
    const file = await download;
    expect(file.suggestedFilename()).toBe(`programme-impact-closing-loops-${FROM}-${TO}.csv`);
    expect(readFileSync(await file.path(), 'utf8')).toBe(csv);

    // Under a named past factor set, the figures are that set's, as the API reproduces them.
    await selectByLabel(page.locator('#report-factor-set'), 'jie-2015 (gælder fra 2015-01-01)');
    await page.getByTestId('report-choice').locator('button[type="submit"]').click();
    await eventually(async () => expect(await page.getByTestId('co2-factor-set').getAttribute('data-factor-set')).toBe('jie-2015'));
    await expectImpactEqualsApi(page, await impactOf('&factorSet=jie-2015'));

    // The value chain view: the same members, scoped to CØ59.
    await selectByLabel(page.locator('#report-value-chain'), 'CØ59');
    await page.getByTestId('report-choice').locator('button[type="submit"]').click();
    await eventually(async () => expect(plain(await page.locator('h1').textContent())).toBe('Værdikæden CØ59 (Closing Loops)'));
    expect(page.url()).toContain(`#/programmes/${programmeId}/value-chains/${valueChainId}`);
    await expectImpactEqualsApi(page, await impactOf(`&factorSet=jie-2015&valueChainId=${valueChainId}`));

    // The manager ends the recycler's membership of CØ59 from tomorrow; the period still holds it, now closed.
    const tomorrow = new Date(Date.parse(`${TODAY}T12:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
    await selectByLabel(page.locator('#remove-member-organisation'), 'Fibre Loop ApS');
    expect(await page.locator('#remove-member-scope').inputValue()).toBe(valueChainId);
    await page.locator('#remove-member-from').fill(tomorrow);
    await page.locator('#remove-member-reason').fill('Forlod værdikæden');
    await page.locator('[data-testid="remove-member"] button[type="submit"]').click();
    await eventually(async () => expect(await textOf(page.getByTestId('programme-notice'))).toBe(`Fibre Loop ApS er ikke længere medlem fra ${tomorrow}.`));
    expect(plain(await page.locator(`[data-testid="members"] tr[data-organisation="${recycler.id}"] td`).nth(0).textContent())).toBe(`CØ59: fra ${TODAY} til ${tomorrow} (ikke medlem den dag)`);
    expect(await seriousViolations(page)).toEqual([]);
    // The browser reports the one refused request (409) on its console; nothing else.
    expect(errors).toEqual([expect.stringContaining('status of 409')]);
  }, 180_000);

  it('given the operator on the list, when it registers a programme by the form, then the list shows it', async () => {
    const { page, errors } = await newPage(browser, baseUrl, 'da-DK');
    await signIn(page, ledger.operatorKey);
    await page.goto('/#/programmes');
    await page.getByTestId('register-programme').waitFor();
    await page.locator('#programme-name').fill('Tekstilpakken');
    await page.locator('#programme-tag').fill('tekstilpakken');
    await selectByLabel(page.locator('#programme-manager'), 'Lifestyle & Design Cluster');
    await page.locator('[data-testid="register-programme"] button[type="submit"]').click();
    await eventually(async () => expect(await textOf(page.getByTestId('programme-notice'))).toBe('Programmet Tekstilpakken er registreret.'));
    const list = (await ok(ledger.get('/programmes'))).programmes as { programmeId: string; name: string; tag: string | null }[];
    const registered = list.find((p) => p.name === 'Tekstilpakken');
    expect(registered?.tag).toBe('tekstilpakken');
    expect(await textOf(page.locator(`[data-testid="programmes"] tr[data-programme="${registered?.programmeId}"] th`))).toBe('Tekstilpakken');
    expect(await textOf(page.locator(`[data-testid="programmes"] tr[data-programme="${registered?.programmeId}"] td`))).toBe('Ingen værdikæder endnu.');
    // A bad tag is refused by the ledger, and the page says why.
    await page.locator('#programme-name').fill('Andet program');
    await page.locator('#programme-tag').fill('Ikke En Slug');
    await page.locator('[data-testid="register-programme"] button[type="submit"]').click();
    await eventually(async () => expect(await textOf(page.getByTestId('register-programme-status'))).toMatch(/^Afvist: /));
    expect(await seriousViolations(page)).toEqual([]);

    // On the new programme's page the operator registers a value chain; the page shows it at once.
    await page.locator(`[data-testid="programmes"] tr[data-programme="${registered?.programmeId}"] th a`).click();
    await page.getByTestId('register-value-chain').waitFor();
    await page.locator('#chain-name').fill('Møbeltekstiler');
    await page.locator('[data-testid="register-value-chain"] button[type="submit"]').click();
    await eventually(async () => expect(await textOf(page.getByTestId('programme-notice'))).toBe('Værdikæden Møbeltekstiler er registreret.'));
    expect(await textOf(page.getByTestId('value-chains'))).toBe('Møbeltekstiler');
    expect(await page.locator('#report-value-chain option').allTextContents()).toEqual(['Alle (hele programmet)', 'Møbeltekstiler']);
    expect(errors).toEqual([expect.stringContaining('status of 400')]);
  }, 120_000);
});
