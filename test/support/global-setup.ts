// Provisional: uses KAFKA_BROKERS when set. The broker harness (scripts/kafka) replaces this.
export default async function globalSetup(): Promise<void> {
  if (!process.env.KAFKA_BROKERS) throw new Error('KAFKA_BROKERS is not set');
}
