import type { Browser } from 'playwright-core';
import { LedgerHarness } from '../fixtures/ledger-harness.js';
import { buildWebApp, eventually, launchChromium, newPage, plain, screenshot, seriousViolations, tabUntil, textOf } from './browser-session.js';

/**
 * The emission factors page in a real browser against a real ledger (decision 042): reached from the
 * header by keyboard, every set and factor is the API's text (Danish decimal mark, unknown as
 * "ukendt", never 0), the set in force today is marked, and the operator publishes a set by keyboard.
 */
interface FactorSet {
  factorSetId: string;
  validFrom: string;
  factors: { route: string; kgCo2eAvoidedPerKg: string | null; baseline: string; source: string; note: string }[];
}
interface FactorSetList {
  sets: FactorSet[];
  inForceToday: string | null;
}

describe('the emission factors page in a browser', () => {
  let ledger: LedgerHarness;
  let browser: Browser;
  let baseUrl: string;

  beforeAll(async () => {
    buildWebApp();
    ledger = await LedgerHarness.start();
    await ledger.app.listen(0, '127.0.0.1');
    baseUrl = await ledger.app.getUrl();
    browser = await launchChromium();
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await ledger?.close();
  }, 60_000);

  async function expectPageEqualsApi(page: import('playwright-core').Page): Promise<FactorSetList> {
    const list = (await ledger.get('/emission-factors')).body as unknown as FactorSetList;
    await eventually(async () => expect(await page.locator('section[data-factor-set]').count()).toBe(list.sets.length));
    for (const set of list.sets) {
      const section = page.locator(`section[data-factor-set="${set.factorSetId}"]`);
      expect(plain(await section.locator('h2').textContent())).toContain(`${set.factorSetId} — gælder fra ${set.validFrom}`);
      for (const factor of set.factors) {
        const row = section.locator(`tr[data-route="${factor.route}"]`);
        const cell = row.locator('td[data-factor]');
        expect(await cell.getAttribute('data-factor')).toBe(factor.kgCo2eAvoidedPerKg ?? '');
        expect(await textOf(cell)).toBe(factor.kgCo2eAvoidedPerKg === null ? 'ukendt' : factor.kgCo2eAvoidedPerKg.replace('.', ','));
        expect(plain(await row.locator('td').nth(2).textContent())).toBe(factor.source);
      }
    }
    expect(await textOf(page.locator('[data-testid="factor-set-in-force"]'))).toBe(`Gælder i dag: ${list.inForceToday ?? ''}`);
    return list;
  }

  it('given the seed sets, when the operator opens the page by keyboard and publishes a set, then every figure equals the API', async () => {
    const { page, errors } = await newPage(browser, baseUrl, 'da-DK');
    await page.goto('/');
    await page.locator('#api-key').fill(ledger.operatorKey);
    await page.keyboard.press('Enter');
    await page.locator('nav').first().waitFor();
    await tabUntil(page, (focused) => focused.text === 'Emissionsfaktorer');
    await page.keyboard.press('Enter');
    await page.locator('section[data-factor-set]').first().waitFor();
    expect(page.url()).toContain('#/emission-factors');

    const seeded = await expectPageEqualsApi(page);
    expect(seeded.sets.map((s) => s.factorSetId)).toEqual(['herning-2022', 'jie-2015']);
    expect(await textOf(page.locator('section[data-factor-set="herning-2022"] tr[data-route="reuse"] td[data-factor]'))).toBe('ukendt');
    expect(await page.locator('section.in-force').getAttribute('data-factor-set')).toBe('herning-2022');
    expect(await seriousViolations(page)).toEqual([]);

    // The operator's form, by keyboard only: a Danish comma is sent as the decimal string "2.5".
    await page.locator('#factor-set-id').focus();
    await page.keyboard.type('browser-2026');
    await page.keyboard.press('Tab');
    await page.keyboard.type('01012026');
    for (const [id, text] of [['#factor-recycling', '2,5'], ['#factor-recycling-source', 'Browser test source'], ['#factor-reuse-source', 'ikke angivet']] as const) {
      await page.locator(id).focus();
      await page.keyboard.type(text);
    }
    await page.keyboard.press('Enter');
    await eventually(async () => expect(await textOf(page.locator('[data-testid="factor-form-status"]'))).toBe('browser-2026 er offentliggjort.'));

    const published = (await ledger.get('/emission-factors/browser-2026')).body as unknown as FactorSet;
    expect(published.validFrom).toBe('2026-01-01');
    expect(published.factors.map((f) => f.kgCo2eAvoidedPerKg)).toEqual(['2.5', null]);
    await expectPageEqualsApi(page);

    await screenshot(page, 'emission-factors');
    expect(await seriousViolations(page)).toEqual([]);
    expect(errors).toEqual([]);
  }, 120_000);
});
