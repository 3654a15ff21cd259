// What the console specs share: the stand (engine and driver of the all-in-one) and one Chromium,
// started before a describe block's tests; pages opened signed in, and the last look at each page
// saved after every test (.cache/console/last-*.png) for when one failed.
import type { Browser, Page } from 'playwright-core';
import type { PlanV1 } from '@reflex/contracts/plan.v1';
import { DESKTOP, launchChromium, openPage, screenshot, signIn, type WatchedPage } from './browser';
import { ensureConsoleBuilt } from './console-build';
import { type ConsoleStand, startConsoleStand, TOKENS } from './console-stand';

export interface ConsoleSession {
  readonly stand: ConsoleStand;
  readonly browser: Browser;
  /** A page signed in with `role`'s token, on `route` of the console; closed after the test. */
  openConsole(
    role: keyof typeof TOKENS,
    route?: string,
    viewport?: typeof DESKTOP,
  ): Promise<WatchedPage>;
  /** A page not signed in, closed after the test. */
  openAnonymous(): Promise<WatchedPage>;
  /** The plan as the API shows it to a viewer. */
  plan(id: string): Promise<PlanV1>;
}

/** The plan page's heading showing `state`. */
export const stateShown = (page: Page, state: string) =>
  page.getByRole('heading', { level: 1 }).getByText(state.replace('_', ' '), { exact: true });

/** Call at the top of a describe block; read its fields inside the tests. */
export function consoleSession(): ConsoleSession {
  let stand: ConsoleStand;
  let browser: Browser;
  let open: WatchedPage[] = [];

  beforeAll(async () => {
    await ensureConsoleBuilt();
    [stand, browser] = await Promise.all([startConsoleStand(), launchChromium()]);
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await stand?.stop();
  }, 60_000);
  afterEach(async () => {
    const name = (expect.getState().currentTestName ?? 'test').replace(/\W+/g, '-').slice(-60);
    await Promise.all(
      open.map(async (p, i) => {
        await screenshot(p.page, `last-${name}-${i}`).catch(() => undefined);
        await p.close();
      }),
    );
    open = [];
  });

  const openAnonymous = async (viewport = DESKTOP) => {
    const watched = await openPage(browser, stand.reflex.engineUrl, viewport);
    open.push(watched);
    return watched;
  };
  return {
    get stand() {
      return stand;
    },
    get browser() {
      return browser;
    },
    openAnonymous: () => openAnonymous(),
    async openConsole(role, route = 'plans', viewport = DESKTOP) {
      const watched = await openAnonymous(viewport);
      await watched.page.goto(`/console/#/${route}`);
      await signIn(watched.page, TOKENS[role].token);
      return watched;
    },
    plan: async (id) =>
      (await stand.call<PlanV1>('GET', `/v1/plans/${id}`, undefined, { role: 'viewer' })).body,
  };
}
