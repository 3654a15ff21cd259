// What the reflex command-line specs share: a small cloud, the rule an operator writes on their first
// day, an alarm that fires it, and an engine (shipped rules in a temporary RULES_DIR, three tokens)
// with the driver stand-in on its topics.
import { copyFile, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AlarmV1, InventoryV1 } from '@reflex/contracts';
import { startTestEngine, type TestEngine } from '../../support/engine-app';
import { http } from '../../support/http';
import { DriverStandIn } from '../../support/driver-stand-in';

export const VIEWER = 'viewer-token-0123456789';
export const OPERATOR = 'operator-token-0123456789';
export const ADMIN = 'admin-token-0123456789';
const SHIPPED_RULES = join(__dirname, '..', '..', '..', 'rules');

export const host = (id: string, zone: string) => ({
  id,
  zone,
  status: 'up' as const,
  hypervisor: 'kvm',
  driver: 'simulator' as const,
  capacity: { vcpus: 16, memoryMb: 32768 },
  labels: {},
});
export const vm = (id: string, hostId: string, over: Record<string, unknown> = {}) => ({
  id,
  hostId,
  kind: 'vm' as const,
  state: 'running' as const,
  resources: { vcpus: 4, memoryMb: 8192 },
  groupId: null,
  role: null,
  ...over,
});

export const CLOUD: InventoryV1 = {
  hosts: [host('cmp-1', 'az1'), host('cmp-2', 'az1'), host('cmp-3', 'az2')],
  instances: [
    vm('db-1', 'cmp-1', { groupId: 'db', role: 'active' }),
    vm('db-2', 'cmp-2', { groupId: 'db', role: 'standby' }),
    vm('app-1', 'cmp-1'),
  ],
  groups: [{ id: 'db', active: 1, standby: 1, antiAffinity: 'host' }],
};

/** The rule an operator writes on their first day: degraded hardware, moved off once approved. */
export const RULE = {
  name: 'degraded-manual',
  description: 'Degraded hardware: move everything off, once an operator approves.',
  enabled: true,
  priority: 70,
  mode: 'manual',
  cooldownSeconds: 600,
  conditions: {
    all: [
      { fact: 'alarm', path: '$.type', operator: 'equal', value: 'host.hardware.degraded' },
      { fact: 'alarm', path: '$.state', operator: 'equal', value: 'firing' },
      { fact: 'host', path: '$.status', operator: 'in', value: ['up', 'disabled'] },
    ],
  },
  event: { type: 'migrate-off', params: { onFailure: 'continue' } },
};

export const alarm = (id: string, hostId: string): AlarmV1 => ({
  id,
  source: 'smartd',
  type: 'host.hardware.degraded',
  severity: 'major',
  state: 'firing',
  resource: { kind: 'host', id: hostId },
  occurredAt: new Date().toISOString(),
});

export const as = (token: string) => ({ authorization: `Bearer ${token}` });

export type CliEnv = { REFLEX_URL: string; REFLEX_TOKEN?: string };

export interface CliFixture {
  readonly engine: TestEngine;
  readonly driver: DriverStandIn;
  /** The engine's RULES_DIR: the shipped rules, plus RULE when asked for. */
  readonly rulesDir: string;
  /** A scratch folder for the files the commands are given. */
  readonly work: string;
  /** The environment of a viewer's shell, and of an operator's. */
  readonly env: CliEnv;
  readonly operator: CliEnv;
  /** Writes `content` as JSON to `name` in the scratch folder; its path. */
  file(name: string, content: unknown): Promise<string>;
}

/**
 * Call at the top of a describe block: before its tests, an engine with the shipped rules (and RULE
 * when `withRule`) and CLOUD as its inventory, and the driver stand-in; after them, all gone.
 */
export function cliFixture(options: { withRule?: boolean } = {}): CliFixture {
  const f = {} as {
    -readonly [K in keyof CliFixture]: CliFixture[K];
  };
  beforeAll(async () => {
    f.rulesDir = await mkdtemp(join(tmpdir(), 'reflex-cli-rules-'));
    f.work = await mkdtemp(join(tmpdir(), 'reflex-cli-work-'));
    for (const name of await readdir(SHIPPED_RULES)) {
      if (name.endsWith('.rule.json'))
        await copyFile(join(SHIPPED_RULES, name), join(f.rulesDir, name));
    }
    if (options.withRule)
      await writeFile(join(f.rulesDir, `${RULE.name}.rule.json`), JSON.stringify(RULE, null, 2));
    f.engine = await startTestEngine({
      RULES_DIR: f.rulesDir,
      RULES_WATCH: 'false',
      AUTH_TOKENS: `watcher:viewer:${VIEWER},ops:operator:${OPERATOR},root:admin:${ADMIN}`,
    });
    f.driver = await DriverStandIn.start(f.engine.config.topicPrefix);
    f.env = { REFLEX_URL: f.engine.url, REFLEX_TOKEN: VIEWER };
    f.operator = { ...f.env, REFLEX_TOKEN: OPERATOR };
    const seeded = await http('PUT', `${f.engine.url}/v1/inventory`, CLOUD, as(ADMIN));
    expect(seeded.status).toBe(200);
  });
  afterAll(async () => {
    await f.driver?.stop();
    await f.engine?.close();
    if (f.rulesDir) await rm(f.rulesDir, { recursive: true, force: true });
    if (f.work) await rm(f.work, { recursive: true, force: true });
  });
  f.file = async (name, content) => {
    await writeFile(join(f.work, name), JSON.stringify(content, null, 2));
    return join(f.work, name);
  };
  return f;
}
