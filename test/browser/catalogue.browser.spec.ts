import type { Browser, Page } from 'playwright-core';
import { LedgerHarness, type RegisteredOrganisation } from '../fixtures/ledger-harness.js';
import { buildWebApp, eventually, launchChromium, newPage, plain, screenshot, seriousViolations, tabUntil, textOf } from './browser-session.js';

/**
 * The symbiosis catalogue in a real browser against a real ledger (decision 046): a laundry offers
 * its linen by the page, showing only the kommune and a mass band; a spinner states a want by its
 * page and sees the offer ranked with the reason the API gives, in words, and the CO2e a trade
 * would save; the laundry's page shows the new match as it appears (server-sent events). The
 * spinner asks, the laundry accepts (the batch is reserved) and dispatches it from the deal's page,
 * the spinner receives it from its own (the ordinary dispatch and receipt, by keyboard), and the
 * deal's page shows its history through to receipt. An offer for named
 * organisations only is not shown to an outsider. axe finds no serious or critical violation.
 */
type Json = Record<string, unknown>;

interface Score {
  total: number;
  parts: { fibre: number; grade: number; ewc: number; mass: number; distance: number };
  distanceKm: number | null;
  distanceBasis: string;
}
interface ApiMatch {
  offer: { offerId: string; holder: { name: string } | null; mass: Json; location: Json };
  score: Score;
  co2e: { tCo2e: string | null; basis: string; route: string; factorSetId: string | null };
}

const LINEN = [
  { fibre: 'cotton', share: 8_000 },
  { fibre: 'polyester', share: 2_000 },
];
const da = (decimal: string): string => {
  const [whole = '', fraction] = decimal.split('.');
  return `${whole.replace(/\B(?=(\d{3})+(?!\d))/g, '.')}${fraction === undefined ? '' : `,${fraction}`}`;
};
/** The page's words for a score, in Danish: the parts, the distance's basis and the total. */
const whyInDanish = (score: Score): string => {
  const basis = { coordinates: `${score.distanceKm} km mellem lokaliteterne`, 'same-kommune': 'samme kommune', 'same-region': 'samme region', none: 'afstand ukendt' }[score.distanceBasis];
  const { fibre, grade, ewc, mass, distance } = score.parts;
  return `fiber ${fibre} + kvalitet ${grade} + affaldskode ${ewc} + mængde ${mass} + afstand ${distance} (${basis}) = ${score.total} point`;
};

