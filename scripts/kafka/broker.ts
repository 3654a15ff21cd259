import { existsSync, readFileSync, rmSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  BrokerLayout,
  log4jProperties,
  newClusterId,
  serverProperties,
  tailLines,
} from './broker-config';
import { BrokerProcess, type BrokerProcessSpec } from './broker-process';
import { ensureKafkaJars, EnsureJarsOptions } from './jars';
import { checkPortFree, freePorts } from './ports';
import { waitForKafka } from './readiness';
import { checkJava, javaCommand, runToolOrFail } from './tools';

export { ensureKafkaJars, kafkaVersion } from './jars';
export type { KafkaJars } from './jars';
export { freePorts } from './ports';
export { waitForKafka, type WaitOptions } from './readiness';

export interface StartBrokerOptions extends EnsureJarsOptions {
  /** PLAINTEXT port; a free one chosen by the OS when omitted. */
  port?: number;
  /** How long the broker may take to answer requests; the JVM alone needs a few seconds. */
  startTimeoutMs?: number;
  /** How long a SIGTERM may take before SIGKILL. */
  stopTimeoutMs?: number;
}

export interface KafkaBroker {
  /** `127.0.0.1:<port>`, ready for KAFKA_BROKERS. */
  brokers: string;
  logFile: string;
  dataDir: string;
  /** The JVM's pid; a new one after `restart()`. */
  readonly pid: number;
  version: string;
  jarsFromCache: boolean;
  /** Of startMs, the time spent finding or downloading the jars. */
  jarsMs: number;
  /** From the call to the broker answering, jar download included. */
  startMs: number;
  /** Settles when the current broker process ends, whoever ended it. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGTERM, SIGKILL after stopTimeoutMs, then the data dir is removed. Safe to call twice. */
  stop(): Promise<void>;
  /**
   * Takes the broker down but keeps its ports and data dir, for tests of a broker outage:
   * `SIGTERM` is a clean shutdown, `SIGKILL` a crash. `restart()` brings it back.
   */
  halt(signal?: 'SIGTERM' | 'SIGKILL'): Promise<void>;
  /**
   * Starts a halted (or crashed) broker again on the same ports with the same data, and resolves
   * once it answers: clients see the same broker come back. A no-op while it runs.
   */
  restart(): Promise<void>;
}

/** The end of a broker log, for messages that must explain why it stopped. */
export function logTail(logFile: string): string {
  if (!existsSync(logFile)) return '(the broker wrote no log)';
  return tailLines(readFileSync(logFile, 'utf8'), 40) || '(the broker log is empty)';
}

/**
 * Starts a single-node Apache Kafka broker (KRaft, broker and controller in one JVM) on 127.0.0.1 in
 * a fresh temporary data dir, and resolves once it answers requests.
 */
export async function startKafkaBroker(options: StartBrokerOptions = {}): Promise<KafkaBroker> {
  const started = Date.now();
  const { startTimeoutMs = 60_000, stopTimeoutMs = 15_000 } = options;
  await checkJava();
  const jars = await ensureKafkaJars(options);
  const jarsMs = Date.now() - started;
  if (options.port) await checkPortFree(options.port);
  const [controllerPort, freePort] = await freePorts(options.port ? 1 : 2);
  const port = options.port ?? freePort;
  const clusterId = newClusterId();

  const dataDir = await mkdtemp(join(tmpdir(), 'reflex-kafka-'));
  const layout: BrokerLayout = {
    port,
    controllerPort,
    logDir: join(dataDir, 'data'),
    logFile: join(dataDir, 'broker.log'),
  };
  const serverConfig = join(dataDir, 'server.properties');
  const log4jConfig = join(dataDir, 'log4j.properties');
  const jvmArgs = [
    '-cp',
    join(jars.libsDir, '*'),
    `-Dlog4j.configuration=file:${log4jConfig}`,
    '-Djava.awt.headless=true',
  ];

  try {
    await writeFile(serverConfig, serverProperties(layout));
    await writeFile(log4jConfig, log4jProperties(layout));
    await runToolOrFail('Formatting the Kafka storage (kafka.tools.StorageTool)', javaCommand(), [
      // A one-shot tool never lives long enough for the optimising compiler to pay off: ~30% faster.
      '-XX:TieredStopAtLevel=1',
      '-XX:+UseSerialGC',
      ...jvmArgs,
      'kafka.tools.StorageTool',
      'format',
      '-t',
      clusterId,
      '-c',
      serverConfig,
    ]);
  } catch (error) {
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
  const spec: BrokerProcessSpec = {
    args: ['-Xmx512m', ...jvmArgs, 'kafka.Kafka', serverConfig],
    logFile: layout.logFile,
    dataDir,
    stopTimeoutMs,
  };
  return superviseBroker(spec, {
    brokers: `127.0.0.1:${port}`,
    clusterId,
    logFile: layout.logFile,
    dataDir,
    version: jars.version,
    jarsFromCache: jars.fromCache,
    jarsMs,
    started,
    startTimeoutMs,
  });
}

interface Supervision {
  brokers: string;
  clusterId: string;
  logFile: string;
  dataDir: string;
  version: string;
  jarsFromCache: boolean;
  jarsMs: number;
  started: number;
  startTimeoutMs: number;
}

async function superviseBroker(spec: BrokerProcessSpec, s: Supervision): Promise<KafkaBroker> {
  let run: BrokerProcess;
  try {
    run = new BrokerProcess(spec);
  } catch (error) {
    await rm(s.dataDir, { recursive: true, force: true });
    throw error;
  }
  // Last line of defence inside this process: exit handlers can only do synchronous work.
  const killOnExit = () => {
    run.killNow();
    rmSync(s.dataDir, { recursive: true, force: true });
  };
  process.once('exit', killOnExit);

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      process.off('exit', killOnExit);
      await run.terminate('SIGTERM');
      await rm(s.dataDir, { recursive: true, force: true, maxRetries: 3 });
    })());
  const ready = (timeoutMs: number) =>
    waitForKafka([s.brokers], {
      timeoutMs,
      clusterId: s.clusterId,
      abort: () => run.exitError(),
    });

  try {
    await ready(s.startTimeoutMs);
  } catch (error) {
    const tail = logTail(s.logFile);
    await stop();
    throw new Error(
      `Apache Kafka ${s.version} did not start: ${(error as Error).message}\n` +
        `--- last lines of the broker log (${s.logFile}, now removed) ---\n${tail}`,
    );
  }
  const { brokers, logFile, dataDir, version, jarsFromCache, jarsMs } = s;
  const startMs = Date.now() - s.started;
  return {
    brokers,
    logFile,
    dataDir,
    version,
    jarsFromCache,
    jarsMs,
    startMs,
    get pid() {
      return run.pid;
    },
    get exited() {
      return run.exited;
    },
    stop,
    halt: async (signal = 'SIGTERM') => {
      if (stopping) throw new Error('the broker was stopped; it cannot be halted');
      await run.terminate(signal);
    },
    restart: async () => {
      if (stopping) throw new Error('the broker was stopped; it cannot be restarted');
      if (run.running) return;
      await run.terminate();
      run = new BrokerProcess(spec);
      try {
        await ready(s.startTimeoutMs);
      } catch (error) {
        throw new Error(
          `Apache Kafka ${s.version} did not restart: ${(error as Error).message}\n` +
            `--- last lines of the broker log (${s.logFile}) ---\n${logTail(s.logFile)}`,
        );
      }
    },
  };
}
