// `npm run kafka [-- --port 19092]`: a throwaway single-node Kafka broker for development. It prints
// the KAFKA_BROKERS value to use and runs until Ctrl-C; its data lives in a temp dir removed on exit.
import { logTail, startKafkaBroker } from './broker';

function portArgument(argv: string[]): number | undefined {
  const index = argv.indexOf('--port');
  if (index === -1) return undefined;
  const port = Number(argv[index + 1]);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new Error(`--port needs a port number, got '${argv[index + 1] ?? ''}'`);
  }
  return port;
}

async function main(): Promise<void> {
  const broker = await startKafkaBroker({
    port: portArgument(process.argv.slice(2)),
    log: (message) => console.error(message),
  });
  const jars = broker.jarsFromCache ? 'jars from cache' : `jars downloaded in ${broker.jarsMs} ms`;
  console.error(
    `Apache Kafka ${broker.version} ready in ${broker.startMs} ms (${jars}); log: ${broker.logFile}`,
  );
  // The only line on stdout, so `npm run -s kafka > .env.kafka` style use gets just this.
  console.log(`KAFKA_BROKERS=${broker.brokers}`);
  console.error('Press Ctrl-C to stop the broker.');

  let stopping = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (stopping) {
      // A second Ctrl-C means now: the exit handler SIGKILLs the broker.
      console.error(`${signal} again: killing the broker.`);
      process.exit(130);
    }
    stopping = true;
    console.error('Stopping the broker...');
    broker.stop().then(
      () => process.exit(0),
      (error: Error) => {
        console.error(`Could not stop the broker cleanly: ${error.message}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
  process.on('SIGHUP', shutdown);

  const { code, signal } = await broker.exited;
  if (!stopping) {
    console.error(`The broker exited on its own (code ${code}, signal ${signal}):`);
    console.error(logTail(broker.logFile));
    await broker.stop();
    process.exit(1);
  }
}

main().catch((error: Error) => {
  console.error(error.message);
  process.exit(1);
});
