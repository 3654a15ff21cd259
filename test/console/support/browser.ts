import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';

const ROOT = resolve(__dirname, '../../..');
/** Every run's screenshots, for a look after a failure (not committed). */
export const RUN_SHOTS = join(ROOT, '.cache/console');
/**
 * The ones the README shows (committed): written when missing, or again with
 * CONSOLE_DOC_SCREENSHOTS=1, so an ordinary run leaves the working tree as it was.
 */
export const DOC_SHOTS = join(ROOT, 'docs/images');

export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 390, height: 844 };

/** Debian's Chromium (`.ci/run` installs it), driven by playwright-core: no browser download. */
export async function launchChromium(): Promise<Browser> {
  const executablePath = process.env.CHROMIUM_BIN ?? '/usr/bin/chromium';
  try {
    return await chromium.launch({ executablePath, headless: true });
  } catch (error) {
    throw new Error(
      `Cannot start Chromium at ${executablePath} (${(error as Error).message.split('\n')[0]}): ` +
        'apt-get install chromium, or set CHROMIUM_BIN',
    );
  }
}

/** A page that records what the browser's console and the page's scripts report as errors. */
export interface WatchedPage {
  page: Page;
  context: BrowserContext;
  errors: string[];
  close(): Promise<void>;
}

export async function openPage(
  browser: Browser,
  baseUrl: string,
  viewport = DESKTOP,
): Promise<WatchedPage> {
  const context = await browser.newContext({ viewport, baseURL: baseUrl });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => errors.push(`page: ${error.message}`));
  return { page, context, errors, close: () => context.close() };
}

/** Types the token into the sign-in form, as a person does once per browser session. */
export async function signIn(page: Page, token: string): Promise<void> {
  await page.getByLabel('Token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByLabel('Signed in as').waitFor();
}

/** How far the page is wider than the window: 0 when nothing makes it scroll sideways. */
export function horizontalOverflow(page: Page): Promise<number> {
  // A string: the specs compile without the DOM's types; this runs in the page.
  return page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth');
}

export async function screenshot(page: Page, name: string, forDocs = false): Promise<void> {
  mkdirSync(RUN_SHOTS, { recursive: true });
  await page.screenshot({ path: join(RUN_SHOTS, `${name}.png`), fullPage: true });
  const doc = join(DOC_SHOTS, `${name}.png`);
  if (forDocs && (!existsSync(doc) || process.env.CONSOLE_DOC_SCREENSHOTS === '1')) {
    mkdirSync(DOC_SHOTS, { recursive: true });
    await page.screenshot({ path: doc });
  }
}
