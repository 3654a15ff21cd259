// Drives a driver the way the engine does: commands on <prefix>driver.commands, events read back
// from <prefix>driver.events (every one checked against the Driver event v1 schema), plus the
// simulator control API.
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decoderFor } from '@reflex/contracts';
import type { DriverCommandV1, DriverEventV1 } from '@reflex/contracts/driver.v1';
import type { InventoryV1 } from '@reflex/contracts/inventory.v1';
import type { Consumer } from 'kafkajs';
import type { SimCall } from '../../../apps/driver/src/backends/simulator/simulator.state';
import { simulatedCloud } from '../../../apps/driver/src/backends/simulator/testing/simulated-topology';
import { recordingHook, tempDir } from '../../driver-backends/support/driver-fixtures';
import { http } from '../../support/http';
import { sendMessages, testKafka } from '../../support/kafka';
import { waitFor } from '../../support/wait-for';

export const FINAL = ['succeeded', 'failed', 'aborted'];
const decode = decoderFor('driver-event.v1');

/** Every event the driver publishes under one prefix, collected from the start of the topic. */
export class EventLog {
  readonly events: DriverEventV1[] = [];
  /** Events that failed the Driver event v1 schema; must stay empty. */
  readonly invalid: string[] = [];

  /** partition → the next offset to read. */
  private readonly positions = new Map<number, bigint>();

  private constructor(
    private readonly consumer: Consumer,
    private readonly topic: string,
  ) {}

  static async start(prefix: string): Promise<EventLog> {
    const consumer = testKafka('driver-events-log').consumer({
      groupId: `driver-events-log-${randomBytes(4).toString('hex')}`,
      maxWaitTimeInMs: 50,
    });
    const log = new EventLog(consumer, `${prefix}driver.events`);
    await consumer.connect();
    await consumer.subscribe({ topic: `${prefix}driver.events`, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        log.positions.set(partition, BigInt(message.offset) + 1n);
        const raw = message.value?.toString() ?? '';
        try {
          log.events.push(decode(raw));
        } catch (error) {
          log.invalid.push(`${(error as Error).message}: ${raw.slice(0, 300)}`);
        }
      },
    });
    return log;
  }

  of(actionId: string, attempt = 1): DriverEventV1[] {
    return this.events.filter((e) => e.actionId === actionId && e.attempt === attempt);
  }

  statuses(actionId: string, attempt = 1): string[] {
    return this.of(actionId, attempt).map((e) => e.status);
  }

  finals(actionId: string, attempt = 1): DriverEventV1[] {
    return this.of(actionId, attempt).filter((e) => FINAL.includes(e.status));
  }

  /**
   * The distinct final events of an attempt, by content. A re-published result is read back from
   * `driver_actions.final_event`, a jsonb column, which keeps the values but not the order of the
   * keys: the first publication (from memory) and a repeat differ as text, never as content.
   */
  distinctFinals(actionId: string, attempt = 1): string[] {
    return [...new Set(this.finals(actionId, attempt).map((e) => JSON.stringify(sortedKeys(e))))];
  }

  async final(actionId: string, attempt = 1, timeoutMs = 20_000): Promise<DriverEventV1> {
    return waitFor(
      `the final event of ${actionId}#${attempt}`,
      () => this.finals(actionId, attempt)[0],
      { timeoutMs },
    );
  }

  async next(actionId: string, status: string, timeoutMs = 20_000): Promise<DriverEventV1> {
    return waitFor(
      `a ${status} event of ${actionId}`,
      () => this.of(actionId).find((e) => e.status === status),
      { timeoutMs },
    );
  }

  /**
   * Waits until everything on the topic now (its end offsets at this call) has been read, so that
   * "exactly one" assertions see every event published so far, without needing the driver.
   */
  async caughtUp(): Promise<void> {
    const admin = testKafka('driver-events-offsets').admin();
    await admin.connect();
    let ends: Array<{ partition: number; offset: string }>;
    try {
      ends = await admin.fetchTopicOffsets(this.topic);
    } finally {
      await admin.disconnect();
    }
    await waitFor(`${this.topic} read to its end`, () =>
      ends.every((e) => (this.positions.get(e.partition) ?? 0n) >= BigInt(e.offset)),
    );
  }

  close(): Promise<void> {
    return this.consumer.disconnect();
  }
}

let seq = 0;
export const newActionId = (label: string) =>
  `${label}-${Date.now().toString(36)}-${++seq}-${randomBytes(2).toString('hex')}`;

