/**
 * `npm run bench [-- --only intake,planner] [-- --quick]` (`npm run bench:capacity`: the forecast alone): Reflex's benchmarks on the real broker
 * and database. Prints the table (each figure beside its target), writes bench/results.json, and
 * exits 0 whether targets are met or not: only a crash exits non-zero.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type KafkaBroker, startKafkaBroker, waitForKafka } from '../scripts/kafka/broker';
import { checkPostgres } from '../test/support/database';
import { auditScenario } from './scenarios/audit.bench';
import { capacityScenario } from './scenarios/capacity.bench';
import { driverScenario } from './scenarios/driver.bench';
import { intakeScenario } from './scenarios/intake.bench';
import { stormScenario } from './scenarios/storm.bench';
import { plannerScenario } from './scenarios/planner.bench';
import { closeAll } from './support/cleanup';
import type { BenchContext, Scenario } from './support/context';
import {
  describeMachine,
  failedRow,
  machine,
  markdownTable,
  notes,
  type Row,
  textTable,
} from './support/report';

const SCENARIOS: Scenario[] = [
  intakeScenario,
  plannerScenario,
  capacityScenario,
  auditScenario,
  driverScenario,
  stormScenario,
];

interface Options {
  only: string[] | null;
  quick: boolean;
}

function parseArgs(argv: string[]): Options {
  const options: Options = { only: null, quick: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--quick') options.quick = true;
    else if (arg === '--only' || arg.startsWith('--only=')) {
      const value = arg.includes('=') ? arg.slice('--only='.length) : argv[++i];
      if (!value) throw new Error('--only needs a scenario name');
      options.only = value.split(',').map((s) => s.trim());
    } else if (arg === '--help' || arg === '-h') {
      console.log(
        `npm run bench -- [--only ${SCENARIOS.map((s) => s.name).join('|')}[,...]] [--quick]`,
      );
      process.exit(0);
    } else throw new Error(`unknown argument ${arg}`);
  }
  const unknown = (options.only ?? []).filter((n) => !SCENARIOS.some((s) => s.name === n));
  if (unknown.length) {
    throw new Error(
      `unknown scenario ${unknown.join(', ')}; known: ${SCENARIOS.map((s) => s.name).join(', ')}`,
    );
  }
  return options;
}

const log = (message: string) =>
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);

class Services {
  private broker: KafkaBroker | undefined;
  private brokers: Promise<string> | undefined;
  private pgChecked: Promise<void> | undefined;

  kafka(): Promise<string> {
    this.brokers ??= this.startKafka();
    return this.brokers;
  }

  private async startKafka(): Promise<string> {
    const given = process.env.KAFKA_BROKERS;
    if (given) {
      await waitForKafka(
        given.split(',').map((b) => b.trim()),
        { timeoutMs: 15_000 },
      );
      log(`kafka: using KAFKA_BROKERS=${given}`);
      return given;
    }
    log('kafka: starting a broker (Apache Kafka jars from Maven Central, cached in .cache/kafka)');
    this.broker = await startKafkaBroker({ log });
    process.env.KAFKA_BROKERS = this.broker.brokers;
    log(`kafka: ${this.broker.brokers} ready in ${this.broker.startMs} ms`);
    return this.broker.brokers;
  }

  postgres(): Promise<void> {
    this.pgChecked ??= checkPostgres();
    return this.pgChecked;
  }

  async stop(): Promise<void> {
    await this.broker?.stop();
  }
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const services = new Services();
  const ctx: BenchContext = {
    quick: options.quick,
    kafka: () => services.kafka(),
    postgres: () => services.postgres(),
    log,
  };
  let interrupted = false;
  const interrupt = (signal: NodeJS.Signals) => {
    if (interrupted) process.exit(130);
    interrupted = true;
    log(`${signal}: dropping the bench's databases and stopping the broker`);
    void closeAll()
      .then(() => services.stop())
      .finally(() => process.exit(130));
  };
  process.on('SIGINT', interrupt);
  process.on('SIGTERM', interrupt);
  const selected = SCENARIOS.filter((s) => !options.only || options.only.includes(s.name));
  const rows: Row[] = [];
  const started = new Date();
  const before = machine();
  const durations: Record<string, number> = {};
  try {
    for (const scenario of selected) {
      log(`=== ${scenario.title}`);
      const t0 = Date.now();
      try {
        rows.push(...(await scenario.run(ctx)));
      } catch (error) {
        // One scenario that cannot run must not hide the others' figures.
        log(`${scenario.name} failed: ${(error as Error).stack ?? String(error)}`);
        rows.push(failedRow(scenario.name, 'scenario', '', `crashed: ${(error as Error).message}`));
        process.exitCode = 1;
      }
      durations[scenario.name] = Math.round((Date.now() - t0) / 1000);
      log(`${scenario.name} took ${durations[scenario.name]} s`);
    }
  } finally {
    await services.stop();
  }
  report(rows, options, started, durations, before.loadAverage);
}

function report(
  rows: Row[],
  options: Options,
  started: Date,
  durations: Record<string, number>,
  loadAtStart: number,
): void {
  const m = machine();
  const seconds = Math.round((Date.now() - started.getTime()) / 1000);
  const withTargets = rows.filter((r) => r.pass !== null);
  const passed = withTargets.filter((r) => r.pass).length;
  const out = [
    '',
    `Reflex bench ${started.toISOString()}${options.quick ? ' (--quick: small sizes, not comparable)' : ''}`,
    `machine: ${describeMachine(m)} (${loadAtStart} at the start)`,
    '',
    textTable(rows),
    '',
    `${passed} of ${withTargets.length} targets met; run took ${seconds} s ` +
      `(${Object.entries(durations)
        .map(([n, s]) => `${n} ${s} s`)
        .join(', ')})`,
    '',
    'notes:',
    ...notes(rows).map((n) => `- ${n}`),
    '',
  ];
  process.stdout.write(out.join('\n'));
  const file = join(__dirname, 'results.json');
  writeFileSync(
    file,
    `${JSON.stringify(
      {
        startedAt: started.toISOString(),
        seconds,
        durations,
        quick: options.quick,
        only: options.only,
        machine: { ...m, loadAverageAtStart: loadAtStart },
        rows,
        markdown: markdownTable(rows),
      },
      null,
      2,
    )}\n`,
  );
  process.stdout.write(`results: ${file}\n`);
}

main().then(
  () => process.exit(),
  (error: unknown) => {
    log(`bench crashed: ${(error as Error).stack ?? String(error)}`);
    process.exit(1);
  },
);
