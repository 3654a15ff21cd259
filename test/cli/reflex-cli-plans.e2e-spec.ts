// The reflex plan commands: an alarm followed to its plan (alarms, plans, plan <prefix>), approved
// and watched live until it ends, and a plan cancelled; the operator's rule is loaded from the start.
import type { PlanV1 } from '@reflex/contracts/plan.v1';
import { http } from '../support/http';
import { waitFor } from '../support/wait-for';
import { hangMigrations, success } from '../support/driver-stand-in';
import { ADMIN, OPERATOR, VIEWER, alarm, as, cliFixture, host, vm } from './support/cli-fixture';
import { reflex, startReflex } from './run-reflex';

describe('reflex plans against a running engine', () => {
  const cli = cliFixture({ withRule: true });
  let planId: string;

  it('follows an alarm to a plan: alarms, plans, plan <prefix>', async () => {
    const sent = await http<{ items: Array<{ planId: string }> }>(
      'POST',
      `${cli.engine.url}/v1/alarms`,
      alarm('smartd-2', 'cmp-1'),
      as(OPERATOR),
    );
    expect(sent.status).toBe(202);
    planId = sent.body.items[0].planId;
    const short = planId.slice(0, 8);

    const alarms = await reflex(['alarms'], cli.env);
    expect(alarms.code).toBe(0);
    expect(alarms.stdout).toMatch(
      new RegExp(
        `triggered\\s+host\\.hardware\\.degraded\\s+host cmp-1\\s+smartd/smartd-2 → plan ${short}`,
      ),
    );
    expect(alarms.stdout).toContain('degraded-manual');

    const plans = await reflex(['plans', '--state', 'pending_approval'], cli.env);
    expect(plans.stdout).toMatch(
      new RegExp(
        `^${short}  pending_approval\\s+migrate-off\\s+host cmp-1\\s+rule degraded-manual\\s+0/\\d+ done`,
      ),
    );
    expect((await reflex(['plans', '--state', 'running'], cli.env)).stdout).toBe('no plans\n');
    const badFilter = await reflex(['plans', '--state', 'sleeping'], cli.env);
    expect(badFilter.code).toBe(2);
    expect(badFilter.stderr).toContain('state must be one of');

    const plan = await reflex(['plan', short], cli.env);
    expect(plan.code).toBe(0);
    expect(plan.stdout).toContain(`plan ${planId}  pending_approval`);
    expect(plan.stdout).toContain('migrate-off of host cmp-1, mode manual, on failure continue');
    expect(plan.stdout).toContain('rule degraded-manual v1, alarm smartd-2 from smartd');
    expect(plan.stdout).toMatch(/#\d+\s+pending\s+live-migrate db-1 cmp-1 → cmp-\d/);
    expect(plan.stdout).toMatch(
      new RegExp(
        `${short} plan migrate-off of host cmp-1 \\(rule degraded-manual, \\d+ actions\\): pending_approval`,
      ),
    );
    const json = JSON.parse((await reflex(['plan', short, '--json'], cli.env)).stdout) as PlanV1;
    expect(json.id).toBe(planId);

    const unknown = await reflex(['plan', 'ffffffff'], cli.env);
    expect(unknown.code).toBe(5);
    expect(unknown.stderr).toContain('plan ffffffff not found (404)');
    const short7 = await reflex(['plan', short.slice(0, 7)], cli.env);
    expect(short7.code).toBe(2);
    expect(short7.stderr).toContain('id: is a plan id prefix shorter than 8 characters');

    const status = await reflex(['status'], cli.env);
    expect(status.stdout).toContain('LIVE PLANS  1');
    expect(status.stdout).toContain(`${short}  pending_approval`);
  });

  it('approves (operator only) and watches the plan live until it ends', async () => {
    const short = planId.slice(0, 8);
    const viewer = await reflex(['approve', short], cli.env);
    expect(viewer.code).toBe(4);
    expect(viewer.stderr).toContain("REFLEX_TOKEN's role may not do this (403");

    cli.driver.use(hangMigrations);
    const approved = await reflex(
      ['approve', short, '--reason', 'spare capacity is fine'],
      cli.operator,
    );
    expect(approved.code).toBe(0);
    expect(approved.stdout).toContain(
      `approved plan ${short} (migrate-off of host cmp-1): now running`,
    );
    const timeline = await http<{ items: Array<{ to: string; detail: Record<string, unknown> }> }>(
      'GET',
      `${cli.engine.url}/v1/plans/${planId}/events`,
      undefined,
      as(VIEWER),
    );
    expect(timeline.body.items.find((e) => e.to === 'pending')?.detail).toMatchObject({
      approvedBy: 'ops',
    });

    const watch = startReflex(['plan', 'watch', short], cli.env);
    const migrations = await waitFor('both migrations to hang', () => {
      const running = cli.driver.executes(planId).filter((c) => c.type === 'live-migrate');
      return running.length === 2 && running;
    });
    await waitFor('the watch to show a migration running', () =>
      /#\d+ live-migrate db-1 cmp-1 → cmp-\d: running/.test(watch.stdout),
    );
    expect(watch.child.exitCode).toBeNull();
    for (const m of migrations) await cli.driver.release(m.actionId, success(1));
    const ended = await watch.done;
    expect(ended.code).toBe(0);
    expect(ended.stdout).toMatch(/live-migrate app-1 cmp-1 → cmp-\d: succeeded/);
    expect(ended.stdout).toMatch(new RegExp(`${short} plan running → succeeded`));
    expect(ended.stdout).toContain(`plan ${short} ended succeeded; its actions:`);

    const json = await reflex(['plan', 'watch', short, '--json'], cli.env);
    const lines = json.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines[0]).toMatchObject({ planId, type: 'plan.state', to: 'pending_approval' });
    expect(lines[lines.length - 1]).toMatchObject({ id: planId, state: 'succeeded' });

    const action = (lines[lines.length - 1] as PlanV1).actions[0].id;
    const late = await reflex(['abort', action], cli.operator);
    expect(late.code).toBe(6);
    expect(late.stderr).toContain('(409)');
  });

  it('cancels a plan, and refuses to cancel it twice', async () => {
    // A host of its own: the first plan left cmp-1 disabled and the db pair with nowhere else to go.
    for (const [kind, object] of [
      ['hosts', host('cmp-4', 'az2')],
      ['instances', vm('batch-1', 'cmp-4')],
    ] as const) {
      const put = await http('PUT', `${cli.engine.url}/v1/${kind}/${object.id}`, object, as(ADMIN));
      expect(put.status).toBe(200);
    }
    const sent = await http<{ items: Array<{ planId: string }> }>(
      'POST',
      `${cli.engine.url}/v1/alarms`,
      alarm('smartd-3', 'cmp-4'),
      as(OPERATOR),
    );
    const short = sent.body.items[0].planId.slice(0, 8);
    const cancelled = await reflex(['cancel', short, '--reason', 'not today'], cli.operator);
    expect(cancelled).toMatchObject({ code: 0, stderr: '' });
    expect(cancelled.stdout).toContain(
      `cancelled plan ${short} (migrate-off of host cmp-4): now cancelled`,
    );
    expect(cancelled.stdout).toMatch(/#\d+\s+skipped\s+live-migrate batch-1 cmp-4 → cmp-\d/);
    const again = await reflex(['cancel', short], cli.operator);
    expect(again.code).toBe(6);
    expect(again.stderr).toMatch(/is cancelled.*\(409\)/);

    const listed = JSON.parse((await reflex(['plans', '--json'], cli.env)).stdout);
    expect(listed.items.map((p: PlanV1) => p.state)).toEqual(['cancelled', 'succeeded']);
  });
});
