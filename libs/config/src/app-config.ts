import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import {
  DEFAULT_HOST_PATTERN,
  DEFAULT_RESOURCE_LABELS,
  parseHostPattern,
  parseResourceLabels,
  type ResourceLabel,
} from './alert-labels';
import { AuthToken, parseAllowedHosts, parseAuthTokens } from './auth-tokens';
import { EnvReader } from './env-reader';

export const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/reflex';

/** What engine and driver share. */
export interface CommonConfig {
  /** null: no Kafka; only the all-in-one mode runs without it. */
  kafkaBrokers: string[] | null;
  kafkaClientId: string;
  /** How long the group waits for a silent consumer before giving its partitions to another. */
  kafkaSessionTimeoutMs: number;
  /** Longest a fetch waits for data; also bounds how long a consumer takes to stop. */
  kafkaFetchMaxWaitMs: number;
  /** How long a consumer may be disconnected (reconnecting) before `/readyz` says not ready. */
  kafkaConsumerGraceMs: number;
  topicPrefix: string;
  topicPartitions: number;
  topicReplicationFactor: number;
  databaseUrl: string;
  databasePoolSize: number;
  port: number;
  host: string;
  /** Empty: authentication is off (AUTH_TOKENS unset). */
  authTokens: AuthToken[];
  /** While authentication is off: `Host` names accepted besides loopback (ALLOWED_HOSTS). */
  allowedHosts: string[];
  logLevel: 'debug' | 'info' | 'warn' | 'error';
  shutdownTimeoutMs: number;
}

export interface EngineConfig extends CommonConfig {
  rulesDir: string;
  watchRules: boolean;
  /** Overcommit ratios for placement. */
  cpuOvercommit: number;
  memoryOvercommit: number;
  /**
   * The host label whose value names a host's planning cell: moves stay within a cell, and each
   * cell is planned under its own lock (issue 18). Null: the whole cloud is one cell.
   */
  planningCellLabel: string | null;
  maxLiveMigrationsPerHost: number;
  maxActionsPerPlan: number;
  outboxPollMs: number;
  /** A running action with no final driver event for this long is asked about again (issue 13). */
  actionInquirySeconds: number;
  /** How often the unsurvivable-domains gauge may recompute the capacity forecast; 0: no gauge. */
  capacityMetricSeconds: number;
  /** Largest `POST /v1/rules/evaluate` body (a dry run's inventory); larger answers 413. */
  dryRunMaxBytes: number;
  /** Alertmanager labels that name the alarm's resource, tried in order. */
  alertResourceLabels: ResourceLabel[];
  /** Applied to a host label's value (`cmp-07:9100`); its first group is the host id. */
  alertHostPattern: RegExp;
}

export interface DriverConfig extends CommonConfig {
  simulatorControl: boolean;
  hooksFile: string | null;
  backendsFile: string | null;
  /** Simulated migration bandwidth, MB/s. */
  simulatorBandwidthMbps: number;
  progressIntervalMs: number;
  /**
   * This replica's name in `driver_actions.owner`. Default: a fresh name per process, so a restarted
   * process takes its predecessor's actions over once their leases expire. A name stable across
   * restarts and unique among live replicas (a StatefulSet pod name) makes the takeover immediate;
   * two live replicas must never share one.
   */
  replicaId: string;
  /** How long an action stays with its replica without a heartbeat (renewed every third of it). */
  leaseMs: number;
  /** After a deadline, how long to wait for the backend to confirm the abort. */
  abortGraceMs: number;
  /**
   * How long the simulator keeps a finished operation (and its call log entries) once its driver
   * action is final: at least two leases, by when every replica has let go of it.
   */
  simulatorRetainMs: number;
}

type Env = Record<string, string | undefined>;

function readCommon(
  env: EnvReader,
  service: 'engine' | 'driver',
  defaultPort: number,
): CommonConfig {
  const tokens = env.string('AUTH_TOKENS');
  // Set but blank is what a template gives when its variable is missing: an operator who meant to
  // turn authentication on must not find the API open, so only an unset AUTH_TOKENS turns it off.
  if (tokens === undefined && env.isSet('AUTH_TOKENS'))
    env.problem('AUTH_TOKENS is set but empty: give name:role:token entries, or unset it');
  const parsed = tokens ? parseAuthTokens(tokens) : { tokens: [], problems: [] };
  parsed.problems.forEach((p) => env.problem(p));
  const hosts = env.string('ALLOWED_HOSTS');
  const allowed = hosts ? parseAllowedHosts(hosts) : { hosts: [], problems: [] };
  allowed.problems.forEach((p) => env.problem(p));
  return {
    kafkaBrokers: env.brokers('KAFKA_BROKERS'),
    kafkaClientId: env.string('KAFKA_CLIENT_ID', `reflex-${service}`),
    kafkaSessionTimeoutMs: env.int('KAFKA_SESSION_TIMEOUT_MS', 10_000, { min: 6000, max: 300_000 }),
    kafkaFetchMaxWaitMs: env.int('KAFKA_FETCH_MAX_WAIT_MS', 500, { min: 10, max: 30_000 }),
    kafkaConsumerGraceMs: env.int('KAFKA_CONSUMER_GRACE_MS', 30_000, { min: 0, max: 600_000 }),
    topicPrefix: env.string('TOPIC_PREFIX', ''),
    topicPartitions: env.int('TOPIC_PARTITIONS', 6, { min: -1, max: 1000 }),
    topicReplicationFactor: env.int('TOPIC_REPLICATION_FACTOR', -1, { min: -1, max: 10 }),
    databaseUrl: env.url('DATABASE_URL', DEFAULT_DATABASE_URL, ['postgres:', 'postgresql:']),
    databasePoolSize: env.int('DATABASE_POOL_SIZE', 10, { min: 1, max: 200 }),
    port: env.int('PORT', defaultPort, { min: 0, max: 65535 }),
    host: env.string('HOST', '0.0.0.0'),
    authTokens: parsed.tokens,
    allowedHosts: allowed.hosts,
    logLevel: env.oneOf('LOG_LEVEL', ['debug', 'info', 'warn', 'error'] as const, 'info'),
    shutdownTimeoutMs: env.int('SHUTDOWN_TIMEOUT_MS', 30_000, { min: 0, max: 600_000 }),
  };
}

