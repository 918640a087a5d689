import type { Browser, Page } from 'playwright-core';
import { canonicalJson, loadOrCreateAuditKey, supportsCheckpoints, type CheckpointLog, type EventStore } from '#event-store';
import { exportAuditBundle } from '../../apps/ledger-cli/src/audit/export-audit-bundle.js';
import { verifyAuditBundle, type BundleReport } from '../../apps/ledger-cli/src/audit/verify-audit-bundle.js';
import { LedgerHarness } from '../fixtures/ledger-harness.js';
import { buildWebApp, eventually, launchChromium, newPage, plain, screenshot, seriousViolations, tabUntil, textOf } from './browser-session.js';
import { PLANTED_HTML, TAMPERINGS } from './evidence-tamperings.js';
import { seedWebScenario, type WebScenario } from './web-scenario.js';

interface PageVerdict {
  readonly verdict: string;
  readonly firstFailure: string | null;
  readonly counts: { streams: number; events: number; proofs: number; checkpoints: number };
}

/**
 * The audit page's evidence verifier in a real browser (decision 031): a bundle exported from a
 * seeded ledger, untampered and tampered in each way an auditor should catch, dropped on the page
 * or chosen with the file input, gets the same verdict and the same first failure as the CLI's
 * `ledger audit verify` on the same bytes, with no network request while it is checked.
 */
