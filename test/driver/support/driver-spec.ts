// The set-up the backend specs of the driver share: one driver on the real broker and database,
// on the backends a spec describes, with a fail hook that records what it is given, and the events
// the driver publishes; started before the describe block's tests and stopped after.
import type { DriverCommandV1, DriverEventV1 } from '@reflex/contracts/driver.v1';
import type { HookPayload } from '../../../apps/driver/src/hooks/hook.types';
import { startTestDriver, type TestDriver } from '../../support/driver-app';
import { startedOnly } from '../../support/engine-app';
import {
  drain,
  EventLog,
  recordingFailHook,
  sendCommands,
  withKind,
  writeConfig,
} from './driver-harness';

export interface DriverSpec {
  readonly driver: TestDriver;
  readonly log: EventLog;
  send(...commands: DriverCommandV1[]): Promise<void>;
  /** Sends `command` and waits for its final event. */
  run(command: DriverCommandV1): Promise<DriverEventV1>;
  /** Sends `command`, then `kind` once it reports progress, and waits for its final event. */
  interrupt(command: DriverCommandV1, kind: 'abort' | 'force-complete'): Promise<DriverEventV1>;
  /** Waits until every event of `actionId` published so far has been read (see `drain`). */
  drain(actionId: string): Promise<void>;
  /** What the fail hook was given for one action. */
  failHooks(actionId: string): HookPayload[];
}

/**
 * Call at the top of a describe block. `backends` is the DRIVER_BACKENDS_FILE's content, asked for
 * once the block's earlier beforeAll hooks have run (a fake cloud's address is known by then);
 * `env` adds to the driver's variables. Every test must leave no event that fails the schema.
 */
export function driverSpec(backends: () => unknown, env: Record<string, string> = {}): DriverSpec {
  const started: { driver?: TestDriver; log?: EventLog } = {};
  let hook: ReturnType<typeof recordingFailHook>;
  beforeAll(async () => {
    hook = recordingFailHook();
    started.driver = await startTestDriver({
      env: {
        ...env,
        DRIVER_HOOKS_FILE: hook.file,
        DRIVER_BACKENDS_FILE: writeConfig('backends.yaml', backends()),
      },
    });
    started.log = await EventLog.start(started.driver.config.topicPrefix);
  });
  afterAll(async () => {
    await started.log?.close();
    await started.driver?.close();
  });
  afterEach(() => expect(spec.log.invalid).toEqual([]));
  const spec: DriverSpec = {
    get driver() {
      return startedOnly(started.driver, 'the driver');
    },
    get log() {
      return startedOnly(started.log, 'the event log');
    },
    send: (...commands) => sendCommands(spec.driver.config.topicPrefix, ...commands),
    run: async (command) => {
      await spec.send(command);
      return spec.log.final(command.actionId);
    },
    interrupt: async (command, kind) => {
      await spec.send(command);
      await spec.log.next(command.actionId, 'progress');
      await spec.send(withKind(command, kind));
      return spec.log.final(command.actionId);
    },
    drain: (actionId) => drain(spec.log, spec.driver.config.topicPrefix, actionId),
    failHooks: (actionId) => hook.payloads('fail').filter((p) => p.action.actionId === actionId),
  };
  return spec;
}
