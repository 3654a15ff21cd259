// Stops the broker global-setup started; a broker given through KAFKA_BROKERS is not ours to stop.
export default async function globalTeardown(): Promise<void> {
  const broker = globalThis.__reflexKafkaBroker;
  if (!broker) return;
  globalThis.__reflexKafkaBroker = undefined;
  await broker.stop();
  // Set by global-setup for the workers; a later run in the same process (watch mode) starts afresh.
  delete process.env.KAFKA_BROKERS;
}