describe('the symbiosis catalogue in a browser', () => {
  let ledger: LedgerHarness;
  let browser: Browser;
  let baseUrl: string;
  let laundry: RegisteredOrganisation;
  let spinner: RegisteredOrganisation;
  let outsider: RegisteredOrganisation;

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

  /** A fresh browser profile signed in as the organisation, on the page the address names. */
  async function signedIn(key: string, locale: 'da-DK' | 'en-GB', hash: string): Promise<Awaited<ReturnType<typeof newPage>>> {
    const session = await newPage(browser, baseUrl, locale);
    await signIn(session.page, key);
    await session.page.goto(`/${hash}`);
    return session;
  }

  const residual = async (massGrams: number, description: string): Promise<string> =>
    (await ok(ledger.post('/batches/residuals', { originClass: 'post-consumer-business', ewcCode: '20 01 11', massGrams, composition: LINEN, description }, laundry.key), 201)).batchId as string;

  beforeAll(async () => {
    buildWebApp();
    ledger = await LedgerHarness.start();
    await ledger.app.listen(0, '127.0.0.1');
    baseUrl = await ledger.app.getUrl();
    laundry = await ledger.registerOrganisation('Vaskeri Vest', ['sorter']);
    spinner = await ledger.registerOrganisation('Spinderi Nord', ['manufacturer']);
    outsider = await ledger.registerOrganisation('Brand ApS', ['brand']);
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await ledger?.close();
  }, 60_000);

  it('given a laundry’s linen, when it is offered, wanted, matched, requested, accepted, dispatched and received through the pages, then each page shows what the API says, disclosed as chosen', async () => {
    const batchId = await residual(2_000_000, 'hospital linen');

    // The laundry offers the batch by its page: the kommune only, and a mass band.
    const holder = await newPage(browser, baseUrl, 'da-DK');
    await signIn(holder.page, laundry.key);
    await tabUntil(holder.page, (focused) => focused.text === 'Symbiosekatalog');
    await holder.page.keyboard.press('Enter');
    await holder.page.getByTestId('catalogue-filters').waitFor();
    expect(holder.page.url()).toContain('#/catalogue');
    await holder.page.locator('.catalogue-nav a', { hasText: 'Vores tilbud' }).click();
    const form = holder.page.getByTestId('offer-form');
    await form.waitFor();
    await holder.page.locator('#offer-batch').selectOption(batchId);
    expect(await holder.page.locator('#offer-ewc').inputValue()).toBe('20 01 11');
    await holder.page.locator('#offer-title').fill('Hospitalslinned, bomuldsrigt');
    await holder.page.locator('#offer-kommune').selectOption('0657');
    await holder.page.locator('#offer-disclose-mass-band').check();
    await holder.page.locator('#offer-disclose-location-kommune').check();
    expect(await seriousViolations(holder.page)).toEqual([]);
    await form.locator('button[type="submit"]').click();
    await eventually(async () => expect(await textOf(holder.page.getByTestId('catalogue-notice'))).toBe('»Hospitalslinned, bomuldsrigt« er nu i kataloget.'));
    const offers = (await ok(ledger.get('/catalogue/offers', laundry.key))).offers as { offerId: string; title: string; visibility: Json }[];
    const offer = offers.find((o) => o.title === 'Hospitalslinned, bomuldsrigt')!;
    expect(offer.visibility).toEqual({ audience: { kind: 'everyone' }, disclosure: { name: true, mass: 'band', location: 'kommune' } });
    const own = holder.page.locator(`[data-own-offer="${offer.offerId}"]`);
    expect(await textOf(own.getByTestId('offer-visibility'))).toBe('Synlighed: Alle organisationer; med navn, kun et interval, kun kommunen');
    // The holder sees its own offer in full.
    expect(await textOf(own.getByTestId('offer-mass'))).toBe('2,0 t');

    // Another organisation sees only the kommune and the band.
    const buyer = await signedIn(spinner.key, 'da-DK', '#/catalogue');
    const listed = buyer.page.locator(`[data-testid="catalogue-offers"] tr[data-offer="${offer.offerId}"]`);
    await listed.waitFor();
    expect(await textOf(listed.getByTestId('offer-mass'))).toBe('mellem 1,0 t og 5,0 t');
    expect(await textOf(listed.getByTestId('offer-place'))).toBe('Herning Kommune');
    expect(await textOf(listed.getByTestId('offer-holder'))).toBe('Vaskeri Vest');
    expect(plain(await listed.textContent())).not.toContain('2,0 t');
    expect(await seriousViolations(buyer.page)).toEqual([]);
    // The filters narrow the list as the API does: a kommune elsewhere, then the offer's own.
    await buyer.page.locator('#filter-kommune').selectOption('0101');
    await buyer.page.getByTestId('catalogue-filters').locator('button[type="submit"]').click();
    await eventually(async () => expect(await textOf(buyer.page.getByTestId('catalogue-offers-count'))).toBe('0 tilbud.'));
    await buyer.page.locator('#filter-kommune').selectOption('0657');
    await buyer.page.locator('#filter-fibre').selectOption('cotton');
    await buyer.page.locator('#filter-min-share').fill('75');
    await buyer.page.getByTestId('catalogue-filters').locator('button[type="submit"]').click();
    await eventually(async () => expect(await textOf(buyer.page.getByTestId('catalogue-offers-count'))).toBe('1 tilbud.'));
    await screenshot(buyer.page, 'catalogue-offers');

    // The laundry keeps its page open, listening for new matches.
    await holder.page.getByTestId('live-status').waitFor();

    // The spinner states a want by its page and sees the offer ranked, with why and the saving.
    await buyer.page.locator('.catalogue-nav a', { hasText: 'Vores efterspørgsel' }).click();
    const wantForm = buyer.page.getByTestId('want-form');
    await wantForm.waitFor();
    await buyer.page.locator('#want-title').fill('Bomuld til spinding');
    await buyer.page.locator('#want-fibre-1').selectOption('cotton');
    await buyer.page.locator('#want-share-1').fill('60');
    await buyer.page.locator('#want-min').fill('0,5');
    await buyer.page.locator('#want-max').fill('5');
    await buyer.page.locator('#want-kommune').selectOption('0657');
    await wantForm.locator('button[type="submit"]').click();
    await eventually(async () => expect(await textOf(buyer.page.getByTestId('catalogue-notice'))).toBe('»Bomuld til spinding« er offentliggjort.'));
    const wants = (await ok(ledger.get('/catalogue/wants', spinner.key))).wants as { wantId: string; title: string; fibres: unknown; minGrams: number; maxGrams: number }[];
    const want = wants.find((w) => w.title === 'Bomuld til spinding')!;
    expect(want).toMatchObject({ fibres: [{ fibre: 'cotton', minShare: 6_000 }], minGrams: 500_000, maxGrams: 5_000_000 });
    const api = (await ok(ledger.get(`/catalogue/wants/${want.wantId}/matches`, spinner.key))).matches as ApiMatch[];
    const ranked = api.find((m) => m.offer.offerId === offer.offerId)!;
    const row = buyer.page.locator(`[data-testid="want-matches-${want.wantId}"] tr[data-offer="${offer.offerId}"]`);
    await row.waitFor();
    expect(await row.getAttribute('data-score')).toBe(String(ranked.score.total));
    expect(await textOf(row.getByTestId('match-why'))).toBe(whyInDanish(ranked.score));
    expect(ranked.score.parts.fibre).toBe(80);
    expect(ranked.score.distanceBasis).toBe('same-kommune');
    const saving = ranked.co2e.tCo2e === null ? 'ukendt (genanvendelse: ingen kendt faktor)' : `${ranked.co2e.basis === 'band-minimum' ? 'mindst ' : ''}${da(ranked.co2e.tCo2e)} t CO2e`;
    expect(await textOf(row.getByTestId('match-saving'))).toContain(saving);
    expect(await textOf(row.getByTestId('match-place'))).toBe('Herning Kommune');
    expect(await textOf(buyer.page.locator(`[data-own-want="${want.wantId}"]`).getByTestId('want-summary'))).toBe('Bomuld ≥ 60,0 % · alle kvaliteter · alle affaldskoder · 0,5 t – 5,0 t · Herning Kommune');
    expect(await seriousViolations(buyer.page)).toEqual([]);
    await screenshot(buyer.page, 'catalogue-want-matches');

    // The laundry's open page showed the new match as it appeared.
    await eventually(async () => expect(await holder.page.locator(`[data-testid="live-matches"] li[data-want="${want.wantId}"]`).count()).toBe(1), 20_000);
    expect(await textOf(holder.page.locator(`[data-testid="live-matches"] li[data-want="${want.wantId}"]`))).toBe(
      `Nyt match: »Hospitalslinned, bomuldsrigt« til »Bomuld til spinding« (${ranked.score.total} point)`,
    );

    // The spinner asks for the offer from its match.
    await row.locator('button[type="submit"]').click();
    await eventually(async () => expect(await textOf(buyer.page.getByTestId('catalogue-notice'))).toBe('Forespørgslen på »Hospitalslinned, bomuldsrigt« er sendt. Se aftalen'));
    const dealId = (await buyer.page.getByTestId('catalogue-notice').locator('a').getAttribute('data-deal'))!;

    // The laundry accepts on its requests page: the batch is reserved for the spinner.
    await holder.page.goto('/#/catalogue/deals');
    const request = holder.page.locator(`[data-testid="catalogue-deals"] tr[data-deal="${dealId}"]`);
    await request.waitFor();
    expect(await textOf(request.getByTestId('deal-status'))).toBe('Forespurgt');
    expect(plain(await request.locator('td').first().textContent())).toBe('Køber: Spinderi Nord');
    expect(await seriousViolations(holder.page)).toEqual([]);
    await request.locator(`[data-testid="accept-${dealId}"] button[type="submit"]`).click();
    await eventually(async () => expect(await textOf(holder.page.getByTestId('catalogue-notice'))).toBe('Forespørgslen er accepteret; partiet er reserveret til køberen.'));
    expect(await textOf(holder.page.locator(`tr[data-deal="${dealId}"]`).getByTestId('deal-status'))).toBe('Accepteret (reserveret)');
    expect((await ok(ledger.get(`/catalogue/offers/${offer.offerId}`, laundry.key))).state).toBe('reserved');
    // The holder's own list shows the offer reserved, linked to its deal.
    await holder.page.goto('/#/catalogue/mine');
    const reserved = holder.page.locator(`[data-own-offer="${offer.offerId}"]`);
    await reserved.waitFor();
    expect(await reserved.getAttribute('data-state')).toBe('reserved');
    expect(await reserved.getByTestId('offer-reserved').locator('a').getAttribute('href')).toBe(`#/catalogue/deals/${dealId}`);

    // The buyer's page of the accepted deal offers no dispatch: that is the holder's.
    await buyer.page.goto(`/#/catalogue/deals/${dealId}`);
    await eventually(async () => {
      await buyer.page.reload();
      expect(await textOf(buyer.page.locator('[data-testid="deal-facts"]').getByTestId('deal-status'))).toBe('Accepteret (reserveret)');
    });
    expect(await buyer.page.getByTestId(`dispatch-${dealId}`).count()).toBe(0);

    // The laundry carries the deal out from its page, by keyboard: the ordinary dispatch to the buyer,
    // the batch's own mass as the default, a transport document added.
    await reserved.getByTestId('offer-reserved').locator('a').focus();
    await holder.page.keyboard.press('Enter');
    const dispatch = holder.page.getByTestId(`dispatch-${dealId}`);
    await dispatch.waitFor();
    expect(await textOf(dispatch.locator('h3'))).toBe('Afsend til Spinderi Nord');
    expect(await seriousViolations(holder.page)).toEqual([]);
    await tabUntil(holder.page, (focused) => focused.id === `dispatch-mass-${dealId}`);
    expect(await holder.page.locator(`#dispatch-mass-${dealId}`).inputValue()).toBe('2');
    await holder.page.keyboard.press('Tab');
    await holder.page.keyboard.type('CMR 2026-0417');
    await holder.page.keyboard.press('Enter');
    await eventually(async () => expect(await textOf(holder.page.getByTestId('catalogue-notice'))).toBe('Partiet er afsendt til Spinderi Nord (2,0 t).'));
    expect(await textOf(holder.page.locator('[data-testid="deal-facts"]').getByTestId('deal-status'))).toBe('Afsendt');
    expect(await holder.page.getByTestId(`dispatch-${dealId}`).count()).toBe(0);
    expect(await holder.page.locator('[data-testid="deal-history"] li').evaluateAll((items) => items.map((item) => item.getAttribute('data-kind')))).toEqual(['requested', 'reserved', 'dispatched']);
    const sent = await ok(ledger.get(`/catalogue/deals/${dealId}`, laundry.key));
    expect(sent).toMatchObject({ status: 'dispatched', dispatchedGrams: 2_000_000, receivedGrams: null });
    expect(await ok(ledger.get(`/batches/${batchId}`, laundry.key))).toMatchObject({ status: 'in-transit', massGrams: 2_000_000 });
    // The page sent the ordinary dispatch: to the buyer, the batch's exact grams, the transport document.
    const dispatchedEvent = (await ledger.store.readStream(`batch-${batchId}`)).at(-1)!;
    expect(dispatchedEvent.type).toBe('CustodyTransferDispatched');
    expect(dispatchedEvent.data).toMatchObject({ toOrgId: spinner.id, massGrams: 2_000_000, transportDocument: 'CMR 2026-0417', transferId: sent.transferId });
    expect(await holder.page.getByTestId(`receive-${dealId}`).count()).toBe(0);

    // The spinner receives it from its deal's page, by keyboard, weighed on arrival: a mass the page
    // cannot read exactly is refused before anything is sent.
    await buyer.page.goto(`/#/catalogue/deals/${dealId}`);
    const receive = buyer.page.getByTestId(`receive-${dealId}`);
    await eventually(async () => {
      await buyer.page.reload();
      await receive.waitFor({ timeout: 2_000 });
    });
    expect(await buyer.page.locator(`#receive-mass-${dealId}`).inputValue()).toBe('2');
    expect(await seriousViolations(buyer.page)).toEqual([]);
    await tabUntil(buyer.page, (focused) => focused.id === `receive-mass-${dealId}`);
    await buyer.page.keyboard.press('Control+A');
    await buyer.page.keyboard.type('knap 2');
    await buyer.page.keyboard.press('Enter');
    await eventually(async () => expect(await textOf(buyer.page.getByTestId(`receive-${dealId}-status`))).toBe('Skriv mængden i ton, fx 1,5.'));
    expect((await ok(ledger.get(`/catalogue/deals/${dealId}`, spinner.key))).status).toBe('dispatched');
    await buyer.page.keyboard.press('Control+A');
    await buyer.page.keyboard.type('1,99');
    await buyer.page.keyboard.press('Enter');
    await eventually(async () => expect(await textOf(buyer.page.getByTestId('catalogue-notice'))).toBe('Partiet er modtaget (1,99 t).'));

    // The deal's page shows its history through to receipt, and links the batch; the figures are the API's.
    expect(await buyer.page.locator('[data-testid="deal-history"] li').evaluateAll((items) => items.map((item) => item.getAttribute('data-kind')))).toEqual(['requested', 'reserved', 'dispatched', 'received']);
    expect(await buyer.page.getByTestId(`receive-${dealId}`).count()).toBe(0);
    const deal = await ok(ledger.get(`/catalogue/deals/${dealId}`, spinner.key));
    expect(deal).toMatchObject({ status: 'received', batchId, dispatchedGrams: 2_000_000, receivedGrams: 1_990_000, symbiosis: 'classic' });
    expect((deal.history as { kind: string }[]).map((step) => step.kind)).toEqual(['requested', 'reserved', 'dispatched', 'received']);
    expect(await ok(ledger.get(`/batches/${batchId}`, spinner.key))).toMatchObject({ status: 'available', custodianOrgId: spinner.id, massGrams: 1_990_000 });
    expect(plain(await buyer.page.locator('h1').textContent())).toBe('Aftale: Hospitalslinned, bomuldsrigt');
    expect(await textOf(buyer.page.locator('[data-testid="deal-facts"]').getByTestId('deal-status'))).toBe('Modtaget');
    expect(await buyer.page.locator('[data-testid="deal-facts"] dd[data-grams="2000000"]').count()).toBe(1);
    expect(await textOf(buyer.page.getByTestId('deal-received'))).toBe('1,99 t');
    expect(await buyer.page.getByTestId('deal-received').getAttribute('data-grams')).toBe('1990000');
    expect(plain(await buyer.page.getByTestId('deal-facts').textContent())).toContain(deal.transferId as string);
    expect(await buyer.page.getByTestId('deal-batch').getAttribute('href')).toBe(`#/batches/${batchId}`);
    expect(await textOf(buyer.page.locator('[data-symbiosis]'))).toBe('Klassisk symbiose (direkte fra ejeren af restfraktionen)');
    expect(await textOf(buyer.page.locator('[data-testid="deal-history"] li[data-kind="dispatched"]'))).toMatch(/^Afsendt · .* · af Vaskeri Vest · 2,0 t$/);
    expect(await textOf(buyer.page.locator('[data-testid="deal-history"] li[data-kind="received"]'))).toMatch(/^Modtaget · .* · af Spinderi Nord · 1,99 t$/);
    expect(await seriousViolations(buyer.page)).toEqual([]);
    await screenshot(buyer.page, 'catalogue-deal');
    await buyer.page.getByTestId('deal-batch').click();
    await eventually(async () => expect(buyer.page.url()).toContain(`#/batches/${batchId}`));

    expect(holder.errors).toEqual([]);
    expect(buyer.errors).toEqual([]);
    await holder.context.close();
    await buyer.context.close();
  }, 240_000);

  it('given an offer for named organisations only, when an outsider opens the catalogue, then it is not there; the named buyer sees it without the holder’s name; the holder withdraws it, and offers a recurring stream', async () => {
    const batchId = await residual(700_000, 'curtains');
    const hidden = (
      await ok(
        ledger.post(
          '/catalogue/offers',
          {
            batchId,
            title: 'Gardiner, polyester',
            ewcCode: '20 01 11',
            place: { kommuneCode: '0657' },
            visibility: { audience: { kind: 'organisations', organisationIds: [spinner.id] }, disclosure: { name: false, mass: 'band', location: 'region' } },
          },
          laundry.key,
        ),
        201,
      )
    ).offerId as string;
    const outside = await signedIn(outsider.key, 'en-GB', '#/catalogue');
    await outside.page.getByTestId('catalogue-offers-count').waitFor();
    expect(await outside.page.locator(`[data-offer="${hidden}"]`).count()).toBe(0);
    expect(plain(await outside.page.locator('main').textContent())).not.toContain('Gardiner');
    expect(await seriousViolations(outside.page)).toEqual([]);

    const named = await signedIn(spinner.key, 'en-GB', '#/catalogue');
    const row = named.page.locator(`[data-testid="catalogue-offers"] tr[data-offer="${hidden}"]`);
    await row.waitFor();
    expect(await textOf(row.getByTestId('offer-holder'))).toBe('Not disclosed');
    expect(await textOf(row.getByTestId('offer-place'))).toBe('Region Midtjylland');
    expect(await textOf(row.getByTestId('offer-mass'))).toBe('between 0.5 t and 1.0 t');

    // The laundry sees whom it shows the offer to, and withdraws it by its page.
    const holder = await signedIn(laundry.key, 'da-DK', '#/catalogue/mine');
    const own = holder.page.locator(`[data-own-offer="${hidden}"]`);
    await own.waitFor();
    expect(await textOf(own.getByTestId('offer-visibility'))).toBe('Synlighed: Spinderi Nord; uden navn, kun et interval, kun regionen');
    await own.locator(`#withdraw-reason-${hidden}`).fill('Bruges selv');
    await own.locator(`[data-testid="withdraw-${hidden}"] button[type="submit"]`).click();
    await eventually(async () => expect(await textOf(holder.page.getByTestId('catalogue-notice'))).toBe('»Gardiner, polyester« er trukket tilbage.'));
    // Withdrawn, it stays on the holder's list for the record, no longer to be withdrawn or matched.
    expect(await holder.page.locator(`[data-own-offer="${hidden}"]`).getAttribute('data-state')).toBe('withdrawn');
    expect(await holder.page.getByTestId(`withdraw-${hidden}`).count()).toBe(0);
    expect((await ok(ledger.get(`/catalogue/offers/${hidden}`, laundry.key))).state).toBe('withdrawn');
    expect(await seriousViolations(holder.page)).toEqual([]);

    // A recurring stream by the page: shares that do not make the whole are refused before anything is sent.
    const form = holder.page.getByTestId('offer-form');
    await holder.page.locator('#offer-kind-stream').check();
    await holder.page.locator('#offer-title').fill('Linned, ca. 2 t om måneden');
    await holder.page.locator('#stream-grade').selectOption('recycling');
    await holder.page.locator('#stream-fibre-1').selectOption('cotton');
    await holder.page.locator('#stream-share-1').fill('80');
    await holder.page.locator('#stream-fibre-2').selectOption('polyester');
    await holder.page.locator('#stream-share-2').fill('10');
    await holder.page.locator('#stream-mass').fill('2');
    await holder.page.locator('#offer-kommune').selectOption('0101');
    // Shown to the spinner only, without the laundry's name.
    await holder.page.locator('#offer-audience-organisations').check();
    await holder.page.locator(`#offer-organisations-${spinner.id}`).check();
    await holder.page.locator('#offer-disclose-name').uncheck();
    await form.locator('button[type="submit"]').click();
    await eventually(async () => expect(await textOf(holder.page.getByTestId('offer-form-status'))).toBe('Andelene skal tilsammen give 100 %, og hver fiber kun én gang.'));
    await holder.page.locator('#stream-share-2').fill('20');
    await form.locator('button[type="submit"]').click();
    await eventually(async () => expect(await textOf(holder.page.getByTestId('catalogue-notice'))).toBe('»Linned, ca. 2 t om måneden« er nu i kataloget.'));
    const stream = ((await ok(ledger.get('/catalogue/offers?kind=stream', laundry.key))).offers as { offerId: string; title: string }[]).find((o) => o.title === 'Linned, ca. 2 t om måneden')!;
    expect(await ok(ledger.get(`/catalogue/offers/${stream.offerId}`, laundry.key))).toMatchObject({ kind: 'stream', grade: 'recycling', period: 'month', composition: LINEN, mass: { kind: 'exact', grams: 2_000_000 }, location: { kommuneCode: '0101' } });
    expect((await ok(ledger.get(`/catalogue/offers/${stream.offerId}`, laundry.key))).visibility).toEqual({ audience: { kind: 'organisations', organisationIds: [spinner.id] }, disclosure: { name: false, mass: 'exact', location: 'kommune' } });
    expect((await ledger.get(`/catalogue/offers/${stream.offerId}`, outsider.key)).status).toBe(404);
    expect(await textOf(holder.page.locator(`[data-own-offer="${stream.offerId}"]`).getByTestId('offer-mass'))).toBe('2,0 t pr. måned');

    // The spinner asks for the stream; the laundry accepts on the deal's page, then calls the deal off there.
    const streamDeal = (await ok(ledger.post(`/catalogue/offers/${stream.offerId}/requests`, { message: 'Vi henter hver den første' }, spinner.key), 201)).dealId as string;
    await holder.page.goto(`/#/catalogue/deals/${streamDeal}`);
    await holder.page.getByTestId(`accept-${streamDeal}`).waitFor();
    expect(await textOf(holder.page.locator('[data-testid="deal-facts"]').getByTestId('deal-status'))).toBe('Forespurgt');
    await holder.page.getByTestId(`accept-${streamDeal}`).locator('button[type="submit"]').click();
    await eventually(async () => expect(await textOf(holder.page.getByTestId('catalogue-notice'))).toBe('Forespørgslen er accepteret.'));
    // A stream's deliveries are ordinary transfers made elsewhere: its deal names no batch to dispatch.
    expect(await holder.page.getByTestId(`dispatch-${streamDeal}`).count()).toBe(0);
    await holder.page.locator(`#cancel-reason-${streamDeal}`).fill('Vores linje står stille');
    await holder.page.getByTestId(`cancel-${streamDeal}`).locator('button[type="submit"]').click();
    await eventually(async () => expect(await textOf(holder.page.getByTestId('catalogue-notice'))).toBe('Aftalen er annulleret; reservationen er ophævet.'));
    expect(await textOf(holder.page.locator('[data-testid="deal-facts"]').getByTestId('deal-status'))).toBe('Annulleret');
    expect(await holder.page.locator('[data-testid="deal-history"] li').evaluateAll((items) => items.map((item) => item.getAttribute('data-kind')))).toEqual(
      ((await ok(ledger.get(`/catalogue/deals/${streamDeal}`, spinner.key))).history as { kind: string }[]).map((step) => step.kind),
    );
    expect(await seriousViolations(holder.page)).toEqual([]);
    await holder.page.goto('/#/catalogue/mine');
    await holder.page.getByTestId('offer-form').waitFor();

    // The ledger's refusal is said in words: a batch already on offer is not offered twice.
    const again = await residual(300_000, 'towels');
    await ok(ledger.post('/catalogue/offers', { batchId: again, title: 'Håndklæder', ewcCode: '20 01 11', place: { kommuneCode: '0657' } }, laundry.key), 201);
    await holder.page.reload();
    await holder.page.getByTestId('offer-form').waitFor();
    await holder.page.locator('#offer-batch').selectOption(again);
    await holder.page.locator('#offer-title').fill('Håndklæder igen');
    await holder.page.locator('#offer-kommune').selectOption('0657');
    await holder.page.getByTestId('offer-form').locator('button[type="submit"]').click();
    await eventually(async () => expect(await textOf(holder.page.getByTestId('offer-form-status'))).toBe('Afvist: partiet er allerede i kataloget.'));
    expect(await seriousViolations(holder.page)).toEqual([]);

    expect(outside.errors).toEqual([]);
    expect(named.errors).toEqual([]);
    // The browser reports the one refused request (409) on its console; nothing else.
    expect(holder.errors).toEqual([expect.stringContaining('status of 409')]);
    await outside.context.close();
    await named.context.close();
    await holder.context.close();
  }, 120_000);
});
