// Real Prometheus and Alertmanager (Debian's `prometheus` and `prometheus-alertmanager`) for the
// specs that check Reflex against the clients it is written for. Each runs on free ports in its own
// temp dir, and stop() ends it and removes the dir.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port';
import { waitFor } from './wait-for';

export const ALERTMANAGER_BIN = process.env.ALERTMANAGER_BIN ?? '/usr/bin/prometheus-alertmanager';
export const PROMETHEUS_BIN = process.env.PROMETHEUS_BIN ?? '/usr/bin/prometheus';

export interface RunningTool {
  url: string;
  dir: string;
  /** What it printed, for a failing test's message. */
  output(): string;
  stop(): Promise<void>;
}

async function startTool(
  name: string,
  bin: string,
  args: (dir: string, address: string) => string[],
  files: Record<string, string>,
): Promise<RunningTool> {
  const dir = mkdtempSync(join(tmpdir(), `reflex-${name}-`));
  for (const [file, text] of Object.entries(files)) writeFileSync(join(dir, file), text);
  const address = `127.0.0.1:${await freePort()}`;
  const child: ChildProcess = spawn(bin, args(dir, address), {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-20_000));
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let gone = false;
  void exited.then(() => (gone = true));
  const tool: RunningTool = {
    url: `http://${address}`,
    dir,
    output: () => output,
    stop: async () => {
      if (!gone) child.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
  try {
    await waitFor(
      `${name} ready on ${address}`,
      async () => {
        if (gone) throw new Error(`${name} exited: ${output.slice(-2000)}`);
        return (await fetch(`${tool.url}/-/ready`).catch(() => null))?.ok;
      },
      { timeoutMs: 60_000, intervalMs: 100 },
    );
  } catch (error) {
    await tool.stop();
    throw error;
  }
  return tool;
}

export interface AlertmanagerOptions {
  /** Reflex's webhook, e.g. `${engine.url}/v1/alarms/alertmanager`. */
  webhookUrl: string;
  /** Sent as `Authorization: Bearer` (http_config.authorization). */
  token?: string;
}

/**
 * Alertmanager grouping every alert of a name into one notification, sent as soon as it changes
 * (group_wait and group_interval of a second: the smallest that keeps a test short), resolves
 * included. Clustering is off, so it needs no second port.
 */
export function startAlertmanager(options: AlertmanagerOptions): Promise<RunningTool> {
  const auth = options.token
    ? `\n      http_config:\n        authorization:\n          type: Bearer\n          credentials: ${JSON.stringify(options.token)}`
    : '';
  const config = `route:
  receiver: reflex
  group_by: [alertname]
  group_wait: 1s
  group_interval: 1s
  repeat_interval: 4h
receivers:
  - name: reflex
    webhook_configs:
    - url: ${JSON.stringify(options.webhookUrl)}
      send_resolved: true${auth}
`;
  return startTool(
    'alertmanager',
    ALERTMANAGER_BIN,
    (dir, address) => [
      `--config.file=${join(dir, 'alertmanager.yml')}`,
      `--storage.path=${join(dir, 'data')}`,
      `--web.listen-address=${address}`,
      '--cluster.listen-address=',
      '--log.level=warn',
    ],
    { 'alertmanager.yml': config },
  );
}

/** Posts alerts to Alertmanager's API, as Prometheus would (v2 `postableAlerts`). */
export async function postAlerts(alertmanager: RunningTool, alerts: object[]): Promise<void> {
  const res = await fetch(`${alertmanager.url}/api/v2/alerts`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(alerts),
  });
  if (!res.ok)
    throw new Error(`alertmanager refused the alerts: ${res.status} ${await res.text()}`);
}

/** Prometheus evaluating `rules` (a rule file's YAML) every second, alerting `alertmanager`. */
export function startPrometheus(alertmanager: RunningTool, rules: string): Promise<RunningTool> {
  const config = `global:
  evaluation_interval: 1s
  scrape_interval: 1h
rule_files: [rules.yml]
alerting:
  alertmanagers:
    - static_configs:
        - targets: [${JSON.stringify(new URL(alertmanager.url).host)}]
`;
  return startTool(
    'prometheus',
    PROMETHEUS_BIN,
    (dir, address) => [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=${address}`,
      // Prometheus finds its Alertmanager about 5 s after start and drops what fired before; it
      // sends again only after this delay (1 min by default).
      '--rules.alert.resend-delay=1s',
      '--log.level=warn',
    ],
    { 'prometheus.yml': config, 'rules.yml': rules },
  );
}
