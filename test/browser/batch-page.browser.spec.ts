import type { Browser, Page } from 'playwright-core';
import { codeLabel } from '../../apps/ledger-web/src/shared/i18n/codes.js';
import { kommuneLabel } from '../../apps/ledger-web/src/shared/kommuner.js';
import { LedgerHarness } from '../fixtures/ledger-harness.js';
import { buildWebApp, eventually, launchChromium, newPage, plain, screenshot, seriousViolations, tabUntil, textOf } from './browser-session.js';
import { seedBatchScenario, type BatchScenario } from './batch-scenario.js';

/**
 * The batch page in a real browser against a real listening ledger (decision 032): the lineage graph
 * draws the API's lineage (batches named by grade or product, mass and holder; the links' masses),
 * opens and closes by keyboard, follows a batch on Enter and shows what the viewer may not see as
 * counts only; the history rows are the API's events, corrections link to what they correct, and
 * an as-of moment shows the API's as-of answer; the provenance figures are the API's.
 */
type Json = Record<string, unknown>;
interface Edge {
  parentBatchId: string;
  childBatchId: string;
  grams: number;
}
interface LineageAnswer {
  nodes: { batchId: string; depth: number }[];
  edges: Edge[];
  withheld: { batches: number; edges: number };
}
interface HistoryAnswer {
  events: { position: number; eventId: string; type: string; hash: string; corrects: string | null }[];
}

/** The Danish formats, written out here independently of the application's own formatter. */
const daTonnes = (grams: number) => plain(`${new Intl.NumberFormat('da-DK', { minimumFractionDigits: 1, maximumFractionDigits: 3 }).format(grams / 1_000_000)} t`);
const daPercent = (fraction: number) => plain(new Intl.NumberFormat('da-DK', { style: 'percent', minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(fraction));
/** The picker's value for an instant: Copenhagen's wall-clock time, to the second. */
const copenhagenPickerValue = (iso: string) => {
  const parts = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Copenhagen', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' }).formatToParts(new Date(iso));
  const part = (type: string) => parts.find((p) => p.type === type)!.value;
  return `${part('year')}-${part('month')}-${part('day')}T${part('hour')}:${part('minute')}:${part('second')}`;
};

