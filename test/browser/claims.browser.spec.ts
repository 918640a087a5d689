import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { verifyAuditBundle } from '../../apps/ledger-cli/src/audit/verify-audit-bundle.js';
import { LedgerHarness, type RegisteredOrganisation } from '../fixtures/ledger-harness.js';
import { buildWebApp, eventually, launchChromium, newPage, plain, screenshot, seriousViolations, textOf } from './browser-session.js';

const COTTON_POLY = [
  { fibre: 'cotton', share: 6_000 },
  { fibre: 'polyester', share: 4_000 },
];

type Json = Record<string, unknown>;

async function ok(response: Promise<{ status: number; body: Json }>, status: number): Promise<Json> {
  const answer = await response;
  if (answer.status !== status) throw new Error(`expected ${status}, got ${answer.status}: ${JSON.stringify(answer.body)}`);
  return answer.body;
}

/**
 * Recycled-content claims in the web application (decisions 044, 045): the batch's owner makes a
 * claim on the batch page and sees it listed, a claim the ledger refuses is explained in words, the
 * certificate downloads from the list and verifies on the audit page (a tampered one fails, as the
 * CLI says), and the organisation page shows the mass-balance account the claim debited.
 */
describe('claims and their certificates in the browser', () => {
  let ledger: LedgerHarness;
  let browser: Browser;
  let baseUrl: string;
  let recycler: RegisteredOrganisation;
  let auditor: RegisteredOrganisation;
  /** 100 kg of fibre: 60 kg collected in Herning, 40 kg virgin polyester. */
  let fibre: string;

  beforeAll(async () => {
    buildWebApp();
    ledger = await LedgerHarness.start({ env: { LEDGER_CHECKPOINT_EVERY_EVENTS: '5', LEDGER_CHECKPOINT_EVERY_MS: '0' } });
    await ledger.app.listen(0, '127.0.0.1');
    baseUrl = await ledger.app.getUrl();
    recycler = await ledger.registerOrganisation('Fibre Loop ApS', ['recycler', 'collector']);
    auditor = await ledger.registerOrganisation('Revisionsfirmaet A/S', ['auditor']);
    const herning = await ledger.registerOrganisation('Herning Kommune', ['municipality'], '0657');
    await ledger.authoriseCollector(herning, recycler.id);
    const collected = await ok(ledger.post('/batches/collections', { kommuneCode: '0657', collectionScheme: 'kerbside', ewcCode: '20 01 11', massGrams: 60_000 }, recycler.key), 201);
    const processed = await ok(
      ledger.post(
        '/processes',
        {
          processType: 'mechanical-recycling',
          inputs: [{ batchId: collected.batchId }],
          externalInputs: [{ description: 'virgin polyester', massGrams: 40_000, composition: [{ fibre: 'polyester', share: 10_000 }], originClass: 'virgin' }],
          outputs: [{ massGrams: 100_000, grade: 'fibre', composition: COTTON_POLY }],
        },
        recycler.key,
      ),
      201,
    );
    fibre = (processed.outputBatchIds as string[])[0]!;
    browser = await launchChromium();
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await ledger?.close();
  }, 60_000);

  async function signIn(key: string, locale: 'da-DK' | 'en-GB'): Promise<{ page: Page; errors: string[]; close: () => Promise<void> }> {
    const { context, page, errors } = await newPage(browser, baseUrl, locale);
    await page.goto('/');
    await page.locator('#api-key').waitFor({ timeout: 10_000 }).catch(async () => {
      throw new Error(`no sign-in form: ${plain(await page.locator('body').textContent())} ${errors.join(' | ')}`);
    });
    await page.locator('#api-key').fill(key);
    await page.keyboard.press('Enter');
    await page.locator('nav').waitFor();
    return { page, errors, close: () => context.close() };
  }

  async function claimOnPage(page: Page, standard: string, model: string, share: string): Promise<{ outcome: string; code: string | null; text: string }> {
    const status = page.getByTestId('claim-status');
    await page.locator('#claim-standard').selectOption(standard);
    await page.locator('#claim-model').selectOption(model);
    await page.locator('#claim-share').fill(share);
    const before = (await status.textContent()) ?? '';
    await page.getByTestId('claim-form').locator('button[type="submit"]').click();
    await eventually(async () => expect(plain(await status.textContent())).not.toBe(plain(before)));
    return { outcome: (await status.getAttribute('data-outcome')) ?? '', code: await status.getAttribute('data-code'), text: plain(await status.textContent()) };
  }

  const claimRows = (page: Page) => page.getByTestId('claims-table').locator('tbody tr');

  it('given the batch’s owner, when it claims on the batch page, then a refused claim says why in words and accepted claims are listed with their certificates, which verify on the audit page', async () => {
    const { page, errors, close } = await signIn(recycler.key, 'en-GB');
    await page.goto(`/#/batches/${fibre}`);
    expect(await textOf(page.getByTestId('claims-none'))).toBe('No claims on this batch yet.');

    // 70 % of a batch that holds 60 % recycled: refused, in words, and nothing listed.
    const refused = await claimOnPage(page, 'grs-label', 'segregated', '70');
    expect(refused).toEqual({ outcome: 'refused', code: 'exceeds-batch-recycled-content', text: 'The ledger refused the claim: it is more than the batch’s own recycled content, which a physical model may not exceed.' });
    const belowStandard = await claimOnPage(page, 'grs-label', 'segregated', '40');
    expect(belowStandard.code).toBe('below-standard-threshold');
    expect(await page.getByTestId('claims-none').count()).toBe(1);

    // 60 % segregated under the GRS label, then 30 % mass balance under GRS: both listed.
    expect((await claimOnPage(page, 'grs-label', 'segregated', '60')).outcome).toBe('recorded');
    await eventually(async () => expect(await claimRows(page).count()).toBe(1));
    expect((await claimOnPage(page, 'grs', 'mass-balance', '30')).outcome).toBe('recorded');
    await eventually(async () => expect(await claimRows(page).count()).toBe(2));
    const segregated = claimRows(page).first();
    expect(await segregated.getAttribute('data-basis-points')).toBe('6000');
    expect(plain(await segregated.textContent())).toContain('GRS product label');
    expect(plain(await segregated.textContent())).toContain('Segregated');
    expect(plain(await claimRows(page).nth(1).textContent())).toContain('Mass balance');
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'batch-claims');

    // The certificate of the segregated claim, as downloaded, verifies with the CLI.
    const download = page.waitForEvent('download');
    await segregated.locator('button[data-download]').click();
    const file = await download;
    const claimId = (await segregated.getAttribute('data-claim-id'))!;
    expect(file.suggestedFilename()).toBe(`claim-certificate-${claimId}.json`);
    const certificate = readFileSync(await file.path(), 'utf8');
    const cli = await verifyAuditBundle(certificate);
    expect(cli.failures).toEqual([]);

    // The organisation page shows the mass-balance account the second claim debited.
    await page.goto(`/#/organisations/${recycler.id}`);
    const account = page.getByTestId('mass-balance-account');
    await account.waitFor();
    expect(await account.getAttribute('data-balance-grams')).toBe('30000');
    expect(await account.locator('tbody tr[data-kind="credit"]').count()).toBe(1);
    expect(await account.locator('tbody tr[data-kind="debit"]').count()).toBe(1);
    // Chromium logs the two refusals' 422 answers itself; the page logged nothing.
    expect(errors.filter((error) => !/status of 422/.test(error))).toEqual([]);
    await close();

    // On the audit page an auditor checks the certificate in the browser; one byte changed fails
    // with the CLI's own first failure.
    const audit = await signIn(auditor.key, 'da-DK');
    await audit.page.goto('/#/audit');
    await audit.page.locator('section[data-verifier="ready"]').waitFor();
    const requests: string[] = [];
    audit.page.on('request', (request) => requests.push(request.url()));
    const choose = async (name: string, text: string) => {
      await audit.page.locator('#evidence-file').setInputFiles({ name, mimeType: 'application/json', buffer: Buffer.from(text, 'utf8') });
      const verdict = audit.page.getByTestId('evidence-verdict');
      await eventually(async () => {
        expect(await verdict.getAttribute('data-verdict')).not.toBe('verifying');
        expect(plain(await verdict.textContent())).toContain(name);
      }, 30_000);
      return verdict.getAttribute('data-verdict');
    };
    expect(await choose('certificate.json', certificate)).toBe('verified');
    expect(await audit.page.getByTestId('evidence-kind').getAttribute('data-kind')).toBe('claim-certificate');
    expect(await audit.page.getByTestId('certificate-claim').getAttribute('data-basis-points')).toBe('6000');
    expect(await audit.page.getByTestId('certificate-provenance').getAttribute('data-basis-points')).toBe('6000');
    expect(await textOf(audit.page.getByTestId('certificate-claim'))).toContain('GRS-produktmærke');

    const at = certificate.indexOf('"recycledContentBasisPoints":6000') + '"recycledContentBasisPoints":'.length;
    const tampered = `${certificate.slice(0, at)}7${certificate.slice(at + 1)}`;
    const tamperedReport = await verifyAuditBundle(tampered);
    expect(await choose('tampered.json', tampered)).toBe('failed');
    expect(await textOf(audit.page.getByTestId('evidence-first-failure'))).toBe(tamperedReport.failures[0]);
    expect(requests).toEqual([]);
    expect(await seriousViolations(audit.page)).toEqual([]);
    await screenshot(audit.page, 'audit-verify-certificate');
    expect(audit.errors).toEqual([]);
    await audit.close();
  }, 180_000);

  it('given a Danish reader who may not claim, when the batch page shows, then the claims are listed in Danish with no form', async () => {
    const { page, errors, close } = await signIn(auditor.key, 'da-DK');
    await page.goto(`/#/batches/${fibre}`);
    await eventually(async () => expect(await claimRows(page).count()).toBe(2));
    expect(plain(await claimRows(page).first().textContent())).toContain('Adskilt');
    expect(plain(await claimRows(page).nth(1).textContent())).toContain('Massebalance');
    expect(await page.getByTestId('claim-form').count()).toBe(0);
    expect(errors).toEqual([]);
    await close();
  }, 60_000);
});
