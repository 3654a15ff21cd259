// The webhooks answer per alert: an alert that cannot become an Alarm v1 is stored as `rejected`
// with its reason and costs the rest of its notification nothing; only a body that is not such a
// notification at all is a 400.
import { engineWithDatabase } from '../support/engine-with-database';
import { http } from '../support/http';
import { smallCloud } from '../support/topology';
import { uniqueSuffix } from '../support/wait-for';

describe('webhooks, per alert', () => {
  const ctx = engineWithDatabase();
  const post = (path: string, body: unknown) => http('POST', `${ctx.engine.url}${path}`, body);
  let n = 0;
  const alert = (labels: Record<string, string>, extra: object = {}) => ({
    status: 'firing',
    labels: { alertname: 'host.down', ...labels },
    annotations: { summary: 'test' },
    startsAt: new Date().toISOString(),
    endsAt: '0001-01-01T00:00:00Z',
    fingerprint: `fp-${uniqueSuffix()}-${++n}`,
    ...extra,
  });
  const notification = (...alerts: unknown[]) => ({
    version: '4',
    status: 'firing',
    receiver: 'reflex',
    alerts,
  });

  beforeEach(async () => {
    await ctx.resetTo(smallCloud());
  });

  it.each([
    ['no host, instance or group label', alert({ job: 'node' }), /needs one of the labels host/],
    ['an alertname with a space', alert({ alertname: 'Host Down', host: 'cmp-02' }), /\/type/],
    ['a label over 1,024 characters', alert({ host: 'cmp-02', x: 'y'.repeat(1025) }), /labels/],
    [
      'an annotation over 8 KiB',
      alert({ host: 'cmp-02' }, { annotations: { d: 'z'.repeat(8193) } }),
      /annotations/,
    ],
    // The alarm is valid; the body it came in is refused by the database (jsonb has no NUL), so
    // the batch is retried alert by alert and only this one is rejected, kept without the NUL.
    [
      'a NUL in a field Reflex does not map',
      alert({ host: 'cmp-02' }, { generatorURL: 'http://prometheus/\u0000' }),
      /cannot be stored/,
    ],
  ])(
    'decides the rest of a group with an alert with %s, and keeps that one as rejected',
    async (_why, bad, reason) => {
      const good = alert({ host: 'cmp-03', severity: 'critical' });
      const res = await post('/v1/alarms/alertmanager', notification(bad, good));
      expect(res.status).toBe(202);
      expect(res.body.items.map((i: { disposition: string }) => i.disposition)).toEqual([
        'rejected',
        'triggered',
      ]);
      expect(res.body.items[0].reason).toMatch(reason);

      const audit = await http('GET', `${ctx.engine.url}/v1/alarms?disposition=rejected`);
      expect(audit.body.items).toHaveLength(1);
      expect(audit.body.items[0]).toMatchObject({
        source: 'alertmanager',
        disposition: 'rejected',
        decision: { reason: res.body.items[0].reason },
      });
      // A repeat of the notification changes nothing.
      const again = await post('/v1/alarms/alertmanager', notification(bad, good));
      expect(again.body.items.map((i: { replay: boolean }) => i.replay)).toEqual([true, true]);
    },
  );

  it('reads a host.down from node-exporter labels as about the host', async () => {
    const res = await post(
      '/v1/alarms/alertmanager',
      notification(alert({ instance: 'cmp-03:9100', job: 'node', severity: 'Critical' })),
    );
    expect(res.body.items[0]).toMatchObject({ disposition: 'triggered' });
    const { rows } = await ctx.db.query(
      `SELECT resource_kind, resource_id, severity FROM alarms WHERE source = 'alertmanager'`,
    );
    expect(rows).toEqual([{ resource_kind: 'host', resource_id: 'cmp-03', severity: 'critical' }]);
  });

  it('takes a notification of 2,000 alerts (1.1 MB)', async () => {
    const alerts = Array.from({ length: 2000 }, (_, i) =>
      alert(
        { alertname: 'load.high', host: `cmp-0${(i % 4) + 1}`, n: String(i) },
        { annotations: { description: 'x'.repeat(450) } },
      ),
    );
    const body = notification(...alerts);
    expect(JSON.stringify(body).length).toBeGreaterThan(1_100_000);
    const res = await post('/v1/alarms/alertmanager', body);
    expect(res.status).toBe(202);
    const items = res.body.items as Array<{ disposition: string }>;
    expect(items).toHaveLength(2000);
    expect(new Set(items.map((i) => i.disposition))).toEqual(new Set(['no-rule']));
    // The limit is raised, not gone.
    const huge = notification(alert({ host: 'cmp-01' }, { annotations: { d: 'x'.repeat(9e6) } }));
    expect((await post('/v1/alarms/alertmanager', huge)).status).toBe(413);
  });

  it('keeps an Aodh alarm it cannot map as rejected, and refuses what is not a notification', async () => {
    const aodh = {
      alarm_id: `aodh-${uniqueSuffix()}`,
      alarm_name: 'instance.down',
      current: 'alarm',
      reason_data: { type: 'event', event: { traits: [] } },
    };
    const res = await post('/v1/alarms/aodh', aodh);
    expect(res.status).toBe(202);
    expect(res.body.items[0]).toMatchObject({ disposition: 'rejected', id: aodh.alarm_id });
    expect(res.body.items[0].reason).toContain('reason_data.event.traits');

    for (const [path, body, field] of [
      ['/v1/alarms/aodh', { alarm_name: 'x', current: 'alarm' }, 'alarm_id'],
      ['/v1/alarms/alertmanager', { version: '3', alerts: [] }, 'version'],
      ['/v1/alarms/alertmanager', { version: '4', alerts: 'x' }, 'alerts'],
      ['/v1/alarms/alertmanager', [notification()], ''],
    ] as const) {
      const refused = await post(path, body);
      expect([path, refused.status, refused.body.error.details[0].path]).toEqual([
        path,
        400,
        field,
      ]);
    }
  });
});
