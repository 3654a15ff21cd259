// The operator console (issue 21, CONTRACT §11) driven in Chromium as an operator would, against
// the all-in-one's real engine and driver on the suite's Kafka broker and PostgreSQL: plans shown
// live, approved one by one or together, a migration aborted, a rule edited and dry-run, and every
// page laid out on a desktop and a phone. Sign-in and the page's serving: console-access.
import type { Page } from 'playwright-core';
import { waitFor } from '../support/wait-for';
import { DESKTOP, horizontalOverflow, PHONE, screenshot } from './support/browser';
import { consoleSession, stateShown } from './support/console-session';
import { HELD_ALARM, MANUAL_ALARM } from './support/console-stand';

describe('operator console in Chromium', () => {
  const session = consoleSession();

  it('shows a plan live, without a reload, moments after its alarm', async () => {
    const { page, errors } = await session.openConsole('operator');
    await page.getByRole('table', { name: 'Plans' }).or(page.getByText('No plans yet')).waitFor();
    await page.waitForFunction(
      `document.querySelector('[aria-label="Live updates"]')?.textContent === 'live'`,
    );
    await page.evaluate('window.notReloaded = true');

    const intake = await session.stand.alarm('instance.down', 'instance', 'queue-2');
    const sent = Date.now();
    const row = page.locator(`tr[data-plan="${intake.planId}"]`);
    await row.waitFor({ timeout: 3_000 });
    const latencyMs = Date.now() - sent;
    process.stdout.write(`console: plan row shown ${latencyMs} ms after its alarm was decided\n`);
    // The aim is under a second (a 250 ms poll, then one reload); the margin is for a busy machine.
    expect(latencyMs).toBeLessThan(2_000);
    await row.getByRole('cell', { name: 'instance queue-2' }).waitFor();
    await row.getByText('succeeded').waitFor({ timeout: 30_000 });
    expect(await page.evaluate('window.notReloaded')).toBe(true);

    // The filters ask the API (`?policy=&resource=&state=`) and keep the row only when it matches.
    await page.getByLabel('Policy').selectOption('switch-over');
    await page.getByLabel('Resource').fill('queue-3');
    await page.getByLabel('Resource').press('Enter');
    await row.getByText('succeeded').waitFor();
    await page.getByLabel('State').selectOption('blocked');
    await row.waitFor({ state: 'detached' });
    await page.getByLabel('State').selectOption('succeeded');

    await row.getByRole('link').click();
    await stateShown(page, 'succeeded').waitFor();
    const actions = page.getByRole('list', { name: 'Actions' });
    await actions.getByText('switch-over queue: queue-2 → queue-3').waitFor();
    const conditions = page.getByRole('table', { name: 'Conditions' });
    await conditions.getByRole('row', { name: /alarm\.type equal "instance\.down"/ }).waitFor();
    await page.getByText('Rule n-plus-one-switch-over').waitFor();
    await screenshot(page, 'plan-switch-over');

    // The alarm, with its disposition and reason, links back to the plan it made.
    await page.getByRole('navigation').getByRole('link', { name: 'Alarms' }).click();
    const alarmRow = page
      .getByRole('table', { name: 'Alarms' })
      .getByRole('row')
      .filter({ hasText: 'instance queue-2' });
    await alarmRow.getByText('triggered').waitFor();
    await alarmRow.getByText('n-plus-one-switch-over v1 decided switch-over').waitFor();
    await alarmRow.getByRole('link', { name: intake.planId!.slice(0, 8) }).click();
    await page.getByRole('heading', { level: 1 }).getByText(intake.planId!.slice(0, 8)).waitFor();
    expect(errors).toEqual([]);
  });

  it('runs a manual plan once Approve is pressed', async () => {
    const intake = await session.stand.alarm(MANUAL_ALARM, 'host', 'cmp-07');
    const { page, errors } = await session.openConsole('operator', `plans/${intake.planId}`);
    await stateShown(page, 'pending_approval').waitFor();
    await page.getByRole('button', { name: 'Approve' }).click();
    await stateShown(page, 'succeeded').waitFor({ timeout: 45_000 });
    expect(await page.getByRole('button', { name: 'Approve' }).count()).toBe(0);
    const timeline = page.getByRole('list', { name: 'Timeline' });
    await timeline.getByText('"approvedBy":"otto"').waitFor();
    const done = await session.plan(intake.planId!);
    expect(done.state).toBe('succeeded');
    expect(done.actions.filter((a) => a.type === 'live-migrate').length).toBeGreaterThan(0);
    expect(errors).toEqual([]);
  });

  it('approves waiting plans together: the selected ones, or every storm-held one', async () => {
    const selected = (await session.stand.alarm(MANUAL_ALARM, 'host', 'cmp-04')).planId!;
    const held = [
      (await session.stand.alarm(HELD_ALARM, 'host', 'cmp-06')).planId!,
      (await session.stand.alarm(HELD_ALARM, 'host', 'cmp-01')).planId!,
    ];
    const first = await session.plan(held[0]);
    expect({ state: first.state, reason: first.reason }).toEqual({
      state: 'pending_approval',
      reason: expect.stringMatching(/^storm guard: /),
    });
    const { page, errors } = await session.openConsole('operator', 'plans');
    await page.getByLabel('State').selectOption('pending_approval');
    await page.getByRole('checkbox', { name: `Select plan ${selected.slice(0, 8)}` }).check();
    await page.getByRole('button', { name: 'Approve selected (1)' }).click();
    await page.getByRole('status').getByText('1 approved').waitFor();
    await page.getByRole('button', { name: 'Approve all storm-held plans' }).click();
    await page.getByRole('status').getByText('2 approved').waitFor();
    await page.getByLabel('State').selectOption('');
    for (const id of [selected, ...held]) {
      await page
        .locator(`tr[data-plan="${id}"]`)
        .getByText('succeeded')
        .waitFor({ timeout: 45_000 });
    }
    expect((await Promise.all([selected, ...held].map(session.plan))).map((p) => p.state)).toEqual([
      'succeeded',
      'succeeded',
      'succeeded',
    ]);
    expect(errors).toEqual([]);
  });

  it('shows a running migration progress live and stops it with Abort', async () => {
    const inventory = (await session.stand.call('GET', '/v1/inventory')).body;
    // The largest VM on the host: the longest migration.
    const vm = (
      inventory.instances as Array<{
        id: string;
        hostId: string;
        kind: string;
        resources: { memoryMb: number };
      }>
    )
      .filter((i) => i.hostId === 'cmp-08' && i.kind === 'vm')
      .sort((a, b) => b.resources.memoryMb - a.resources.memoryMb)[0].id;
    // Ten times slower than usual (half a minute), so there is a progress bar to watch and stop.
    const fault = { action: 'live-migrate', instanceId: vm, effect: 'slow', count: 1 };
    expect(
      (await session.stand.call('POST', '/v1/sim/faults', fault, { driver: true })).status,
    ).toBe(201);
    const drain = await session.stand.call<{ planId: string }>(
      'POST',
      '/v1/hosts/cmp-08/maintenance',
      {
        reason: 'console spec',
      },
    );
    expect(drain.status).toBe(202);

    const { page, errors } = await session.openConsole('operator', `plans/${drain.body.planId}`);
    const bar = page.getByRole('progressbar', {
      name: new RegExp(`^Progress of live-migrate ${vm} `),
    });
    await bar.waitFor({ timeout: 30_000 });
    const first = Number(await bar.getAttribute('aria-valuenow'));
    await waitFor('the progress bar to move without a reload', async () =>
      Number(await bar.getAttribute('aria-valuenow')) > first ? true : undefined,
    );
    await screenshot(page, 'console-plan', true);
    const item = page.getByRole('listitem', { name: new RegExp(`live-migrate ${vm} `) });
    await item.getByRole('button', { name: 'Abort' }).click();
    await item.getByText('aborted', { exact: true }).waitFor({ timeout: 30_000 });
    await stateShown(page, 'failed').waitFor({ timeout: 30_000 });
    const after = await session.plan(drain.body.planId);
    const aborted = after.actions.find(
      (a) => (a.params as { instanceId?: string }).instanceId === vm,
    )!;
    expect(aborted.state).toBe('aborted');
    const calls = (await session.stand.call('GET', '/v1/sim/calls', undefined, { driver: true }))
      .body;
    expect(
      (calls.items as Array<{ method: string; actionId: string }>).some(
        (c) => c.method === 'abort' && c.actionId === aborted.id,
      ),
    ).toBe(true);
    expect(errors).toEqual([]);
  }, 90_000);

  it('shows a rule error as it is typed, and the dry run of a valid rule', async () => {
    const { page, errors } = await session.openConsole('admin', 'rules/host-down-failover');
    await page
      .getByRole('table', { name: 'Rules' })
      .getByRole('link', { name: 'host-down-storm-guard' })
      .waitFor();
    const editor = page.getByLabel('Rule JSON');
    const original = await editor.inputValue();
    await editor.fill(original.replace('"mode": "auto"', '"mode": "sometimes"'));
    const problems = page.getByRole('list', { name: 'Rule errors' });
    await problems.getByText('/mode').waitFor();
    await expect(problems.textContent()).resolves.toContain('"auto", "manual"');
    expect(await page.getByRole('button', { name: 'Dry run' }).isDisabled()).toBe(true);

    await editor.fill(original.replace('"operator": "equal"', '"operator": "equalz"'));
    await problems.getByText(/must match pattern .*; got "equalz"/).waitFor();
    // What only the engine checks (the value an operator needs) comes from POST /v1/rules/validate.
    await editor.fill(original.replace('"operator": "equal"', '"operator": "in"'));
    await problems.getByText('"in" needs an array value', { exact: false }).waitFor();

    await editor.fill(original.replace(/"cooldownSeconds": \d+/, '"cooldownSeconds": 5'));
    await page.getByRole('status').getByText('Valid rule').waitFor();
    const alarm = page.getByLabel('Alarm JSON');
    await alarm.fill(
      JSON.stringify({
        id: 'console-dry-run',
        source: 'console',
        type: 'host.down',
        severity: 'critical',
        state: 'firing',
        resource: { kind: 'host', id: 'cmp-05' },
        occurredAt: new Date().toISOString(),
      }),
    );
    await page.getByRole('button', { name: 'Dry run' }).click();
    const result = page.getByRole('region', { name: 'Dry run result' });
    await result.getByText('Decision: host-failover by host-down-failover').waitFor();
    await result
      .getByRole('list', { name: 'Dry-run actions' })
      .getByText('fence-host cmp-05')
      .waitFor();
    await screenshot(page, 'rules-dry-run');
    // A dry run stores nothing: no host has failed over in this cloud.
    const plans = await session.stand.call('GET', '/v1/plans?policy=host-failover');
    expect(plans.body.items).toEqual([]);
    expect(errors).toEqual([]);
  });

  it.each([
    ['desktop', DESKTOP],
    ['phone', PHONE],
  ])(
    'lays every page out without sideways scrolling on a %s',
    async (name, viewport) => {
      const plans = await session.stand.call('GET', '/v1/plans?limit=1');
      const pages: Array<[string, string, (page: Page) => Promise<unknown>]> = [
        ['plans', 'plans', (p) => p.getByRole('table', { name: 'Plans' }).waitFor()],
        [
          'plan',
          `plans/${plans.body.items[0].id}`,
          (p) => p.getByRole('list', { name: 'Timeline' }).waitFor(),
        ],
        [
          'inventory',
          'inventory',
          (p) => p.getByText(/zones survivable/).waitFor({ timeout: 30_000 }),
        ],
        ['rules', 'rules/n-plus-one-switch-over', (p) => p.getByLabel('Rule JSON').waitFor()],
        ['alarms', 'alarms', (p) => p.getByRole('table', { name: 'Alarms' }).waitFor()],
      ];
      const { page, errors } = await session.openConsole('operator', 'plans', viewport);
      for (const [label, route, ready] of pages) {
        await page.goto(`/console/#/${route}`);
        await ready(page);
        expect({ label, overflow: await horizontalOverflow(page) }).toEqual({ label, overflow: 0 });
        await screenshot(page, `${name}-${label}`);
      }
      await page.goto('/console/#/inventory');
      await page
        .getByRole('region', { name: 'Zone az1' })
        .getByText('survivable')
        .first()
        .waitFor();
      expect(errors).toEqual([]);
    },
    90_000,
  );
});
