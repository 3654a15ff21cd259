import { type LogEntry, logLevel } from 'kafkajs';

/** Where the bus writes what it has to say (a Nest logger in the apps). */
export interface BusLogger {
  log(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/**
 * Lines kafkajs repeats for every retry of every client (each consumer, the producer, the admin):
 * hundreds a minute while a broker is away, dozens while one starts. Each is a retry kafkajs or the
 * bus makes itself; what it cannot recover from reaches us as a rejected call or a consumer crash.
 */
const REPEATED: Array<{ kind: string; pattern: RegExp }> = [
  {
    kind: 'broker unreachable',
    pattern:
      /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|ENOTFOUND|EAI_AGAIN|EPIPE|Connection timeout|Connection error|Closed connection|Failed to connect to (seed )?broker|KafkaJSNumberOfRetriesExceeded|KafkaJSConnection/i,
  },
  {
    // Retriable answers of a broker that is starting or moving leaders (kafkajs logs each response).
    kind: 'broker not ready',
    pattern:
      /coordinator is (loading|not available)|not the (leader|correct coordinator)|leader not available|There is no leader|does not host this topic-partition/i,
  },
];

/** How long the first line of a kind stands for the ones like it. */
const DEFAULT_QUIET_MS = 60_000;

interface Quiet {
  since: number;
  until: number;
  unshown: number;
}

/**
 * Routes kafkajs's log through the service's logger, at `warn` (kafkajs logs at ERROR much that it
 * then retries). Some lines are not passed on one by one:
 * - a consumer's `Crash: ...`: the bus's supervisor logs every crash with its reason and its
 *   reconnect (supervised-consumer.ts), and `reflex_consumer_connected` shows it;
 * - the idempotent producer's warning about limited retries, printed for every producer: bounded
 *   retries are deliberate, the outbox relay retries a failed publish and checks the broker for a
 *   row in doubt before sending it again (outbox-relay.service.ts);
 * - the REPEATED kinds: the first line of a kind is logged, then lines of that kind are counted for
 *   `quietMs`, and the next one after that says how many were not shown. An outage stays in the log
 *   (and in `/readyz`), at a line a minute instead of hundreds.
 * Any other kafkajs warning or error is logged as it comes.
 */
export class KafkaLog {
  private readonly quiet = new Map<string, Quiet>();

  constructor(
    private readonly logger: BusLogger,
    private readonly quietMs = DEFAULT_QUIET_MS,
    private readonly now: () => number = Date.now,
  ) {}

  /** kafkajs's `logCreator`. */
  readonly creator = () => (entry: LogEntry) => this.entry(entry);

  entry({ level, namespace, log }: LogEntry): void {
    if (level > logLevel.WARN) return;
    const { message, ...rest } = log;
    const text = String(message);
    if (namespace === 'Consumer' && text.startsWith('Crash: ')) return;
    if (text.startsWith('Limiting retries for the idempotent producer')) return;
    const repeated = REPEATED.find((r) => r.pattern.test(`${text} ${String(rest.error ?? '')}`));
    if (!repeated) {
      this.logger.warn(`kafka: ${text} ${JSON.stringify(rest)}`);
      return;
    }
    const now = this.now();
    const quiet = this.quiet.get(repeated.kind);
    if (quiet && now < quiet.until) {
      quiet.unshown += 1;
      return;
    }
    const earlier = quiet?.unshown
      ? ` (${quiet.unshown} more like it in the ${Math.round((now - quiet.since) / 1000)} s before, not shown)`
      : '';
    // The stack of a refused connection is always the same socket code: left out.
    const { timestamp: _timestamp, stack: _stack, ...context } = rest;
    this.logger.warn(
      `kafka (${repeated.kind}): ${text} ${JSON.stringify(context)}${earlier}; lines like this are summarised for ${this.quietMs / 1000} s`,
    );
    this.quiet.set(repeated.kind, { since: now, until: now + this.quietMs, unshown: 0 });
  }
}
