import type { INestApplication } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';

const SIGNALS: NodeJS.Signals[] = ['SIGTERM', 'SIGINT'];

/**
 * Makes a graceful stop end. Nest runs the shutdown hooks and closes the HTTP server, and that close
 * waits for every open connection: a client that keeps its connection alive and busy (a webhook
 * sender, a load balancer's pool) kept the process running for as long as it sent, while its
 * relay and ticker had already stopped. From the signal on, every response closes its connection
 * and idle ones are closed at once; and the whole stop is bounded by SHUTDOWN_TIMEOUT_MS, after
 * which the process exits with code 1 (what is unfinished is redone after the restart, as after a
 * crash). Call before `listen`, so the middleware runs ahead of the routes.
 */
export function boundShutdown(app: INestApplication, service: string, timeoutMs: number): void {
  let draining = false;
  app.use((_req: Request, res: Response, next: NextFunction) => {
    if (draining) res.setHeader('Connection', 'close');
    next();
  });
  const onSignal = (signal: NodeJS.Signals) => {
    for (const s of SIGNALS) process.off(s, onSignal);
    draining = true;
    const server = app.getHttpServer() as { closeIdleConnections?: () => void };
    server.closeIdleConnections?.();
    setTimeout(() => {
      process.stderr.write(
        `${JSON.stringify({ level: 'error', service, msg: `${signal}: shutdown did not finish within ${timeoutMs} ms; exiting` })}\n`,
      );
      process.exit(1);
    }, timeoutMs).unref();
  };
  for (const s of SIGNALS) process.on(s, onSignal);
}
