import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';

/**
 * Debian's chromium (`.ci/run` installs it), driven by playwright-core: no browser download is
 * possible here (see STACK.md, "Browser tests").
 */
export const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'];

export const ARTIFACTS = path.resolve('test/browser/artifacts');

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
}

/** The suite serves what `npm run build` would: the same build script, run first. */
export function buildWebApp(): void {
  execFileSync(process.execPath, ['apps/ledger-web/build.mjs'], { stdio: 'inherit' });
}

/** A fresh browser profile (empty sessionStorage) that prefers the given language. */
export async function newPage(browser: Browser, baseUrl: string, locale: 'da-DK' | 'en-GB'): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const context = await browser.newContext({ baseURL: baseUrl, locale, timezoneId: 'America/New_York', viewport: { width: 1200, height: 900 } });
  const page = await context.newPage();
  const errors: string[] = [];
  // A CSP refusal is reported on the console; any such report fails the test that collects it.
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(error.message));
  return { context, page, errors };
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const file = path.join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/** The serious and critical accessibility violations axe-core finds on the page as it is now. */
export async function seriousViolations(page: Page): Promise<{ id: string; impact: string; nodes: string[] }[]> {
  const results = await new AxeBuilder({ page }).analyze();
  return results.violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map((violation) => ({ id: violation.id, impact: String(violation.impact), nodes: violation.nodes.map((node) => node.target.join(' ')) }));
}

/** Presses Tab until the focused element matches, as a keyboard-only user would; its text. */
export async function tabUntil(page: Page, matches: (focused: { text: string; id: string }) => boolean, maxPresses = 80): Promise<string> {
  for (let press = 0; press < maxPresses; press += 1) {
    await page.keyboard.press('Tab');
    const focused = page.locator(':focus');
    if ((await focused.count()) === 0) continue;
    const current = { text: plain(await focused.first().textContent()), id: (await focused.first().getAttribute('id')) ?? '' };
    if (matches(current)) return current.text;
  }
  throw new Error(`nothing matching was reached in ${maxPresses} presses of Tab`);
}

/** Text as a reader sees it: Intl's no-break spaces are spaces. */
export const plain = (text: string | null | undefined): string => (text ?? '').replace(/[\u00a0\u202f]/g, ' ').replace(/\s+/g, ' ').trim();

export async function textOf(locator: Locator): Promise<string> {
  await locator.first().waitFor();
  return plain(await locator.first().textContent());
}

/**
 * Retries an assertion while the page catches up (a render after a click or a fetch), as
 * Playwright's own web-first assertions do; the bound is generous for a loaded machine.
 */
export async function eventually(assertion: () => Promise<void>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await assertion();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}
