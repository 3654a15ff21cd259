// Reflex behind a real Alertmanager (Debian's prometheus-alertmanager), which posts whole groups,
// never retries a 4xx, authenticates with a bearer token (http_config.authorization), and forgets
// its alerts when restarted without its data directory.
import { Client } from 'pg';
import { startTestEngine, type TestEngine } from '../support/engine-app';
import { http } from '../support/http';
import { postAlerts, startAlertmanager, type RunningTool } from '../support/prometheus';
import { smallCloud } from '../support/topology';
import { uniqueSuffix, waitFor } from '../support/wait-for';

const AM_TOKEN = 'alertmanager-token-0123456789';
const ADMIN_TOKEN = 'admin-token-0123456789abcdef';

interface AlarmItem {
  alarmId: string;
  state: string;
  disposition: string;
  resource: { kind: string; id: string } | null;
  decision: { reason?: string } | null;
}

describe('Alertmanager → Reflex (real prometheus-alertmanager)', () => {
  let engine: TestEngine;
  let db: Client;
  const running: RunningTool[] = [];
  const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };
  const webhookUrl = () => `${engine.url}/v1/alarms/alertmanager`;
  const alertmanager = async () => {
    const am = await startAlertmanager({ webhookUrl: webhookUrl(), token: AM_TOKEN });
    running.push(am);
    return am;
  };
  const alarmsOf = async (type: string): Promise<AlarmItem[]> =>
    (await http('GET', `${engine.url}/v1/alarms?type=${type}&limit=1000`, undefined, admin)).body
      .items;

  beforeAll(async () => {
    engine = await startTestEngine({
      AUTH_TOKENS: `alertmanager:operator:${AM_TOKEN},tester:admin:${ADMIN_TOKEN}`,
    });
    db = new Client({ connectionString: engine.database.url });
    await db.connect();
    const put = await http('PUT', `${engine.url}/v1/inventory`, smallCloud(), admin);
    expect(put.status).toBe(200);
  });
  afterAll(async () => {
    await Promise.all(running.map((tool) => tool.stop()));
    await db?.end();
    await engine?.close();
  });

  // Found: one alert without a resource label made the group's notification a 400; Alertmanager
  // does not retry a 4xx, so no alert of the group, and none of their resolves, ever arrived.
  it('delivers every other alert of a group, and every resolve, when one cannot be mapped', async () => {
    const am = await alertmanager();
    const type = `group.test-${uniqueSuffix()}`;
    const startsAt = new Date().toISOString();
    const alert = (labels: Record<string, string>, endsAt?: string) => ({
      labels: { alertname: type, ...labels },
      annotations: { summary: 'from a real Alertmanager' },
      startsAt,
      ...(endsAt ? { endsAt } : {}),
    });
    const hosts = ['cmp-01', 'cmp-02', 'cmp-03'];
    const group = (endsAt?: string) => [
      ...hosts.map((host) => alert({ host, severity: 'warning' }, endsAt)),
      alert({ job: 'node', severity: 'warning' }, endsAt),
    ];
    await postAlerts(am, group());
    const firing = await waitFor(
      'four firing alarms',
      async () => ((await alarmsOf(type)).length === 4 ? alarmsOf(type) : undefined),
      { timeoutMs: 30_000, intervalMs: 200 },
    );
    const rejected = firing.filter((a) => a.disposition === 'rejected');
    expect(rejected).toHaveLength(1);
    expect(rejected[0].resource).toBeNull();
    expect(rejected[0].decision?.reason).toMatch(/labels needs one of the labels host/);
    expect(
      firing
        .filter((a) => a.disposition === 'no-rule')
        .map((a) => a.resource?.id)
        .sort(),
    ).toEqual(hosts);

    await postAlerts(am, group(new Date().toISOString()));
    const resolves = await waitFor(
      'the resolves of the three mapped alerts',
      async () => {
        const resolved = (await alarmsOf(type)).filter((a) => a.disposition === 'resolved');
        return resolved.length === 3 ? resolved : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 200 },
    );
    expect(resolves.map((a) => a.resource?.id).sort()).toEqual(hosts);
    expect(resolves.every((a) => a.decision?.reason === 'closed')).toBe(true);
    await am.stop();
  });

  // Found: a group of 2,000 alerts (1.1 MB) was refused with 413.
  it('takes a group of 2,000 alerts in one notification', async () => {
    const am = await alertmanager();
    const type = `big.group-${uniqueSuffix()}`;
    const startsAt = new Date().toISOString();
    const alerts = Array.from({ length: 2000 }, (_, i) => ({
      labels: { alertname: type, host: `cmp-0${(i % 4) + 1}`, n: String(i), severity: 'info' },
      annotations: { description: `alert ${i} `.padEnd(480, 'x') },
      startsAt,
    }));
    expect(JSON.stringify(alerts).length).toBeGreaterThan(1_000_000);
    await postAlerts(am, alerts);
    const stored = await waitFor(
      'all 2,000 alerts stored',
      async () => {
        const { rows } = await db.query<{ n: string }>(
          'SELECT count(*) AS n FROM alarms WHERE type = $1',
          [type],
        );
        return Number(rows[0].n) === 2000 ? rows : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 250 },
    );
    expect(stored).toHaveLength(1);
    await am.stop();
  });

  // Found: an alert that fired again after a resolve Reflex never saw (Alertmanager restarted
  // without its data) was taken as a duplicate of the first, for good.
  it('takes an alert that fires again after a restart as a new alarm', async () => {
    const type = `refire.test-${uniqueSuffix()}`;
    const alert = (startsAt: string) => ({
      labels: { alertname: type, host: 'cmp-04' },
      annotations: {},
      startsAt,
    });
    const first = await alertmanager();
    await postAlerts(first, [alert(new Date(Date.now() - 60_000).toISOString())]);
    await waitFor('the first firing', async () => (await alarmsOf(type)).length === 1, {
      timeoutMs: 30_000,
      intervalMs: 200,
    });
    await first.stop();

    const second = await alertmanager();
    await postAlerts(second, [alert(new Date().toISOString())]);
    const both = await waitFor(
      'the second firing',
      async () => {
        const items = await alarmsOf(type);
        return items.length === 2 ? items : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 200 },
    );
    expect(both.map((a) => a.disposition)).toEqual(['no-rule', 'no-rule']);
    expect(new Set(both.map((a) => a.alarmId)).size).toBe(2);
    await second.stop();
  });

  it('is refused without the token, so Alertmanager must be configured with one', async () => {
    const res = await http('POST', webhookUrl(), { version: '4', alerts: [] });
    expect(res.status).toBe(401);
  });
});
