// The set-up most plan specs share: one engine on the real broker and database, and the scripted
// driver stand-in on its topics, started before the describe block's tests and stopped after.
import { startedOnly, startTestEngine, type TestEngine } from './engine-app';
import { DriverStandIn } from './driver-stand-in';

export interface EngineWithDriver {
  readonly engine: TestEngine;
  readonly driver: DriverStandIn;
}

/**
 * Call at the top of a describe block; read `engine` and `driver` inside its tests. `env` overrides
 * the engine's variables (as startTestEngine's does). Hooks run in the order they are declared: a
 * spec's own beforeAll after this call sees both started; anything the spec holds on the engine's
 * database must be let go in an afterAll declared before this call, as the engine's close drops it.
 */
export function engineWithDriver(env: Record<string, string> = {}): EngineWithDriver {
  const started: { engine?: TestEngine; driver?: DriverStandIn } = {};
  beforeAll(async () => {
    started.engine = await startTestEngine(env);
    started.driver = await DriverStandIn.start(started.engine.config.topicPrefix);
  });
  afterAll(async () => {
    await started.driver?.stop();
    await started.engine?.close();
  });
  return {
    get engine() {
      return startedOnly(started.engine, 'the engine');
    },
    get driver() {
      return startedOnly(started.driver, 'the driver stand-in');
    },
  };
}
