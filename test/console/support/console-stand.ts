import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { AlarmV1 } from '@reflex/contracts';
import { type AllInOne, startAllInOne } from '../../../apps/all-in-one/src/all-in-one';
import { allInOneSettings } from '../../../apps/all-in-one/src/all-in-one.settings';
import { createTestDatabase } from '../../support/database';
import { http } from '../../support/http';
import { testTopicPrefix } from '../../support/kafka';
import { uniqueSuffix } from '../../support/wait-for';

/** One token per role; names are what the timelines record. */
export const TOKENS = {
  admin: { name: 'ada', token: 'console-admin-token-0123456789' },
  operator: { name: 'otto', token: 'console-operator-token-0123456789' },
  viewer: { name: 'vera', token: 'console-viewer-token-0123456789' },
} as const;

/** Alarm types no shipped rule knows: the extra rules below make manual plans of them. */
export const MANUAL_ALARM = 'console.test.migrate-off';
/** Its plan (a notification) waits with a reason starting `storm guard:`, as the storm guard's do. */
export const HELD_ALARM = 'console.test.held';

const manualRule = (
  name: string,
  alarmType: string,
  event: { type: string; params: Record<string, string> },
) => ({
  name,
  description: 'Test only: a plan for the host named in this alarm, run once an operator approves.',
  priority: 500,
  mode: 'manual',
  cooldownSeconds: 0,
  conditions: {
    all: [
      { fact: 'alarm', path: '$.type', operator: 'equal', value: alarmType },
      { fact: 'alarm', path: '$.resource.kind', operator: 'equal', value: 'host' },
    ],
  },
  event,
});

/**
 * The shipped rules plus two `manual` ones, so a spec has plans waiting for its Approve buttons
 * (shipped rules hold a plan only in a storm, which takes a zone's hosts down).
 */
function rulesWithManualOnes(): string {
  const dir = mkdtempSync(join(tmpdir(), 'reflex-console-rules-'));
  cpSync(resolve(__dirname, '../../../rules'), dir, { recursive: true });
  for (const rule of [
    manualRule('console-test-manual-migrate-off', MANUAL_ALARM, {
      type: 'migrate-off',
      params: { onFailure: 'stop' },
    }),
    // A notification holds no group, so several can wait at once without waiting for each other.
    manualRule('console-test-held-notify', HELD_ALARM, {
      type: 'notify',
      params: {
        onFailure: 'continue',
        severity: 'warning',
        message: 'held by the console spec',
        approvalReason: 'storm guard: held by the console spec as a storm would hold it',
      },
    }),
  ]) {
    writeFileSync(join(dir, `${rule.name}.rule.json`), JSON.stringify(rule, null, 2));
  }
  return dir;
}

export interface ConsoleStand {
  reflex: AllInOne;
  /** A call to the engine (or, with `driver`, to the driver) as `role`. */
  call<T = any>(
    method: string,
    path: string,
    body?: unknown,
    options?: { role?: keyof typeof TOKENS; driver?: boolean },
  ): Promise<{ status: number; body: T }>;
  /** Monitoring reports `type` on a resource (POST /v1/alarms as the operator). */
  alarm(type: string, kind: 'host' | 'instance', id: string): Promise<{ planId?: string | null }>;
  stop(): Promise<void>;
}

/**
 * Reflex as `npm start` runs it on a real broker and database: the all-in-one's engine and driver
 * (simulator backend, seeded with the demo cloud) on the suite's Kafka and a PostgreSQL database of
 * its own, with AUTH_TOKENS set so every page is seen through a role.
 */
export async function startConsoleStand(): Promise<ConsoleStand> {
  const database = await createTestDatabase('console');
  const rulesDir = rulesWithManualOnes();
  const cleanUp = async () => {
    rmSync(rulesDir, { recursive: true, force: true });
    await database.drop();
  };
  let reflex: AllInOne;
  try {
    const settings = allInOneSettings(
      {
        PATH: process.env.PATH,
        KAFKA_BROKERS: process.env.KAFKA_BROKERS,
        DATABASE_URL: database.url,
        TOPIC_PREFIX: testTopicPrefix(),
        TOPIC_PARTITIONS: '3',
        TOPIC_REPLICATION_FACTOR: '1',
        PORT: '0',
        DRIVER_PORT: '0',
        HOST: '127.0.0.1',
        LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'error',
        AUTH_TOKENS: Object.entries(TOKENS)
          .map(([role, t]) => `${t.name}:${role}:${t.token}`)
          .join(','),
        RULES_DIR: rulesDir,
        RULES_WATCH: 'false',
        // A 16 GiB VM moves in about 5 s, and in about a minute under a `slow` fault: long enough to
        // watch its progress bar and press Abort.
        SIMULATOR_BANDWIDTH_MBPS: '3000',
        DRIVER_PROGRESS_INTERVAL_MS: '100',
        SHUTDOWN_TIMEOUT_MS: '10000',
      },
      [],
    );
    reflex = await startAllInOne(settings);
  } catch (error) {
    await cleanUp();
    throw error;
  }
  const call: ConsoleStand['call'] = (method, path, body, options = {}) =>
    http(method, `${options.driver ? reflex.driverUrl : reflex.engineUrl}${path}`, body, {
      authorization: `Bearer ${TOKENS[options.role ?? 'admin'].token}`,
    });
  return {
    reflex,
    call,
    alarm: async (type, kind, id) => {
      const alarm: AlarmV1 = {
        id: `console-${type}-${id}-${uniqueSuffix()}`,
        source: 'console-spec',
        type,
        severity: 'critical',
        state: 'firing',
        resource: { kind, id },
        occurredAt: new Date().toISOString(),
      };
      const answer = await call<{ items: Array<{ planId?: string | null }> }>(
        'POST',
        '/v1/alarms',
        alarm,
        { role: 'operator' },
      );
      if (answer.status >= 300) {
        throw new Error(`alarm ${type} ${id}: ${answer.status} ${JSON.stringify(answer.body)}`);
      }
      return answer.body.items[0];
    },
    stop: async () => {
      try {
        await reflex.close();
      } finally {
        await cleanUp();
      }
    },
  };
}
