import { ChildProcess, spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, rmSync } from 'node:fs';
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
import { ensureKafkaJars, EnsureJarsOptions } from './jars';
import { checkPortFree, freePorts } from './ports';
import { waitForKafka } from './readiness';
import { checkJava, javaCommand, runToolOrFail } from './tools';
import { spawnWatchdog } from './watchdog';

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
  pid: number;
  version: string;
  jarsFromCache: boolean;
  /** Of startMs, the time spent finding or downloading the jars. */
  jarsMs: number;
  /** From the call to the broker answering, jar download included. */
  startMs: number;
  /** Settles when the broker process ends, whoever ended it. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGTERM, SIGKILL after stopTimeoutMs, then the data dir is removed. Safe to call twice. */
  stop(): Promise<void>;
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

  let child: ChildProcess | undefined;
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
    child = spawnBroker(['-Xmx512m', ...jvmArgs, 'kafka.Kafka', serverConfig], layout.logFile);
  } catch (error) {
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
  return superviseBroker(child, {
    brokers: `127.0.0.1:${port}`,
    clusterId,
    logFile: layout.logFile,
    dataDir,
    version: jars.version,
    jarsFromCache: jars.fromCache,
    jarsMs,
    started,
    startTimeoutMs,
    stopTimeoutMs,
  });
}

function spawnBroker(args: string[], logFile: string): ChildProcess {
  // The JVM's own stdout/stderr (a crash, a bad flag) go to the same file as log4j's output.
  const log = openSync(logFile, 'a');
  try {
    return spawn(javaCommand(), args, { detached: true, stdio: ['ignore', log, log] });
  } finally {
    closeSync(log);
  }
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
  stopTimeoutMs: number;
}

async function superviseBroker(child: ChildProcess, s: Supervision): Promise<KafkaBroker> {
  let exitedEarly: Error | undefined;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('error', (error) => {
      exitedEarly = error;
      resolve({ code: null, signal: null });
    });
    child.once('exit', (code, signal) => {
      exitedEarly ??= new Error(`the Kafka broker exited (code ${code}, signal ${signal})`);
      resolve({ code, signal });
    });
  });
  const pid = child.pid ?? -1;
  const watchdogPid = pid > 0 ? spawnWatchdog(pid, s.dataDir, s.stopTimeoutMs) : undefined;
  // Last line of defence inside this process: exit handlers can only do synchronous work.
  const killOnExit = () => {
    child.kill('SIGKILL');
    rmSync(s.dataDir, { recursive: true, force: true });
  };
  process.once('exit', killOnExit);

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      process.off('exit', killOnExit);
      if (watchdogPid) signalQuietly(watchdogPid, 'SIGKILL');
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = new Promise<'timeout'>((resolve) => {
          setTimeout(resolve, s.stopTimeoutMs, 'timeout').unref();
        });
        if ((await Promise.race([exited, timer])) === 'timeout') {
          child.kill('SIGKILL');
          await exited;
        }
      }
      await rm(s.dataDir, { recursive: true, force: true, maxRetries: 3 });
    })());
  void exited.then(() => {
    if (watchdogPid) signalQuietly(watchdogPid, 'SIGKILL');
  });

  try {
    await waitForKafka([s.brokers], {
      timeoutMs: s.startTimeoutMs,
      clusterId: s.clusterId,
      abort: () => exitedEarly,
    });
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
  return { brokers, logFile, dataDir, pid, version, jarsFromCache, jarsMs, startMs, exited, stop };
}

function signalQuietly(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // Already gone.
  }
}
