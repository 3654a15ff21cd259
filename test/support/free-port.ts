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
