import type { INestApplication } from '@nestjs/common';
import { createServer } from 'node:net';

/**
 * A port nothing listens on: one the system handed out on 127.0.0.1 and that was closed again. For
 * a child process to listen on, or for a client to find nobody there.
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Makes `app` listen on a port the system picks on 127.0.0.1; its base URL. */
export async function listenOnFreePort(app: INestApplication): Promise<string> {
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as { port: number };
  return `http://127.0.0.1:${port}`;
}
