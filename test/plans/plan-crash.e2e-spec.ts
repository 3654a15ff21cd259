import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { startTestEngine, type TestEngine } from '../support/engine-app';
import { kafkaBrokers } from '../support/kafka';
import { waitFor } from '../support/wait-for';
import { DriverStandIn, succeed, success } from '../support/driver-stand-in';
import {
  call,
  createPlan,
  host,
  hostRef,
  intent,
  inventory,
  seed,
  vm,
  waitForPlanState,
} from './support/plan-fixtures';
import { freePort } from '../support/free-port';

const ROOT = join(__dirname, '../..');

/** The engine's own entry point, in a process of its own that the test can SIGKILL. */
class EngineProcess {
  private child: ChildProcess | null = null;
  output = '';

  constructor(private readonly env: Record<string, string>) {}

  get url(): string {
    return `http://127.0.0.1:${this.env.PORT}`;
  }

  async start(): Promise<void> {
    const child = spawn(process.execPath, ['-r', '@swc-node/register', 'apps/engine/src/main.ts'], {
      cwd: ROOT,
      env: { ...process.env, ...this.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    child.stdout.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    await waitFor(
      'the engine process to be ready',
      async () => {
        if (child.exitCode !== null) throw new Error(`engine exited:\n${this.output.slice(-3000)}`);
        const res = await fetch(`${this.url}/readyz`).catch(() => null);
        return res?.status === 200;
      },
      { timeoutMs: 60_000, intervalMs: 200 },
    );
  }

  async kill(signal: NodeJS.Signals): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill(signal);
    await exited;
  }
}

describe('crash safety: an engine SIGKILLed mid-plan resumes it to success', () => {
  let seeder: TestEngine;
  let engine: EngineProcess;
  let driver: DriverStandIn;

  afterAll(async () => {
    await engine?.kill('SIGTERM');
    await driver?.stop();
    await seeder?.database.drop();
  });

  it('resumes after SIGKILL and sends no command twice for one attempt', async () => {
    // The plan is made by this process, on the database and topics the child engine then uses.
    seeder = await startTestEngine();
    await seed(
      seeder,
      inventory(
        [host('k1'), host('k2'), host('k3')],
        [vm('k-vm1', 'k1'), vm('k-vm2', 'k1'), vm('k-vm3', 'k1')],
      ),
    );
    const outcome = await createPlan(
      seeder,
      intent('host-drain', hostRef('k1'), { mode: 'manual' }),
    );
    expect(outcome.state).toBe('pending_approval');
    const planId = outcome.planId!;
    const prefix = seeder.config.topicPrefix;
    await seeder.app.close();

    engine = new EngineProcess({
      KAFKA_BROKERS: kafkaBrokers().join(','),
      DATABASE_URL: seeder.database.url,
      TOPIC_PREFIX: prefix,
      TOPIC_PARTITIONS: '3',
      TOPIC_REPLICATION_FACTOR: '1',
      PORT: String(await freePort()),
      HOST: '127.0.0.1',
      LOG_LEVEL: process.env.CRASH_LOG_LEVEL ?? 'warn',
      RULES_DIR: join(ROOT, 'rules'),
    });
    await engine.start();

    // The first command is received and left unanswered: the engine dies while it is under way.
    driver = await DriverStandIn.start(prefix);
    let first = true;
    driver.use((c) => {
      if (!first) return succeed(2)(c);
      first = false;
      return 'silent';
    });
    const approved = await call(engine, 'POST', `/v1/plans/${planId}/approve`, { by: 'test' });
    expect(approved.body.state).toBe('running');
    const inFlight = await driver.waitForCommand('the first command', (c) => c.kind === 'execute');
    await engine.kill('SIGKILL');

    await engine.start();
    await driver.release(inFlight.actionId, success(2));
    const plan = await waitForPlanState(engine, planId, 'succeeded', 90_000);

    expect(plan.actions.map((a) => [a.type, a.state, a.attempts])).toEqual([
      ['set-host-status', 'succeeded', 1],
      ['live-migrate', 'succeeded', 1],
      ['live-migrate', 'succeeded', 1],
      ['live-migrate', 'succeeded', 1],
      ['set-host-status', 'succeeded', 1],
    ]);
    if (process.env.CRASH_LOG_LEVEL) process.stdout.write(engine.output);
    expect(driver.duplicates()).toEqual([]);
    expect(driver.executes(planId)).toHaveLength(plan.actions.length);
    const inventoryNow = await call(engine, 'GET', '/v1/inventory');
    expect(
      (inventoryNow.body as { instances: { hostId: string }[] }).instances.map((i) => i.hostId),
    ).not.toContain('k1');
  }, 180_000);
});
