import type { Browser, Page } from 'playwright-core';
import { LedgerHarness } from '../fixtures/ledger-harness.js';
import { buildWebApp, eventually, launchChromium, newPage, plain, screenshot, seriousViolations, tabUntil, textOf } from './browser-session.js';
import { startOidcProvider, type OidcProvider } from './oidc-provider.js';
import { seedWebScenario, type WebScenario } from './web-scenario.js';

/**
 * "Sign in with …" in a real browser (decision 035): the authorization code flow with PKCE against
 * a real (in-test) OpenID provider, the access token verified by the ledger against the provider's
 * key set, kept in this tab's sessionStorage only, sent as the bearer on every read, refused when
 * the provider's answer carries another state, gone on sign-out and on expiry.
 */
const AUDIENCE = 'textile-ledger';
const CLIENT_ID = 'ledger-web';
const PROVIDER = 'Test ID';

interface Stored {
  readonly session: Record<string, string>;
  readonly local: Record<string, string>;
}

async function storage(page: Page): Promise<Stored> {
  return page.evaluate(() => {
    const all = (store: { length: number; key(index: number): string | null; getItem(key: string): string | null }): Record<string, string> =>
      Object.fromEntries(Array.from({ length: store.length }, (_, index) => store.key(index) ?? '').map((key) => [key, store.getItem(key) ?? '']));
    const browser = globalThis as unknown as { sessionStorage: Parameters<typeof all>[0]; localStorage: Parameters<typeof all>[0] };
    return { session: all(browser.sessionStorage), local: all(browser.localStorage) };
  });
}