export function loadEngineConfig(source: Env = process.env): Readonly<EngineConfig> {
  const env = new EnvReader(source);
  return env.done<EngineConfig>({
    ...readCommon(env, 'engine', 3000),
    rulesDir: env.string('RULES_DIR', 'rules'),
    watchRules: env.bool('RULES_WATCH', true),
    cpuOvercommit: env.number('CPU_OVERCOMMIT', 4, { min: 0.1, max: 64 }),
    memoryOvercommit: env.number('MEMORY_OVERCOMMIT', 1, { min: 0.1, max: 16 }),
    planningCellLabel: env.string('PLANNING_CELL_LABEL', '') || null,
    maxLiveMigrationsPerHost: env.int('MAX_LIVE_MIGRATIONS_PER_HOST', 2, { min: 1, max: 64 }),
    maxActionsPerPlan: env.int('MAX_ACTIONS_PER_PLAN', 8, { min: 1, max: 1024 }),
    outboxPollMs: env.int('OUTBOX_POLL_MS', 200, { min: 10, max: 60_000 }),
    actionInquirySeconds: env.int('ACTION_INQUIRY_SECONDS', 60, { min: 1, max: 86_400 }),
    capacityMetricSeconds: env.int('CAPACITY_METRIC_SECONDS', 0, { min: 0, max: 86_400 }),
    dryRunMaxBytes: env.int('DRY_RUN_MAX_BYTES', 262_144, { min: 1024, max: 67_108_864 }),
    ...readAlertLabels(env),
  });
}

function readAlertLabels(env: EnvReader) {
  const labels = parseResourceLabels(
    env.string('ALERTMANAGER_RESOURCE_LABELS', DEFAULT_RESOURCE_LABELS),
  );
  labels.problems.forEach((p) => env.problem(p));
  const host = parseHostPattern(env.string('ALERTMANAGER_HOST_PATTERN', DEFAULT_HOST_PATTERN));
  if (host.problem) env.problem(host.problem);
  return {
    alertResourceLabels: labels.labels,
    alertHostPattern: host.pattern ?? new RegExp(DEFAULT_HOST_PATTERN),
  };
}

export function loadDriverConfig(source: Env = process.env): Readonly<DriverConfig> {
  const env = new EnvReader(source);
  const replicaId = env.string(
    'DRIVER_REPLICA_ID',
    `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`,
  );
  if (replicaId.length > 200) env.problem('DRIVER_REPLICA_ID must be at most 200 characters');
  const leaseMs = env.int('DRIVER_LEASE_MS', 15_000, { min: 300, max: 600_000 });
  const simulatorRetainMs = env.int('SIMULATOR_RETAIN_MS', 2 * leaseMs, {
    min: 600,
    max: 30 * 86_400_000,
  });
  if (simulatorRetainMs < 2 * leaseMs)
    env.problem(`SIMULATOR_RETAIN_MS must be at least two leases (${2 * leaseMs})`);
  return env.done<DriverConfig>({
    ...readCommon(env, 'driver', 3001),
    simulatorControl: env.bool('SIMULATOR_CONTROL', false),
    hooksFile: env.string('DRIVER_HOOKS_FILE') ?? null,
    backendsFile: env.string('DRIVER_BACKENDS_FILE') ?? null,
    simulatorBandwidthMbps: env.number('SIMULATOR_BANDWIDTH_MBPS', 1000, { min: 1, max: 1e6 }),
    progressIntervalMs: env.int('DRIVER_PROGRESS_INTERVAL_MS', 1000, { min: 10, max: 60_000 }),
    replicaId,
    leaseMs,
    abortGraceMs: env.int('DRIVER_ABORT_GRACE_MS', 30_000, { min: 0, max: 3_600_000 }),
    simulatorRetainMs,
  });
}

export const ENGINE_CONFIG = Symbol('ENGINE_CONFIG');
export const DRIVER_CONFIG = Symbol('DRIVER_CONFIG');

/** Every environment variable a loader reads, found by running it on a recording environment. */
export function variablesReadBy(loader: (env: Env) => unknown): string[] {
  const seen = new Set<string>();
  const recorder = new Proxy<Env>(
    {},
    {
      get: (_target, name) => {
        if (typeof name === 'string') seen.add(name);
        return undefined;
      },
    },
  );
  loader(recorder);
  return [...seen].sort();
}
