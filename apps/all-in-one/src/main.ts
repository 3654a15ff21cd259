import 'reflect-metadata';
import { isMainThread } from 'node:worker_threads';
import { InventoryService } from '../../engine/src';
import { type AllInOne, startAllInOne } from './all-in-one';
import { allInOneSettings, USAGE, UsageError } from './all-in-one.settings';
import { banner } from './banner';

function fail(error: unknown): never {
  const msg = error instanceof Error ? error.message : String(error);
  process.stderr.write(`${JSON.stringify({ level: 'error', service: 'all-in-one', msg })}\n`);
  process.exit(1);
}

async function main(): Promise<void> {
  const started = Date.now();
  if (process.argv.includes('--help')) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  let settings;
  try {
    settings = allInOneSettings();
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`${error.message}\n\n${USAGE}\n`);
      process.exit(2);
    }
    throw error;
  }

  let running: AllInOne | null = null;
  let stopRequested = false;
  const timeoutMs = settings.shutdownTimeoutMs;
  const stop = () => {
    if (stopRequested) return;
    stopRequested = true;
    // A stop that hangs (a backend call that never returns) must not keep the process alive.
    setTimeout(() => fail(`did not stop within ${timeoutMs} ms`), timeoutMs).unref();
    if (running) {
      running.close().then(
        () => process.exit(0),
        (error: unknown) => fail(error),
      );
    }
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);

  running = await startAllInOne(settings);
  if (stopRequested) {
    // The signal came while starting: stop now that there is something to stop.
    await running.close();
    process.exit(0);
  }
  const inventory = await running.engine.get(InventoryService).inventory();
  process.stdout.write(
    banner({
      ...running,
      inventory,
      startupMs: Date.now() - started,
      authRequired: Boolean(settings.env.AUTH_TOKENS?.trim()),
      now: new Date(),
    }),
  );
}

// In a dry-run worker this bundle only serves dry runs (engine/src/rules/dry-run.worker.ts).
if (isMainThread) main().catch(fail);