export function migrate(
  actionId: string,
  params: { instanceId: string; fromHostId: string; toHostId: string },
  options: { deadlineMs?: number; attempt?: number; type?: 'live-migrate' | 'cold-migrate' } = {},
): DriverCommandV1 {
  return {
    kind: 'execute',
    actionId,
    planId: 'plan-test',
    attempt: options.attempt ?? 1,
    type: options.type ?? 'live-migrate',
    params,
    deadline: new Date(Date.now() + (options.deadlineMs ?? 60_000)).toISOString(),
  };
}

/** An execute moving `instanceId` from cmp-01 to cmp-02 (hosts of simCloud), its id from `label`. */
export const simMigrate = (
  label: string,
  instanceId: string,
  options?: Parameters<typeof migrate>[2],
) => migrate(newActionId(label), { instanceId, fromHostId: 'cmp-01', toHostId: 'cmp-02' }, options);

/** Sends `command` and waits for its first progress report: the action is under way. */
export async function sendUnderWay(
  log: EventLog,
  prefix: string,
  command: DriverCommandV1,
): Promise<void> {
  await sendCommands(prefix, command);
  await log.next(command.actionId, 'progress');
}

/** The same action with another kind: abort, force-complete, or a repeated execute. */
export const withKind = (c: DriverCommandV1, kind: DriverCommandV1['kind']): DriverCommandV1 => ({
  ...c,
  kind,
});

export async function sendCommands(prefix: string, ...commands: DriverCommandV1[]): Promise<void> {
  await sendMessages(
    `${prefix}driver.commands`,
    commands.map((c) => ({ key: c.actionId, value: JSON.stringify(c) })),
  );
}

/**
 * Sends an abort for an attempt the driver never saw, with the same key as `actionId`, and waits
 * for its `failed` answer. Events of one key share a partition and the driver's one producer
 * sends them in order, so once the answer is read every earlier event of that action has been.
 */
export async function drain(log: EventLog, prefix: string, actionId: string): Promise<void> {
  const probe: DriverCommandV1 = { ...migrate(actionId, probeParams), kind: 'abort', attempt: 999 };
  // A repeated probe is answered from its record, so count answers rather than look for one.
  const answered = log.finals(actionId, 999).length;
  await sendCommands(prefix, probe);
  await waitFor(
    `the probe answer for ${actionId}`,
    () => log.finals(actionId, 999).length > answered,
  );
}
const probeParams = { instanceId: 'probe', fromHostId: 'probe', toHostId: 'probe' };

/** The simulator control API of one driver (CONTRACT §7). */
export function simControl(url: string) {
  return {
    seed: async (inventory: InventoryV1) => {
      const res = await http('PUT', `${url}/v1/sim/state`, inventory);
      if (res.status !== 200) throw new Error(`seed: ${res.status} ${JSON.stringify(res.body)}`);
    },
    state: async () => (await http<InventoryV1>('GET', `${url}/v1/sim/state`)).body,
    calls: async () => (await http<{ items: SimCall[] }>('GET', `${url}/v1/sim/calls`)).body.items,
    fault: async (fault: Record<string, unknown>) => {
      const res = await http('POST', `${url}/v1/sim/faults`, fault);
      if (res.status !== 201) throw new Error(`fault: ${res.status} ${JSON.stringify(res.body)}`);
    },
    clearFaults: () => http('DELETE', `${url}/v1/sim/faults`),
  };
}

/** The backend calls of one action, e.g. `['start', 'abort', 'failPath']`. */
export const callsOf = (calls: SimCall[], actionId: string) =>
  calls.filter((c) => c.actionId === actionId);

/** Hosts cmp-01..03 (simulator) and one VM per entry of `memoryMb`, all on cmp-01. */
export function simCloud(vms: Record<string, number>): InventoryV1 {
  return simulatedCloud(
    ['cmp-01', 'cmp-02', 'cmp-03'],
    { vcpus: 256, memoryMb: 1_048_576 },
    Object.entries(vms).map(([id, memoryMb]) => [id, 'cmp-01', { vcpus: 1, memoryMb }]),
  );
}

/** A config file (YAML is a superset of JSON) in a temp dir. */
export function writeConfig(name: string, content: unknown): string {
  const path = join(tempDir('driver-config'), name);
  writeFileSync(path, JSON.stringify(content, null, 2));
  return path;
}

/** A hooks file whose `fail` hook (for every action type) records the JSON it is given. */
export function recordingFailHook() {
  const hook = recordingHook(tempDir('driver-hooks'));
  const file = writeConfig('hooks.yaml', {
    hooks: { '*': { fail: [{ name: 'record-fail', command: hook.path }] } },
  });
  return { file, payloads: hook.payloads };
}

/** `value` with every object's keys in sorted order, for comparing content whatever the key order. */
function sortedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((k) => [k, sortedKeys((value as Record<string, unknown>)[k])]),
  );
}
