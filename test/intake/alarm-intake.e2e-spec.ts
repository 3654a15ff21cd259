import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { topicName, Topic } from '@reflex/contracts';
import { engineWithDatabase } from '../support/engine-with-database';
import { http } from '../support/http';
import { consumeUntil, sendMessages } from '../support/kafka';
import { alarm, smallCloud } from '../support/topology';
import { waitFor } from '../support/wait-for';

const fixtures = join(__dirname, '../../apps/engine/src/intake/mappers/fixtures');
const json = (name: string) => JSON.parse(readFileSync(join(fixtures, name), 'utf8'));

describe('alarm intake', () => {
  const ctx = engineWithDatabase();
  const post = (path: string, body: unknown) => http('POST', `${ctx.engine.url}${path}`, body);
  const planOf = async (planId: string) =>
    (await http('GET', `${ctx.engine.url}/v1/plans/${planId}`)).body;

  beforeEach(async () => {
    await ctx.resetTo(smallCloud(20));
  });

  it.each([
    ['instance.down', 'instance', 'db-1', 'switch-over', 'n-plus-one-switch-over'],
    ['instance.down', 'instance', 'db-3', 'restore-redundancy', 'standby-down-restore-redundancy'],
    ['host.maintenance.requested', 'host', 'cmp-04', 'host-drain', 'host-maintenance-drain'],
    ['host.maintenance.completed', 'host', 'cmp-04', 'host-restore', 'host-maintenance-restore'],
    [
      'host.hardware.degraded',
      'host',
      'cmp-02',
      'migrate-off',
      'host-hardware-degraded-migrate-off',
    ],
    ['host.down', 'host', 'cmp-03', 'host-failover', 'host-down-failover'],
  ] as const)('%s on %s %s reaches %s', async (type, kind, id, policy, rule) => {
    const res = await post('/v1/alarms', alarm(type, kind, id));
    expect(res.status).toBe(202);
    const [item] = res.body.items;
    expect(item).toMatchObject({ disposition: 'triggered' });
    const plan = await planOf(item.planId);
    expect(plan).toMatchObject({ policy, target: { kind, id }, trigger: { rule } });
    const stored = await ctx.db.query(
      'SELECT disposition, decision FROM alarms WHERE alarm_id = $1',
      [res.body.items[0].id],
    );
    expect(stored.rows[0].disposition).toBe('triggered');
    expect(stored.rows[0].decision.intent).toMatchObject({ policy, rule: { name: rule } });
    expect(stored.rows[0].decision.intent.explanation.length).toBeGreaterThan(0);
  });

  it('an active down with no healthy standby notifies, and says why', async () => {
    const inventory = smallCloud();
    inventory.hosts.find((h) => h.id === 'cmp-03')!.status = 'down';
    await http('PUT', `${ctx.engine.url}/v1/inventory`, inventory);
    const res = await post('/v1/alarms', alarm('instance.down', 'instance', 'db-2'));
    const plan = await planOf(res.body.items[0].planId);
    expect(plan.policy).toBe('notify');
    expect(res.body.items[0].reason).toMatch(/healthyStandby/);
  });

  it('marks a re-notification of a firing alarm as duplicate, and a redelivery changes nothing', async () => {
    const first = alarm('host.hardware.degraded', 'host', 'cmp-04');
    const again = {
      ...first,
      occurredAt: new Date(Date.parse(first.occurredAt) + 1000).toISOString(),
    };
    const a = (await post('/v1/alarms', first)).body.items[0];
    const b = (await post('/v1/alarms', again)).body.items[0];
    const c = (await post('/v1/alarms', first)).body.items[0];
    expect(a.disposition).toBe('triggered');
    expect(b).toMatchObject({ disposition: 'duplicate', planId: a.planId });
    expect(c).toMatchObject({ disposition: 'triggered', replay: true });
    const rows = await ctx.db.query(
      'SELECT disposition FROM alarms WHERE alarm_id = $1 ORDER BY id',
      [first.id],
    );
    expect(rows.rows.map((r) => r.disposition)).toEqual(['triggered', 'duplicate']);
  });

  it('correlates the alarms of 20 instances on a host that is down to the host alarm: one decision', async () => {
    const hostDown = (await post('/v1/alarms', alarm('host.down', 'host', 'cmp-01'))).body.items[0];
    expect(hostDown.disposition).toBe('triggered');
    const instanceAlarms = Array.from({ length: 20 }, (_, i) =>
      alarm('instance.down', 'instance', `app-${String(i + 1).padStart(2, '0')}`),
    );
    const res = await post('/v1/alarms', instanceAlarms);
    expect(res.body.items).toHaveLength(20);
    expect(new Set(res.body.items.map((i: { disposition: string }) => i.disposition))).toEqual(
      new Set(['correlated']),
    );
    const plans = await ctx.db.query(
      `SELECT count(*)::int AS n FROM plans WHERE target_id LIKE 'app-%'`,
    );
    expect(plans.rows[0].n).toBe(0);
    const correlated = await ctx.db.query(
      `SELECT DISTINCT correlated_to FROM alarms WHERE disposition = 'correlated' AND resource_id LIKE 'app-%'`,
    );
    expect(correlated.rows).toHaveLength(1);
  });

  it('suppresses a second decision of the same rule for the same target within its cooldown', async () => {
    const first = (await post('/v1/alarms', alarm('host.hardware.degraded', 'host', 'cmp-02'))).body
      .items[0];
    const second = (await post('/v1/alarms', alarm('host.hardware.degraded', 'host', 'cmp-02')))
      .body.items[0];
    expect(first.disposition).toBe('triggered');
    expect(second.disposition).toBe('suppressed');
    expect(second.reason).toMatch(/cooldown 3600s/);
  });

  it('says no-rule for an alarm type no rule acts on', async () => {
    const res = await post('/v1/alarms', alarm('disk.full', 'host', 'cmp-02'));
    expect(res.body.items[0]).toMatchObject({
      disposition: 'no-rule',
      planId: null,
      reason: 'no rule is written for alarm type disk.full',
    });
    expect(res.body.items[0].closest).toBeUndefined();
  });

  it('says conditions-failed, naming the closest rule and its failing condition, when rules for the type all held back', async () => {
    // app-01 belongs to no group: every instance.down rule stops at the instance's role.
    const res = await post('/v1/alarms', alarm('instance.down', 'instance', 'app-01'));
    const [item] = res.body.items;
    expect(item).toMatchObject({
      disposition: 'conditions-failed',
      planId: null,
      closest: {
        rule: { name: 'n-plus-one-switch-over', version: 1 },
        priority: 90,
        passed: 2,
        failed: [
          {
            at: '$.conditions.all[2]',
            fact: 'instance',
            path: '$.role',
            operator: 'equal',
            expected: 'active',
            actual: null,
          },
          {
            at: '$.conditions.all[3]',
            fact: 'groupStatus',
            path: '$.healthyStandby',
            operator: 'greaterThan',
            expected: 0,
            actual: null,
          },
        ],
      },
    });
    expect(item.reason).toBe(
      'closest rule n-plus-one-switch-over v1 did not apply: $.conditions.all[2] instance.role is missing (null) (needs equal "active"); ' +
        '$.conditions.all[3] groupStatus.healthyStandby is missing (null) (needs greaterThan 0); ' +
        'n-plus-one-no-standby v1 did not apply: instance.role is missing (null) (needs equal "active"); ' +
        'standby-down-restore-redundancy v1 did not apply: instance.role is missing (null) (needs equal "standby")',
    );
    const listed = await http(
      'GET',
      `${ctx.engine.url}/v1/alarms?resource=app-01&disposition=conditions-failed`,
    );
    expect(listed.body.items).toHaveLength(1);
    const detail = (await http('GET', `${ctx.engine.url}/v1/alarms/${listed.body.items[0].id}`))
      .body;
    expect(detail.decision.closest.failed[0]).toMatchObject({ path: '$.role', actual: null });
  });

  it('answers 400 naming the field for an invalid alarm, and keeps serving', async () => {
    const bad = await post('/v1/alarms', {
      ...alarm('host.down', 'host', 'cmp-01'),
      resource: { kind: 'vm', id: 'x' },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details[0].path).toBe('/resource/kind');
    const notJson = await post('/v1/alarms', '{"id": ');
    expect(notJson.status).toBe(400);
    expect((await post('/v1/alarms', alarm('disk.full', 'host', 'cmp-02'))).status).toBe(202);
  });

  it('decides alarms from the alarms topic and dead-letters invalid ones while going on', async () => {
    const good = alarm('host.hardware.degraded', 'host', 'cmp-03');
    const topic = topicName(Topic.Alarms, ctx.engine.config.topicPrefix);
    await sendMessages(topic, [
      { key: 'cmp-03', value: '{"broken' },
      { key: 'cmp-03', value: JSON.stringify({ ...good, occurredAt: 'yesterday' }) },
      { key: 'cmp-03', value: JSON.stringify(good) },
      { key: 'cmp-03', value: JSON.stringify(good) },
    ]);
    const row = await waitFor('the good alarm to be decided', async () => {
      const r = await ctx.db.query(`SELECT disposition, plan_id FROM alarms WHERE alarm_id = $1`, [
        good.id,
      ]);
      return r.rows[0]?.disposition === 'triggered' ? r.rows : undefined;
    });
    expect(row).toHaveLength(1);
    const dead = await consumeUntil(
      topicName(Topic.AlarmsDlq, ctx.engine.config.topicPrefix),
      (m) => m.length >= 2,
    );
    expect(dead.map((d) => d.headers['x-source-topic'])).toEqual([topic, topic]);
    expect(dead[1].headers['x-error']).toContain('/occurredAt');
  });

  it('reaches the same decisions from Alertmanager and Aodh payloads as from Alarm v1', async () => {
    const am = json('alertmanager-webhook-v4.json');
    am.alerts[0].fingerprint = `fp-${Date.now()}`;
    const fromAm = await post('/v1/alarms/alertmanager', am);
    expect(fromAm.status).toBe(202);
    expect(fromAm.body.items[0]).toMatchObject({
      source: 'alertmanager',
      disposition: 'triggered',
    });
    expect((await planOf(fromAm.body.items[0].planId)).policy).toBe('host-failover');
    expect(
      (await post('/v1/alarms/alertmanager', { version: '3', alerts: [] })).body.error.details[0]
        .path,
    ).toBe('version');
  });

  it('reaches the same decisions from Aodh event and threshold alarms as from Alarm v1', async () => {
    const aodh = { ...json('aodh-event-alarm.json'), alarm_id: `aodh-${Date.now()}` };
    aodh.reason_data.event.traits = [['instance_id', 1, 'db-2']];
    const fromAodh = await post('/v1/alarms/aodh', aodh);
    expect(fromAodh.status).toBe(202);
    expect((await planOf(fromAodh.body.items[0].planId)).policy).toBe('switch-over');

    const threshold = { ...json('aodh-threshold-alarm.json'), alarm_id: `aodh-t-${Date.now()}` };
    const fromThreshold = await post(
      '/v1/alarms/aodh?type=host.hardware.degraded&kind=host&id=cmp-04',
      threshold,
    );
    expect((await planOf(fromThreshold.body.items[0].planId)).policy).toBe('migrate-off');
  });

  it('turns maintenance requests into alarms: drain on request, restore on completion', async () => {
    // A spare host, so that the drain keeps every host's failover possible (keepSurvivable host).
    await ctx.putInventory(smallCloud(20, 1));
    const requested = await post('/v1/hosts/cmp-04/maintenance', { reason: 'firmware update' });
    expect(requested.status).toBe(202);
    expect(requested.body).toMatchObject({ disposition: 'triggered' });
    expect((await planOf(requested.body.planId)).policy).toBe('host-drain');
    const again = await post('/v1/hosts/cmp-04/maintenance', { reason: 'firmware update' });
    expect(again.body.disposition).toBe('duplicate');

    const ended = await http('DELETE', `${ctx.engine.url}/v1/hosts/cmp-04/maintenance`);
    expect(ended.status).toBe(202);
    expect(ended.body.closed).toMatchObject({
      disposition: 'resolved',
      planId: requested.body.planId,
    });
    expect(ended.body.completed.disposition).toBe('triggered');
    expect((await planOf(ended.body.completed.planId)).policy).toBe('host-restore');

    expect((await post('/v1/hosts/cmp-04/maintenance', {})).body.error.details[0].path).toBe(
      '/reason',
    );
    expect((await post('/v1/hosts/nope/maintenance', { reason: 'x' })).status).toBe(404);
  });

  it('lists alarms with filters and cursor paging', async () => {
    for (const host of ['cmp-02', 'cmp-03', 'cmp-04'])
      await post('/v1/alarms', alarm('disk.full', 'host', host));
    const page1 = (await http('GET', `${ctx.engine.url}/v1/alarms?type=disk.full&limit=2`)).body;
    expect(page1.items.map((a: { resource: { id: string } }) => a.resource.id)).toEqual([
      'cmp-04',
      'cmp-03',
    ]);
    const page2 = (
      await http(
        'GET',
        `${ctx.engine.url}/v1/alarms?type=disk.full&limit=2&cursor=${page1.nextCursor}`,
      )
    ).body;
    expect(page2).toMatchObject({
      items: [{ resource: { id: 'cmp-02' }, disposition: 'no-rule' }],
      nextCursor: null,
    });
    const one = (
      await http('GET', `${ctx.engine.url}/v1/alarms?resource=cmp-03&disposition=no-rule`)
    ).body.items;
    expect(one).toHaveLength(1);
    const detail = (await http('GET', `${ctx.engine.url}/v1/alarms/${one[0].id}`)).body;
    expect(detail.decision.reason).toMatch(/no rule/);
    const bad = await http('GET', `${ctx.engine.url}/v1/alarms?disposition=maybe&from=never`);
    expect(bad.status).toBe(400);
    expect(bad.body.error.details[0].path).toBe('disposition');
    expect((await http('GET', `${ctx.engine.url}/v1/alarms/999999999`)).status).toBe(404);
  });
});
