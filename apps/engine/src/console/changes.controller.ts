import { Controller, Get, Res } from '@nestjs/common';
import { ApiOperation, ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { ChangeFeed } from './change-feed.service';

/** A comment line now and then keeps proxies and load balancers from closing a quiet stream. */
const KEEP_ALIVE_MS = 15_000;

/**
 * The console's live updates: a server-sent event stream. It is an ordinary `/v1` GET, so it
 * needs a token like every other (viewer and up); browsers' EventSource cannot send one, so the
 * console reads the stream with fetch, which can, and the token never appears in a URL.
 */
@ApiTags('console')
@Controller('v1/changes')
export class ChangesController {
  constructor(private readonly feed: ChangeFeed) {}

  @Get()
  @ApiOperation({
    summary:
      'Live changes as server-sent events: each `data:` line is { plans: [ids], alarms, inventory }',
  })
  @ApiProduces('text/event-stream')
  @ApiResponse({ status: 200, description: 'an endless text/event-stream' })
  stream(@Res() res: Response): void {
    res.status(200);
    res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
    res.setHeader('Cache-Control', 'no-store');
    // Asks a buffering proxy (nginx) to pass each event on at once.
    res.setHeader('X-Accel-Buffering', 'no');
    res.flushHeaders();
    res.write(': connected\n\n');
    const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), KEEP_ALIVE_MS);
    const unsubscribe = this.feed.subscribe({
      send: (change) => res.write(`data: ${JSON.stringify(change)}\n\n`),
      end: () => res.end(),
    });
    // The response's close, not the request's: a GET's request stream ends as soon as it is read.
    res.on('close', () => {
      clearInterval(keepAlive);
      unsubscribe();
    });
  }
}
