// Runs once in Jest's main process before the integration project. Workers are forked afterwards and
// inherit process.env, which is how they learn KAFKA_BROKERS.
import { accessSync, constants } from 'node:fs';
import { KafkaBroker, startKafkaBroker, waitForKafka } from '../../scripts/kafka/broker';
import { ensureConsoleBuilt } from '../console/support/console-build';
import { checkPostgres } from './database';

declare global {
  // Handed from global-setup to global-teardown, which run in the same process.
  var __reflexKafkaBroker: KafkaBroker | undefined;
}

async function useGivenKafka(brokers: string): Promise<void> {
  try {
    await waitForKafka(
      brokers.split(',').map((b) => b.trim()),
      { timeoutMs: 15_000 },
    );
  } catch (error) {
    throw new Error(
      `KAFKA_BROKERS=${brokers} is set but ${(error as Error).message}. ` +
        'Start that broker, or unset KAFKA_BROKERS to let the suite start its own.',
    );
  }
  process.stdout.write(`\nkafka: using KAFKA_BROKERS=${brokers}\n`);
}

/** The client and browser specs run the real tools; a missing one is named before anything starts. */
function checkClients(): void {
  const tools = [
    [process.env.ALERTMANAGER_BIN ?? '/usr/bin/prometheus-alertmanager', 'prometheus-alertmanager'],
    [process.env.PROMETHEUS_BIN ?? '/usr/bin/prometheus', 'prometheus'],
    [process.env.VIRSH_BIN ?? '/usr/bin/virsh', 'libvirt-clients'],
    // The console's browser specs (test/console).
    [process.env.CHROMIUM_BIN ?? '/usr/bin/chromium', 'chromium'],
  ];
  const missing = tools.filter(([path]) => {
    try {
      accessSync(path, constants.X_OK);
      return false;
    } catch {
      return true;
    }
  });
  if (missing.length > 0)
    throw new Error(
      `Missing ${missing.map(([path]) => path).join(', ')}: ` +
        `apt-get install ${missing.map(([, pkg]) => pkg).join(' ')}`,
    );
}

export default async function globalSetup(): Promise<void> {
  // The database first: it fails in milliseconds, the broker takes seconds to start.
  checkClients();
  await checkPostgres();
  // Once, before any worker: spec files that serve the console (test/console, the security spec)
  // would otherwise race to build it into the same folder.
  await ensureConsoleBuilt();
  const given = process.env.KAFKA_BROKERS;
  if (given) return useGivenKafka(given);

  const broker = await startKafkaBroker({
    log: (message) => process.stdout.write(`\nkafka: ${message}\n`),
  });
  globalThis.__reflexKafkaBroker = broker;
  process.env.KAFKA_BROKERS = broker.brokers;
  const jars = broker.jarsFromCache ? 'jars from cache' : `jars downloaded in ${broker.jarsMs} ms`;
  process.stdout.write(
    `\nkafka: Apache Kafka ${broker.version} on ${broker.brokers} started in ${broker.startMs} ms ` +
      `(${jars}); log ${broker.logFile}\n`,
  );
}
