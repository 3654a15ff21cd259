import 'reflect-metadata';
import { loadDriverConfig } from '@reflex/config';
import { boundShutdown, createHttpApp } from '@reflex/platform';

import { DriverModule } from './driver.module';

async function bootstrap() {
  const config = loadDriverConfig();
  const app = await createHttpApp(DriverModule.register(config), {
    service: 'driver',
    title: 'Reflex driver',
    description: 'Executes plan actions on cloud backends and reports progress (CONTRACT.md §7).',
    config,
    largeBodies: [{ path: '/v1/sim/state', limit: '64mb' }],
  });
  boundShutdown(app, 'driver', config.shutdownTimeoutMs);
  await app.listen(config.port, config.host);
}

bootstrap().catch((error: unknown) => {
  process.stderr.write(
    `${JSON.stringify({ level: 'error', service: 'driver', msg: String(error) })}\n`,
  );
  process.exit(1);
});
