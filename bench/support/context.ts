import type { Row } from './report';

/** What a scenario gets from the runner. */
export interface BenchContext {
  /** `--quick`: smaller sizes, for trying things out; figures are not comparable to a full run. */
  quick: boolean;
  /** Starts the broker on first use (or uses KAFKA_BROKERS); sets process.env.KAFKA_BROKERS. */
  kafka(): Promise<string>;
  /** Fails fast with what to do when PostgreSQL is not reachable. */
  postgres(): Promise<void>;
  log(message: string): void;
}

export interface Scenario {
  /** For `--only`. */
  name: string;
  title: string;
  run(ctx: BenchContext): Promise<Row[]>;
}

/** Full size, or the quick one with `--quick`. */
export const size = (ctx: BenchContext, full: number, quick: number): number =>
  ctx.quick ? quick : full;