describe('verifying an evidence bundle in the browser', () => {
  let ledger: LedgerHarness;
  let browser: Browser;
  let baseUrl: string;
  let scenario: WebScenario;
  let bundleText: string;

  beforeAll(async () => {
    buildWebApp();
    ledger = await LedgerHarness.start({ env: { LEDGER_CHECKPOINT_EVERY_EVENTS: '5', LEDGER_CHECKPOINT_EVERY_MS: '0' } });
    await ledger.app.listen(0, '127.0.0.1');
    baseUrl = await ledger.app.getUrl();
    scenario = await seedWebScenario(ledger);
    const store = ledger.store as EventStore & CheckpointLog;
    if (!supportsCheckpoints(store)) throw new Error('the suite’s store keeps no checkpoints');
    const { key } = loadOrCreateAuditKey(ledger.config.audit.keyFile);
    // The recycling grade of the sorting, with its upstream: two collections, a process, outcomes.
    bundleText = canonicalJson(await exportAuditBundle(store, { batchId: scenario.sorted.recycling, upstream: true, key, origin: ledger.config.audit.origin, now: new Date() }));
    browser = await launchChromium();
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await ledger?.close();
  }, 60_000);

  async function openAuditPage(locale: 'da-DK' | 'en-GB'): Promise<{ page: Page; errors: string[]; requests: string[]; close: () => Promise<void> }> {
    const { context, page, errors } = await newPage(browser, baseUrl, locale);
    await page.goto('/');
    await page.locator('#api-key').fill(scenario.auditor.key);
    await page.keyboard.press('Enter');
    await page.locator('nav').waitFor();
    await page.goto('/#/audit');
    // The verifier's code is fetched when the section shows, before any file is chosen.
    await page.locator('section[data-verifier="ready"]').waitFor();
    const requests: string[] = [];
    page.on('request', (request) => requests.push(`${request.method()} ${request.url()}`));
    return { page, errors, requests, close: () => context.close() };
  }

  async function verdictOnPage(page: Page, file: string): Promise<PageVerdict> {
    const verdict = page.locator('[data-testid="evidence-verdict"]');
    await eventually(async () => {
      expect(await verdict.getAttribute('data-verdict')).not.toBe('verifying');
      expect(plain(await verdict.textContent())).toContain(file);
    }, 30_000);
    const failure = page.locator('[data-testid="evidence-first-failure"]');
    const counts = page.locator('[data-testid="evidence-counts"]');
    const count = async (name: string): Promise<number> => Number(await counts.getAttribute(`data-${name}`));
    return {
      verdict: (await verdict.getAttribute('data-verdict')) ?? '',
      firstFailure: (await failure.count()) > 0 ? await failure.textContent() : null,
      counts: { streams: await count('streams'), events: await count('events'), proofs: await count('proofs'), checkpoints: await count('checkpoints') },
    };
  }

  async function choose(page: Page, file: string, text: string): Promise<PageVerdict> {
    await page.locator('#evidence-file').setInputFiles({ name: file, mimeType: 'application/json', buffer: Buffer.from(text, 'utf8') });
    return verdictOnPage(page, file);
  }

  async function drop(page: Page, file: string, text: string): Promise<PageVerdict> {
    const dataTransfer = await page.evaluateHandle(
      ({ name, content }) => {
        // Runs in the page: the browser's own DataTransfer and File, as a real drag brings them.
        const scope = globalThis as unknown as {
          DataTransfer: new () => { items: { add(file: object): void } };
          File: new (parts: string[], name: string, options: { type: string }) => object;
        };
        const transfer = new scope.DataTransfer();
        transfer.items.add(new scope.File([content], name, { type: 'application/json' }));
        return transfer;
      },
      { name: file, content: text },
    );
    await page.dispatchEvent('[data-testid="evidence-drop-zone"]', 'dragover', { dataTransfer });
    await page.dispatchEvent('[data-testid="evidence-drop-zone"]', 'drop', { dataTransfer });
    return verdictOnPage(page, file);
  }

  const expected = (report: BundleReport): PageVerdict => ({
    verdict: report.ok ? 'verified' : 'failed',
    firstFailure: report.failures[0] ?? null,
    counts: { streams: report.streams, events: report.events, proofs: report.proofs, checkpoints: report.checkpoints },
  });

  it('given the untampered bundle, when it is dropped on the page and chosen by keyboard, then it verifies as in the CLI, with no request, no serious axe violation', async () => {
    const cli = await verifyAuditBundle(bundleText);
    expect(cli.ok).toBe(true);
    const { page, errors, requests, close } = await openAuditPage('en-GB');

    // Dropped on the zone.
    expect(await drop(page, 'recycling.bundle.json', bundleText)).toEqual(expected(cli));
    expect(await textOf(page.locator('[data-testid="evidence-subject"]'))).toBe(`${scenario.sorted.recycling} (with its upstream)`);
    expect(await page.locator('[data-testid="evidence-checks"] li').count()).toBe(cli.checks.length);
    expect(await page.locator('[data-testid="evidence-checks"] li.check-failed').count()).toBe(0);

    // Chosen with the keyboard alone: Tab reaches the file input, Space opens the chooser.
    await page.locator('#evidence-heading').click();
    await tabUntil(page, (focused) => focused.id === 'evidence-file');
    const [chooser] = await Promise.all([page.waitForEvent('filechooser'), page.keyboard.press('Space')]);
    await chooser.setFiles({ name: 'chosen.bundle.json', mimeType: 'application/json', buffer: Buffer.from(bundleText, 'utf8') });
    expect(await verdictOnPage(page, 'chosen.bundle.json')).toEqual(expected(cli));

    expect(requests).toEqual([]);
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'audit-verify');
    expect(errors).toEqual([]);
    await close();
  }, 120_000);

  it('given each tampering, when the bundle is checked on the page, then the verdict and the first failure are the CLI’s, word for word', async () => {
    const { page, errors, requests, close } = await openAuditPage('da-DK');
    const seen: Array<[string, PageVerdict, PageVerdict]> = [];
    for (const [index, tampering] of TAMPERINGS.entries()) {
      const text = tampering.apply(bundleText);
      const cli = await verifyAuditBundle(text);
      expect([tampering.name, cli.ok, cli.failures[0]?.split(':')[0]]).toEqual([tampering.name, false, tampering.firstFailure]);
      const file = `tampered-${index}.json`;
      const onPage = index % 2 === 0 ? await choose(page, file, text) : await drop(page, file, text);
      seen.push([tampering.name, onPage, expected(cli)]);
    }
    for (const [name, onPage, fromCli] of seen) expect([name, onPage]).toEqual([name, fromCli]);
    expect(requests).toEqual([]);
    // A failed verdict is as accessible as a verified one (Danish labels, the CLI's English failure marked lang="en").
    expect(await seriousViolations(page)).toEqual([]);
    expect(errors).toEqual([]);
    await close();
  }, 180_000);

  it('given a bundle whose subject is an HTML payload, when it is checked, then the payload shows as text and runs nothing', async () => {
    const { page, errors, close } = await openAuditPage('en-GB');
    const planted = TAMPERINGS.find((t) => t.name === 'HTML planted in the subject')!.apply(bundleText);
    const result = await choose(page, 'planted.json', planted);
    expect(result.verdict).toBe('failed');
    expect(await textOf(page.locator('[data-testid="evidence-subject"]'))).toBe(`${PLANTED_HTML} (with its upstream)`);
    expect(await textOf(page.locator('[data-testid="evidence-checks"] li[data-check="subject"]'))).toBe(`failed subject: the bundle holds the stream of batch ${PLANTED_HTML}`);
    expect(await page.locator('#evidence-result img').count()).toBe(0);
    expect(await page.evaluate(() => (globalThis as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(errors).toEqual([]);
    await close();
  }, 60_000);
});
