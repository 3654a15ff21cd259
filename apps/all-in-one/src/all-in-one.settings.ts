import { resolve } from 'node:path';
import { EnvReader } from '@reflex/config';

type Env = Record<string, string | undefined>;

export interface AllInOneSettings {
  /**
   * The environment both services load their configuration from (loadEngineConfig and
   * loadDriverConfig, validated as for the separate processes), with the all-in-one's defaults.
   */
  env: Env;
  /** Ports of the two HTTP listeners (0: any free port). */
  enginePort: number;
  driverPort: number;
  /** The embedded PostgreSQL when DATABASE_URL is unset; `dataDir` null keeps it in memory. */
  embedded: { dataDir: string | null } | null;
  /** KAFKA_BROKERS unset: one in-process bus, shared by engine and driver, instead of Kafka. */
  inProcessBus: boolean;
  /** Seed the demo topology into an empty inventory and the simulator. */
  seed: boolean;
  /** After a signal, how long stopping may take before the process exits anyway. */
  shutdownTimeoutMs: number;
}

export const USAGE = `Usage: npm start -- [--in-memory] [--no-seed] [--help]

Runs the engine and the driver (simulator backend) in one process.

  --in-memory     keep the embedded database in memory (also REFLEX_IN_MEMORY=1)
  --no-seed       do not seed the demo topology into an empty inventory (also REFLEX_SEED=0)

Environment: PORT (engine, 3000), DRIVER_PORT (driver, 3001), HOST (127.0.0.1),
REFLEX_DATA_DIR (./data/pglite), LOG_LEVEL (warn); with DATABASE_URL and KAFKA_BROKERS set it runs
on that PostgreSQL and Kafka instead of the embedded database and the in-process bus. Every other
variable of the engine and the driver applies as documented in the README.`;

export class UsageError extends Error {}

/** Reads the command line and the environment; a bad value stops the start with its name. */
export function allInOneSettings(
  source: Env = process.env,
  argv: readonly string[] = process.argv.slice(2),
  cwd = process.cwd(),
): AllInOneSettings {
  const flags = new Set(argv);
  const unknown = argv.filter((a) => !['--in-memory', '--no-seed'].includes(a));
  if (unknown.length > 0) throw new UsageError(`unknown argument(s): ${unknown.join(' ')}`);

  const env = new EnvReader(source);
  const inMemory = flags.has('--in-memory') || env.bool('REFLEX_IN_MEMORY', false);
  const seed = !flags.has('--no-seed') && env.bool('REFLEX_SEED', true);
  const dataDir = resolve(cwd, env.string('REFLEX_DATA_DIR', 'data/pglite'));
  const enginePort = env.int('PORT', 3000, { min: 0, max: 65535 });
  const driverPort = env.int('DRIVER_PORT', 3001, { min: 0, max: 65535 });
  if (enginePort !== 0 && enginePort === driverPort) {
    env.problem(`PORT and DRIVER_PORT must differ, both are ${enginePort}`);
  }
  const embedded = env.string('DATABASE_URL') === undefined;
  const inProcessBus = env.string('KAFKA_BROKERS') === undefined;
  if (embedded && !inProcessBus) {
    // The Kafka outbox relay keeps a second connection busy inside its transaction (delivery
    // notes), which a one-session embedded database cannot serve.
    env.problem(
      'KAFKA_BROKERS is set but DATABASE_URL is not: on Kafka the all-in-one needs a PostgreSQL ' +
        'server too; set both (the real services) or neither (embedded database, in-process bus)',
    );
  }
  return env.done<AllInOneSettings>({
    env: {
      ...source,
      // Local by default: the API is open unless AUTH_TOKENS is set.
      HOST: env.string('HOST', '127.0.0.1'),
      // Warnings and errors only, so the start-up banner stays readable; LOG_LEVEL=info for more.
      LOG_LEVEL: env.string('LOG_LEVEL', 'warn'),
      // The shipped rules, wherever the process was started from (the bundle and the sources both
      // sit three levels below the repository).
      RULES_DIR: env.string('RULES_DIR', resolve(__dirname, '../../../rules')),
    },
    enginePort,
    driverPort,
    embedded: embedded ? { dataDir: inMemory ? null : dataDir } : null,
    inProcessBus,
    seed,
    shutdownTimeoutMs: env.int('SHUTDOWN_TIMEOUT_MS', 30_000, { min: 0, max: 600_000 }),
  });
}