describe('the batch page in a browser', () => {
  let ledger: LedgerHarness;
  let browser: Browser;
  let baseUrl: string;
  let scenario: BatchScenario;
  const screenshots: string[] = [];

  async function api<T = Json>(url: string, key: string): Promise<T> {
    const answer = await ledger.request('GET', url, { key, headers: { 'ledger-min-position': String(scenario.headPosition) } });
    if (answer.status !== 200) throw new Error(`GET ${url}: ${answer.status} ${JSON.stringify(answer.body)}`);
    return answer.body as T;
  }

  async function signIn(page: Page, key: string): Promise<void> {
    await page.goto('/');
    await page.locator('#api-key').fill(key);
    await page.keyboard.press('Enter');
    await page.locator('nav').waitFor();
  }

  /** The batches the graph draws, by id, with the mass each shows. */
  async function drawnNodes(page: Page): Promise<Map<string, string>> {
    const nodes = await page.locator('[data-testid="lineage-node"]').all();
    const drawn = new Map<string, string>();
    for (const node of nodes) drawn.set((await node.getAttribute('data-batch-id'))!, plain(await node.locator('[data-testid="lineage-node-mass"]').textContent()));
    return drawn;
  }

  beforeAll(async () => {
    buildWebApp();
    ledger = await LedgerHarness.start({ env: { LEDGER_CHECKPOINT_EVERY_EVENTS: '5', LEDGER_CHECKPOINT_EVERY_MS: '0' } });
    await ledger.app.listen(0, '127.0.0.1');
    baseUrl = await ledger.app.getUrl();
    scenario = await seedBatchScenario(ledger);
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await ledger?.close();
    if (screenshots.length) process.stdout.write(`browser screenshots:\n${screenshots.join('\n')}\n`);
  }, 60_000);

  it('given a pillow seen by its manufacturer, when its page is open, then the lineage graph draws the API’s lineage, opens and closes by keyboard and follows a batch on Enter', async () => {
    const { context, page, errors } = await newPage(browser, baseUrl, 'da-DK');
    const key = scenario.manufacturer.key;
    const upstream = await api<LineageAnswer>(`/batches/${scenario.pillow}/lineage?direction=upstream`, key);
    const downstream = await api<LineageAnswer>(`/batches/${scenario.pillow}/lineage?direction=downstream`, key);
    const massOf = async (batchId: string) => daTonnes((await api<{ massGrams: number }>(`/batches/${batchId}`, key)).massGrams);

    await signIn(page, key);
    await page.goto(`/#/batches/${scenario.pillow}`);
    await page.locator('[data-testid="lineage-node"]').first().waitFor();

    // Given: the API's lineage, three steps upstream, and downstream only the withheld brand's bags.
    expect(upstream.nodes.map((node) => node.batchId).sort()).toEqual([scenario.pillow, scenario.fibre, scenario.offcuts, scenario.sorted, ...scenario.collections].sort());
    expect(downstream.nodes.map((node) => node.batchId)).toEqual([scenario.pillow]);
    expect(downstream.withheld).toEqual({ batches: 1, edges: 1 });

    // Then: two steps each way are drawn, each batch with the mass the API gives it.
    const firstTwoSteps = upstream.nodes.filter((node) => node.depth <= 2).map((node) => node.batchId);
    let drawn = await drawnNodes(page);
    expect([...drawn.keys()].sort()).toEqual(firstTwoSteps.sort());
    for (const [batchId, mass] of drawn) expect(mass).toBe(await massOf(batchId));
    // Named by product or grade and holder, never by id.
    const fibreNode = page.locator(`[data-testid="lineage-node"][data-batch-id="${scenario.fibre}"]`);
    expect(await fibreNode.getAttribute('aria-label')).toBe(`${codeLabel('da', 'grade', 'fibre')}, ${await massOf(scenario.fibre)}, hos Pude & Taske ApS (1 trin opstrøms)`.replace(/\u00a0/g, ' '));
    expect(plain(await page.locator('[data-testid="lineage-graph"]').textContent())).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-/);
    // Each drawn link carries the grams the API says flowed along it.
    const labels = await page.locator('[data-testid="lineage-link-label"]').all();
    expect(labels).toHaveLength(upstream.edges.filter((edge) => drawn.has(edge.parentBatchId) && drawn.has(edge.childBatchId)).length);
    for (const label of labels) {
      const [from, to] = [await label.getAttribute('data-from'), await label.getAttribute('data-to')];
      const edge = upstream.edges.find((e) => e.parentBatchId === from && e.childBatchId === to)!;
      expect(plain(await label.textContent())).toContain(daTonnes(edge.grams));
    }
    // What the manufacturer may not see is a count, never an id.
    const withheld = page.locator('[data-testid="lineage-withheld"]');
    expect(await withheld.count()).toBe(1);
    expect(await withheld.getAttribute('data-side')).toBe('downstream');
    expect(plain(await withheld.textContent())).toContain('1 parti, 1 led tilbageholdt');
    expect(await page.content()).not.toContain(scenario.bags);
    expect(await textOf(page.locator('[data-testid="lineage-shown"]'))).toBe(`4 af ${upstream.nodes.length} partier vist.`);
    screenshots.push(await screenshot(page, 'batch'));
    expect(await seriousViolations(page)).toEqual([]);

    // When: the sorted batch's + is reached by Tab and pressed with Enter, its collections are drawn.
    await page.locator('main').focus();
    await tabUntil(page, (focused) => focused.text === '+');
    const toggle = page.locator(':focus');
    expect(await toggle.getAttribute('data-toggle')).toBe(scenario.sorted);
    expect(await toggle.getAttribute('aria-expanded')).toBe('false');
    await page.keyboard.press('Enter');
    await eventually(async () => expect((await drawnNodes(page)).size).toBe(upstream.nodes.length));
    drawn = await drawnNodes(page);
    for (const collection of scenario.collections) expect(drawn.get(collection)).toBe(await massOf(collection));
    expect(await page.locator(':focus').getAttribute('aria-expanded')).toBe('true');
    screenshots.push(await screenshot(page, 'batch-lineage'));
    expect(await seriousViolations(page)).toEqual([]);
    // And Enter again closes it: the focus stayed on the button.
    await page.keyboard.press('Enter');
    await eventually(async () => expect([...(await drawnNodes(page)).keys()].sort()).toEqual(firstTwoSteps.sort()));

    // When: Tab reaches the fibre and Enter follows it, then its own page opens.
    await tabUntil(page, (focused) => focused.text.startsWith(codeLabel('da', 'grade', 'fibre')));
    await page.keyboard.press('Enter');
    await eventually(async () => expect(page.url()).toContain(`#/batches/${scenario.fibre}`));
    await eventually(async () => expect(await textOf(page.locator('h1'))).toContain(codeLabel('da', 'grade', 'fibre')));
    await page.locator(`[data-testid="lineage-node"][data-side="root"][data-batch-id="${scenario.fibre}"]`).waitFor();
    expect(errors).toEqual([]);
    await context.close();
  }, 120_000);

  it('given the pillow’s history, when shown and then taken as of a moment before its dispatch, then the rows and the summary equal the API’s answers', async () => {
    const { context, page, errors } = await newPage(browser, baseUrl, 'da-DK');
    const key = scenario.manufacturer.key;
    const history = await api<HistoryAnswer>(`/batches/${scenario.pillow}/history`, key);
    const audited = await api<HistoryAnswer & { checkpoint: { treeSize: number } }>(`/audit/batches/${scenario.pillow}/history`, key);
    const asOf = copenhagenPickerValue(scenario.beforeDispatch);
    const asOfQuery = encodeURIComponent(scenario.beforeDispatch);
    const historyThen = await api<HistoryAnswer>(`/batches/${scenario.pillow}/history?asOf=${asOfQuery}`, key);
    const batchNow = await api<{ status: string; massGrams: number }>(`/batches/${scenario.pillow}`, key);
    const batchThen = await api<{ status: string; massGrams: number; custodianOrgId: string; asOf: { position: number } }>(`/batches/${scenario.pillow}?asOf=${asOfQuery}`, key);

    await signIn(page, key);
    await page.goto(`/#/batches/${scenario.pillow}`);
    await page.locator('[data-testid="history"] tbody tr').first().waitFor();

    // Every event, in order, with its hash; the audited history's events are the same ones.
    expect(audited.events.map((event) => event.hash)).toEqual(history.events.map((event) => event.hash));
    const rows = async () =>
      page.locator('[data-testid="history"] tbody tr').evaluateAll((trs) => trs.map((tr) => ({ position: Number(tr.getAttribute('data-position')), type: tr.getAttribute('data-event-type'), hash: tr.querySelector('[data-testid="event-hash"]')?.textContent })));
    expect(await rows()).toEqual(history.events.map((event) => ({ position: event.position, type: event.type, hash: event.hash })));
    expect(await textOf(page.locator('.history-checkpoint'))).toContain(String(audited.checkpoint.treeSize));

    // The correction links to what it corrects, within the page, and following it focuses that row.
    const correction = history.events.find((event) => event.type === 'BatchMassCorrected')!;
    const corrected = history.events.find((event) => event.eventId === correction.corrects)!;
    expect(corrected.type).toBe('BatchProduced');
    const link = page.locator(`tr[data-position="${correction.position}"] a.history-link`);
    expect(await textOf(link)).toBe(`retter hændelse ${corrected.position}`);
    await link.focus();
    await page.keyboard.press('Enter');
    await eventually(async () => expect(await page.locator(':focus').getAttribute('data-position')).toBe(String(corrected.position)));
    expect(page.url()).toContain(`#/batches/${scenario.pillow}`);
    expect(await textOf(page.locator(`tr[data-position="${corrected.position}"] a.history-link`))).toBe(`rettet af hændelse ${correction.position}`);

    // Given: now the pillow is consumed by the brand's process.
    expect(batchNow.status).toBe('consumed');
    expect(batchThen.status).toBe('available');
    expect(historyThen.events.length).toBeLessThan(history.events.length);

    // When: the as-of picker is set, by keyboard, to a moment before the dispatch.
    await page.locator('#as-of').focus();
    await page.locator('#as-of').fill(asOf);
    await page.keyboard.press('Enter');

    // Then: the summary and history are the API's as-of answers.
    await eventually(async () => expect(await page.locator('[data-testid="history"] tbody tr').count()).toBe(historyThen.events.length), 60_000);
    expect(await rows()).toEqual(historyThen.events.map((event) => ({ position: event.position, type: event.type, hash: event.hash })));
    const summary = plain(await page.locator('[data-testid="batch-summary"]').textContent());
    expect(summary).toContain(codeLabel('da', 'status', batchThen.status));
    expect(summary).toContain(daTonnes(batchThen.massGrams));
    expect(summary).toContain('Pude & Taske ApS');
    expect(summary).not.toContain('Mærkevare A/S');
    expect(await textOf(page.locator('[data-testid="as-of-status"]'))).toContain(`logposition ${batchThen.asOf.position}`);
    expect(await seriousViolations(page)).toEqual([]);

    // And "Now" goes back to the ledger as it is.
    await page.locator('[data-testid="as-of-now"]').click();
    await eventually(async () => expect(await page.locator('[data-testid="history"] tbody tr').count()).toBe(history.events.length));
    expect(plain(await page.locator('[data-testid="batch-summary"]').textContent())).toContain(codeLabel('da', 'status', batchNow.status));
    expect(errors).toEqual([]);
    await context.close();
  }, 150_000);

  it('given the pillow’s provenance, when its page is open, then the post-, pre-consumer, virgin and recycled figures and the kommuner equal the API’s', async () => {
    const { context, page, errors } = await newPage(browser, baseUrl, 'da-DK');
    const key = scenario.manufacturer.key;
    const provenance = await api<{ massGrams: number; postConsumerGrams: number; preConsumerGrams: number; virginGrams: number; untrackedGrams: number; recycledContentBasisPoints: number; byKommune: { kommuneCode: string; grams: number }[] }>(
      `/batches/${scenario.pillow}/provenance`,
      key,
    );
    await signIn(page, key);
    await page.goto(`/#/batches/${scenario.pillow}`);
    await page.locator('[data-testid="provenance-kinds"]').waitFor();

    expect(provenance.preConsumerGrams).toBeGreaterThan(0);
    expect(provenance.postConsumerGrams).toBeGreaterThan(0);
    const share = (grams: number) => daPercent(grams / provenance.massGrams);
    const kinds = await page.locator('[data-testid="provenance-kinds"] tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('th, td')].map((cell) => cell.textContent ?? '')));
    expect(kinds.map((row) => row.map(plain))).toEqual([
      ['Post-forbruger', daTonnes(provenance.postConsumerGrams), share(provenance.postConsumerGrams)],
      ['Præ-forbruger', daTonnes(provenance.preConsumerGrams), share(provenance.preConsumerGrams)],
      ['Jomfrueligt', daTonnes(provenance.virginGrams), share(provenance.virginGrams)],
      ['Ikke sporet', daTonnes(provenance.untrackedGrams), share(provenance.untrackedGrams)],
      ['Genanvendt indhold', daTonnes(provenance.postConsumerGrams + provenance.preConsumerGrams), daPercent(provenance.recycledContentBasisPoints / 10_000)],
    ]);
    expect(await textOf(page.locator('[data-testid="recycled-content"]'))).toBe(daPercent(provenance.recycledContentBasisPoints / 10_000));
    expect(await textOf(page.locator('[data-testid="recycled-tonnes"]'))).toBe(daTonnes(provenance.postConsumerGrams + provenance.preConsumerGrams));
    const kommuneRows = (await page.locator('[data-testid="provenance-by-kommune"] tbody tr').allTextContents()).map(plain);
    expect(kommuneRows).toEqual(provenance.byKommune.map((row) => `${kommuneLabel(row.kommuneCode)} (${row.kommuneCode})${daTonnes(row.grams)}${share(row.grams)}`));
    expect(errors).toEqual([]);
    await context.close();
  }, 90_000);
});
