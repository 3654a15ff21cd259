import 'reflect-metadata';
import { loadEngineConfig } from '@reflex/config';
import { boundShutdown, createHttpApp } from '@reflex/platform';

import { EngineModule } from './engine.module';
import { ENGINE_LARGE_BODIES } from './large-bodies';

async function bootstrap() {
  const config = loadEngineConfig();
  const app = await createHttpApp(EngineModule.register(config), {
    service: 'engine',
    title: 'Reflex engine',
    description: 'Turns alarms into safe, audited plans of infrastructure actions (CONTRACT.md).',
    config,
    largeBodies: ENGINE_LARGE_BODIES,
  });
  boundShutdown(app, 'engine', config.shutdownTimeoutMs);
  await app.listen(config.port, config.host);
}

bootstrap().catch((error: unknown) => {
  process.stderr.write(
    `${JSON.stringify({ level: 'error', service: 'engine', msg: String(error) })}\n`,
  );
  process.exit(1);
});
