import 'reflect-metadata';
import { loadEngineConfig } from '@reflex/config';
import { boundShutdown, createHttpApp } from '@reflex/platform';

import { isMainThread } from 'node:worker_threads';
import { EngineModule } from './engine.module';
import { engineBodyLimits } from './rules/dry-run-limits';

async function bootstrap() {
  const config = loadEngineConfig();
  const app = await createHttpApp(EngineModule.register(config), {
    service: 'engine',
    title: 'Reflex engine',
    description: 'Turns alarms into safe, audited plans of infrastructure actions (CONTRACT.md).',
    config,
    largeBodies: engineBodyLimits(config),
  });
  boundShutdown(app, 'engine', config.shutdownTimeoutMs);
  await app.listen(config.port, config.host);
}

// In a dry-run worker this bundle only serves dry runs (rules/dry-run.worker.ts).
if (isMainThread)
  bootstrap().catch((error: unknown) => {
    process.stderr.write(
      `${JSON.stringify({ level: 'error', service: 'engine', msg: String(error) })}\n`,
    );
    process.exit(1);
  });
