// Reflex behind a real Prometheus and Alertmanager (Debian's packages): a rule that fires at its
// first evaluation, labelled the way node-exporter alerts are (`instance` is the scrape target,
// `host:port`), reaches Reflex about the host.
import { startTestEngine, type TestEngine } from '../support/engine-app';
import { http } from '../support/http';
import { startAlertmanager, startPrometheus, type RunningTool } from '../support/prometheus';
import { smallCloud } from '../support/topology';
import { uniqueSuffix, waitFor } from '../support/wait-for';

describe('Prometheus → Alertmanager → Reflex (real prometheus)', () => {
  let engine: TestEngine;
  const running: RunningTool[] = [];

  beforeAll(async () => {
    engine = await startTestEngine();
    expect((await http('PUT', `${engine.url}/v1/inventory`, smallCloud())).status).toBe(200);
  });
  afterAll(async () => {
    for (const tool of running.reverse()) await tool.stop();
    await engine?.close();
  });

  // Found: `instance="cmp-02:9100"` was read as the id of a VM (rejected: unknown instance), and
  // `severity="Critical"` was dropped.
  it("reads the host from Prometheus's instance label, and severity in any case", async () => {
    const alertname = `NodeDown_${uniqueSuffix()}`;
    const am = await startAlertmanager({ webhookUrl: `${engine.url}/v1/alarms/alertmanager` });
    running.push(am);
    const rules = `groups:
  - name: reflex-test
    rules:
      - alert: ${alertname}
        expr: vector(1)
        labels:
          instance: cmp-02:9100
          job: node
          severity: Critical
        annotations:
          summary: node exporter on cmp-02 is down
`;
    running.push(await startPrometheus(am, rules));
    const [alarm] = await waitFor(
      'the alert from Prometheus',
      async () => {
        const res = await http('GET', `${engine.url}/v1/alarms?type=${alertname}`);
        return res.body.items.length > 0 ? res.body.items : undefined;
      },
      { timeoutMs: 45_000, intervalMs: 250 },
    );
    expect(alarm).toMatchObject({
      source: 'alertmanager',
      resource: { kind: 'host', id: 'cmp-02' },
      severity: 'critical',
      disposition: 'no-rule',
      labels: { instance: 'cmp-02:9100', severity: 'Critical' },
      annotations: { summary: 'node exporter on cmp-02 is down' },
    });
  });
});
