import { createServer, type Server } from 'node:net';

/**
 * Ports the OS says are free now. They are held together so two calls cannot return the same one;
 * another process may still take one before Kafka binds it, which fails the start loudly, not subtly.
 */
export async function freePorts(count: number): Promise<number[]> {
  const servers: Server[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const server = createServer();
      servers.push(server);
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(0, '127.0.0.1', resolve);
      });
    }
    return servers.map((server) => (server.address() as { port: number }).port);
  } finally {
    await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  }
}

/** A port that is taken would otherwise only show as a bind error deep in the broker's log. */
export async function checkPortFree(port: number): Promise<void> {
  const server = createServer();
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', resolve);
    });
  } catch (error) {
    throw new Error(`port ${port} on 127.0.0.1 is not free (${(error as Error).message})`);
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
}
