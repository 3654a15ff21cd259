import { succeed } from '../support/driver-stand-in';
import { http } from '../support/http';
import { sample } from '../support/metrics-text';
import { alarm, smallCloud } from '../support/topology';
import { waitFor } from '../support/wait-for';
import { engineWithDriver } from '../support/engine-with-driver';

describe('/metrics and health on a running engine', () => {
  const ctx = engineWithDriver();
  const metrics = async () => (await http<string>('GET', `${ctx.engine.url}/metrics`)).body;

  beforeAll(async () => {
    ctx.driver.use(succeed(2));
    await http('PUT', `${ctx.engine.url}/v1/inventory`, smallCloud());
  });

  it('answers /healthz and /readyz with kafka and database up', async () => {
    expect((await http('GET', `${ctx.engine.url}/healthz`)).body).toEqual({ status: 'ok' });
    expect((await http('GET', `${ctx.engine.url}/readyz`)).body).toEqual({
      status: 'ready',
      checks: { database: 'up', kafka: 'up' },
    });
  });

  it('counts alarms by type and disposition, plans by policy and final state, and action durations', async () => {
    await http('POST', `${ctx.engine.url}/v1/alarms`, alarm('disk.full', 'host', 'cmp-01'));
    const made = (
      await http(
        'POST',
        `${ctx.engine.url}/v1/alarms`,
        alarm('host.hardware.degraded', 'host', 'cmp-04'),
      )
    ).body.items[0];
    expect(made.disposition).toBe('triggered');
    await waitFor(
      'the plan to succeed',
      async () =>
        (await http('GET', `${ctx.engine.url}/v1/plans/${made.planId}`)).body.state === 'succeeded',
    );
    const text = await waitFor('the finished plan in /metrics', async () => {
      const t = await metrics();
      return sample(t, 'reflex_plans_finished_total', { policy: 'migrate-off', state: 'succeeded' })
        ? t
        : undefined;
    });
    // No rule names disk.full: its free-text type is counted as `other`, which keeps the label set
    // bounded (issue 14).
    expect(sample(text, 'reflex_alarms_total', { type: 'other', disposition: 'no-rule' })).toBe(1);
    expect(sample(text, 'reflex_alarms_total', { type: 'disk.full', disposition: 'no-rule' })).toBe(
      undefined,
    );
    expect(
      sample(text, 'reflex_alarms_total', {
        type: 'host.hardware.degraded',
        disposition: 'triggered',
      }),
    ).toBe(1);
    expect(sample(text, 'reflex_plans_created_total', { policy: 'migrate-off' })).toBe(1);
    expect(
      sample(text, 'reflex_action_duration_seconds_count', {
        type: 'set-host-status',
        state: 'succeeded',
      }),
    ).toBeGreaterThan(0);
    expect(sample(text, 'reflex_outbox_backlog')).toBeGreaterThanOrEqual(0);
    expect(
      sample(text, 'reflex_consumer_lag', {
        group: `${ctx.engine.config.topicPrefix}reflex-engine.alarms`,
      }),
    ).toBeGreaterThanOrEqual(0);
    expect(text).toMatch(/process_cpu_user_seconds_total/);
  });

  it('reports per-policy outcomes and time from alarm to success in /v1/stats', async () => {
    const stats = (await http('GET', `${ctx.engine.url}/v1/stats`)).body;
    const migrateOff = stats.items.find((i: { policy: string }) => i.policy === 'migrate-off');
    expect(migrateOff).toMatchObject({ plans: 1, succeeded: 1, failed: 0, successRate: 1 });
    expect(migrateOff.medianSecondsToSuccess).toBeGreaterThan(0);
    expect(migrateOff.p95SecondsToSuccess).toBeGreaterThanOrEqual(
      migrateOff.medianSecondsToSuccess,
    );
    const none = (
      await http(
        'GET',
        `${ctx.engine.url}/v1/stats?from=2020-01-01T00:00:00Z&to=2020-01-02T00:00:00Z`,
      )
    ).body;
    expect(none.items).toEqual([]);
    const bad = await http(
      'GET',
      `${ctx.engine.url}/v1/stats?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z`,
    );
    expect(bad.status).toBe(400);
    expect(bad.body.error.details[0].path).toBe('from');
  });
});