describe('OIDC sign-in in the browser', () => {
  let provider: OidcProvider;
  let ledger: LedgerHarness;
  let browser: Browser;
  let baseUrl: string;
  let scenario: WebScenario;
  const screenshots: string[] = [];

  beforeAll(async () => {
    buildWebApp();
    provider = await startOidcProvider({ audience: AUDIENCE });
    ledger = await LedgerHarness.start({
      env: {
        LEDGER_OIDC_ISSUER: provider.issuer,
        LEDGER_OIDC_AUDIENCE: AUDIENCE,
        LEDGER_OIDC_JWKS_URL: provider.jwksUrl,
        LEDGER_OIDC_WEB_CLIENT_ID: CLIENT_ID,
        LEDGER_OIDC_WEB_AUTHORIZATION_ENDPOINT: provider.authorizationEndpoint,
        LEDGER_OIDC_WEB_TOKEN_ENDPOINT: provider.tokenEndpoint,
        LEDGER_OIDC_WEB_SCOPES: 'openid profile',
        LEDGER_OIDC_WEB_PROVIDER_NAME: PROVIDER,
      },
    });
    await ledger.app.listen(0, '127.0.0.1');
    baseUrl = (await ledger.app.getUrl()).replace('localhost', '127.0.0.1');
    provider.registerClient(CLIENT_ID, `${baseUrl}/`);
    scenario = await seedWebScenario(ledger);
    browser = await launchChromium();
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await ledger?.close();
    await provider?.close();
    if (screenshots.length) process.stdout.write(`browser screenshots:\n${screenshots.join('\n')}\n`);
  }, 60_000);

  it('given a provider, when a keyboard-only user signs in with it, then the pages read the ledger with the token, which lives in sessionStorage only and leaves on sign-out', async () => {
    provider.signInAs({ subject: 'herning-clerk', organisationId: scenario.municipality.id });
    const { context, page, errors } = await newPage(browser, baseUrl, 'en-GB');
    const pageLoad = await page.goto('/');
    // The CSP lets the page reach the provider's token endpoint, and nothing else beyond its origin.
    expect(pageLoad?.headers()['content-security-policy']).toContain(`connect-src 'self' ${provider.issuer};`);
    const button = page.getByRole('button', { name: `Sign in with ${PROVIDER}` });
    await button.waitFor();
    expect(await textOf(page.locator('h1'))).toBe('Sign in');
    screenshots.push(await screenshot(page, 'sign-in-oidc'));
    expect(await seriousViolations(page)).toEqual([]);

    // When: Tab to the provider's button and press Enter; the provider sends the browser straight back.
    await page.locator('body').focus();
    await tabUntil(page, (focused) => focused.text === `Sign in with ${PROVIDER}`);
    await page.keyboard.press('Enter');
    await page.locator('nav').waitFor({ timeout: 15_000 });

    // Then: one exchange, its access token kept for this tab only, the code gone from the address.
    expect(provider.tokenRequests).toEqual([{ status: 200 }]);
    const token = provider.accessTokens.at(-1)!;
    const stored = await storage(page);
    expect(stored.session['ledger.accessToken']).toBe(token);
    expect(Number(stored.session['ledger.accessTokenExpiresAt'])).toBeGreaterThan(Date.now());
    expect(Object.keys(stored.session).sort()).toEqual(['ledger.accessToken', 'ledger.accessTokenExpiresAt']);
    expect(JSON.stringify(stored.local)).not.toContain(token);
    expect(new URL(page.url()).search).toBe('');

    // The batches page reads with the token: the same batches the API lists for it.
    await tabUntil(page, (focused) => focused.text === 'Batches');
    await page.keyboard.press('Enter');
    await page.locator('[data-testid="batch-list"] a').first().waitFor();
    const listed = await ledger.request<{ items: { batchId: string }[] }>('GET', '/batches?limit=100', { key: token });
    expect(listed.status).toBe(200);
    const links = await page.locator('[data-testid="batch-list"] a').evaluateAll((anchors) => anchors.map((anchor) => anchor.getAttribute('href')));
    expect(links).toEqual(listed.body.items.map((batch) => `#/batches/${batch.batchId}`));
    expect(links.length).toBeGreaterThan(0);
    // The municipality overview too, with the kommune's figures.
    await page.goto(`/#/municipality/${scenario.kommuneCode}/${scenario.year}`);
    await page.locator('[data-testid="collected-total"]').waitFor();
    const report = await ledger.request<{ collected: { grams: number } }>('GET', `/reports/municipal/${scenario.kommuneCode}/${scenario.year}`, { key: token });
    expect(report.body.collected.grams).toBe(2_000_000);
    // English page: en-GB's number format, written out here independently of the application's.
    expect(await textOf(page.locator('[data-testid="collected-total"]'))).toBe(`${plain(new Intl.NumberFormat('en-GB', { minimumFractionDigits: 1, maximumFractionDigits: 3 }).format(report.body.collected.grams / 1_000_000))} t`);
    expect(await seriousViolations(page)).toEqual([]);

    // Sign-out forgets the token.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.locator('#api-key').waitFor();
    expect((await storage(page)).session).toEqual({});
    expect(errors).toEqual([]);
    await context.close();
  }, 90_000);

  it('given the provider’s answer carries another state, when the browser comes back, then the sign-in is refused with a message and no code is exchanged', async () => {
    provider.signInAs({ subject: 'herning-clerk', organisationId: scenario.municipality.id });
    const { context, page, errors } = await newPage(browser, baseUrl, 'en-GB');
    await page.goto('/');
    const exchanges = provider.tokenRequests.length;
    provider.tamperNextState('a-state-this-tab-never-sent');
    await page.getByRole('button', { name: `Sign in with ${PROVIDER}` }).click();

    await eventually(async () => expect(await textOf(page.locator('#sign-in-notice'))).toBe('The answer from the sign-in did not belong to this browser tab and was refused. Please sign in again.'));
    expect(provider.tokenRequests.length).toBe(exchanges);
    expect((await storage(page)).session).toEqual({});
    expect(new URL(page.url()).search).toBe('');
    expect(await page.locator('nav').count()).toBe(0);
    expect(await seriousViolations(page)).toEqual([]);

    // A return nobody started in this tab (a link planted with someone else's code) is refused too.
    await page.goto('/?code=planted-code&state=planted-state');
    await eventually(async () => expect(await textOf(page.locator('#sign-in-notice'))).toBe('This sign-in was not started in this browser tab. Please sign in again.'));
    expect(provider.tokenRequests.length).toBe(exchanges);
    expect((await storage(page)).session).toEqual({});
    expect(errors).toEqual([]);
    await context.close();
  }, 60_000);

  it('given a short-lived access token, when it expires, then the tab is back at sign-in with a message and the token is gone', async () => {
    provider.signInAs({ subject: 'herning-clerk', organisationId: scenario.municipality.id }, 3);
    const { context, page, errors } = await newPage(browser, baseUrl, 'da-DK');
    await page.goto('/');
    await page.getByRole('button', { name: `Log ind med ${PROVIDER}` }).click();
    await page.locator('nav').waitFor({ timeout: 15_000 });
    expect((await storage(page)).session['ledger.accessToken']).toBe(provider.accessTokens.at(-1));

    await eventually(async () => expect(await textOf(page.locator('#sign-in-notice'))).toBe('Dit log ind er udløbet. Log ind igen.'), 15_000);
    expect(await page.locator('nav').count()).toBe(0);
    expect((await storage(page)).session).toEqual({});
    expect(errors).toEqual([]);
    await context.close();
  }, 60_000);

  it('given a token for an organisation the ledger does not know, when the browser comes back, then the ledger’s refusal is shown and nothing is kept', async () => {
    provider.signInAs({ subject: 'stranger', organisationId: '0190a0f4-0000-7000-8000-000000000000' });
    const { context, page, errors } = await newPage(browser, baseUrl, 'en-GB');
    await page.goto('/');
    await page.getByRole('button', { name: `Sign in with ${PROVIDER}` }).click();
    await eventually(async () => expect(await textOf(page.locator('#sign-in-notice'))).toMatch(/^The ledger did not accept the sign-in: .*not registered in this ledger/));
    expect((await storage(page)).session).toEqual({});
    // The ledger's 403 is the one error the browser reports: the refusal this test asked for.
    expect(errors).toEqual([expect.stringContaining('status of 403')]);
    await context.close();
  }, 60_000);
});
