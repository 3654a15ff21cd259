import { Kafka, logLevel } from 'kafkajs';

async function probe(brokers: string[], clusterId?: string): Promise<void> {
  const admin = new Kafka({
    clientId: 'reflex-kafka-probe',
    brokers,
    logLevel: logLevel.NOTHING,
    connectionTimeout: 1_000,
    requestTimeout: 3_000,
    retry: { retries: 0 },
  }).admin();
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    if (cluster.brokers.length === 0) throw new Error('the cluster reports no brokers yet');
    if (clusterId && cluster.clusterId !== clusterId) {
      throw new Error(`a different Kafka cluster (id ${cluster.clusterId}) answers there`);
    }
    await admin.listTopics();
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

export interface WaitOptions {
  timeoutMs?: number;
  /** Only this cluster counts: another broker may already listen on the port we were given. */
  clusterId?: string;
  /** Ends the wait early with its error, e.g. when the broker process has died. */
  abort?: () => Error | undefined;
}

/**
 * Resolves once a broker answers metadata requests, not merely accepts connections: the port opens
 * before the broker has registered with its controller.
 */
export async function waitForKafka(
  brokers: string[],
  { timeoutMs = 60_000, clusterId, abort }: WaitOptions = {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    const aborted = abort?.();
    if (aborted) throw aborted;
    try {
      return await probe(brokers, clusterId);
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `Kafka at ${brokers.join(',')} did not answer within ${timeoutMs} ms ` +
          `(last error: ${(lastError as Error).message})`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
