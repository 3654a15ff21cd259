// Boots the all-in-one with `startAllInOne`, as `npm start` does, in a Node process of its own:
// PGlite loads Node built-ins with `import()`, which Jest's module sandbox refuses (unless Node runs
// with --experimental-vm-modules). Started by spawnAllInOne(), with the environment and arguments
// `npm start` would have; reports where it listens over IPC and stops on 'close'.
import 'reflect-metadata';
import { startAllInOne } from '../../../apps/all-in-one/src/all-in-one';
import { allInOneSettings } from '../../../apps/all-in-one/src/all-in-one.settings';

async function main(): Promise<void> {
  const settings = allInOneSettings(process.env, process.argv.slice(2));
  const reflex = await startAllInOne(settings);
  let closing = false;
  const close = () => {
    if (closing) return;
    closing = true;
    // A stop that hangs must not leave a process behind the test run.
    setTimeout(() => process.exit(2), settings.shutdownTimeoutMs).unref();
    reflex.close().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`close failed: ${String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('message', (message) => message === 'close' && close());
  // The spec that started it is gone (crashed, killed): do not outlive it.
  process.on('disconnect', close);
  const { engineUrl, driverUrl, database, transport, seeded, embeddedDatabaseUrl } = reflex;
  process.send!({
    ready: { engineUrl, driverUrl, database, transport, seeded, embeddedDatabaseUrl },
  });
}

main().catch((error: unknown) => {
  const message = { error: error instanceof Error ? error.message : String(error) };
  if (process.send) process.send(message, () => process.exit(1));
  else process.exit(1);
});
