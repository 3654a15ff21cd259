// The operator console's door: its page served to anyone and its data only with a token, the token
// asked for once per browser session, a viewer shown no buttons, and no sign-in where the engine
// has no AUTH_TOKENS.
import { startTestEngine } from '../support/engine-app';
import { openPage, screenshot, signIn } from './support/browser';
import { consoleSession, stateShown } from './support/console-session';
import { HELD_ALARM, TOKENS } from './support/console-stand';

/** A refused call shows in Chromium's console as a failed resource load: expected where tested. */
const REFUSED_LOAD = /Failed to load resource: the server responded with a status of 401/;

describe('operator console sign-in in Chromium', () => {
  const session = consoleSession();

  it('serves its page to anyone and every data path only with a token', async () => {
    const page = await fetch(`${session.stand.reflex.engineUrl}/console`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    const script = /src="(\/console\/assets\/[^"]+\.js)"/.exec(await page.text())![1];
    expect((await fetch(`${session.stand.reflex.engineUrl}${script}`)).status).toBe(200);
    expect((await fetch(`${session.stand.reflex.engineUrl}/console/nope.js`)).status).toBe(404);
    expect(
      await (await fetch(`${session.stand.reflex.engineUrl}/console/settings.json`)).json(),
    ).toEqual({
      authentication: true,
    });
    for (const path of ['/v1/session', '/v1/changes', '/V1/changes']) {
      expect((await fetch(`${session.stand.reflex.engineUrl}${path}`)).status).toBe(401);
    }
    expect(await session.stand.call('GET', '/v1/session', undefined, { role: 'viewer' })).toEqual({
      status: 200,
      body: { name: 'vera', role: 'viewer', authentication: true },
    });
    const stream = await fetch(`${session.stand.reflex.engineUrl}/v1/changes`, {
      headers: { authorization: `Bearer ${TOKENS.viewer.token}` },
    });
    expect(stream.status).toBe(200);
    expect(stream.headers.get('content-type')).toContain('text/event-stream');
    await stream.body!.cancel();
  });

  it('asks for the token once per browser session, says 401, and shows a viewer no buttons', async () => {
    const held = await session.stand.alarm(HELD_ALARM, 'host', 'cmp-03');
    const { page, errors } = await session.openAnonymous();
    await page.goto(`/console/#/plans/${held.planId}`);
    await page.getByLabel('Token').waitFor();
    expect(errors).toEqual([]);

    await page.getByLabel('Token').fill('not-a-token-of-this-engine');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').getByText(/^401 /).waitFor();
    await expect(page.getByRole('alert').textContent()).resolves.toContain(
      'the bearer token is not valid',
    );
    expect(errors.filter((e) => !REFUSED_LOAD.test(e))).toEqual([]);
    errors.length = 0;

    await signIn(page, TOKENS.viewer.token);
    await stateShown(page, 'pending_approval').waitFor();
    await page.reload();
    await expect(page.getByLabel('Signed in as').textContent()).resolves.toBe('vera (viewer)');
    await stateShown(page, 'pending_approval').waitFor();
    expect(await page.getByRole('button', { name: /Approve|Cancel|Abort/ }).count()).toBe(0);

    await page.goto('/console/#/plans');
    await page.locator(`tr[data-plan="${held.planId}"]`).waitFor();
    expect(await page.getByRole('checkbox').count()).toBe(0);
    expect(await page.getByRole('button', { name: /Approve/ }).count()).toBe(0);
    await screenshot(page, 'plans-viewer');
    expect(errors).toEqual([]);
    await session.stand.call('POST', `/v1/plans/${held.planId}/cancel`, {}, { role: 'operator' });
  });

  it('opens without a token where AUTH_TOKENS is unset, as the anonymous admin', async () => {
    const open = await startTestEngine({ RULES_WATCH: 'false' });
    try {
      const watched = await openPage(session.browser, open.url);
      try {
        await watched.page.goto('/console/');
        await watched.page.getByLabel('Signed in as').getByText('anonymous (admin)').waitFor();
        await watched.page.getByText('No plans yet.').waitFor();
        expect(await watched.page.getByRole('button', { name: 'Sign out' }).count()).toBe(0);
        expect(watched.errors).toEqual([]);
      } finally {
        await watched.close();
      }
    } finally {
      await open.close();
    }
  });
});
