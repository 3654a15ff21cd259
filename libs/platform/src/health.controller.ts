import { Controller, Get, Header, Inject, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { MetricsRegistry } from './metrics.registry';
import { READINESS_CHECKS, ReadinessCheck } from './readiness';

const CHECK_TIMEOUT_MS = 3000;

function withTimeout(check: ReadinessCheck): Promise<boolean> {
  return Promise.race([
    check.check().catch(() => false),
    new Promise<boolean>((resolve) => setTimeout(() => resolve(false), CHECK_TIMEOUT_MS).unref()),
  ]);
}

@ApiExcludeController()
@Controller()
export class HealthController {
  constructor(
    @Inject(READINESS_CHECKS) private readonly checks: ReadinessCheck[],
    private readonly metrics: MetricsRegistry,
  ) {}

  @Get('healthz')
  healthz() {
    return { status: 'ok' };
  }

  @Get('readyz')
  async readyz(@Res() res: Response) {
    const results = await Promise.all(
      this.checks.map(async (c) => [c.name, await withTimeout(c)] as const),
    );
    const ready = results.every(([, ok]) => ok);
    const details = Object.fromEntries(
      this.checks
        .map((c) => [c.name, c.detail?.()] as const)
        .filter(([, detail]) => detail !== undefined),
    );
    res.status(ready ? 200 : 503).json({
      status: ready ? 'ready' : 'not-ready',
      checks: Object.fromEntries(results.map(([name, ok]) => [name, ok ? 'up' : 'down'])),
      ...(Object.keys(details).length > 0 ? { details } : {}),
    });
  }

  @Get('metrics')
  @Header('Cache-Control', 'no-store')
  async metricsText(@Res() res: Response) {
    res.setHeader('Content-Type', this.metrics.contentType);
    res.send(await this.metrics.text());
  }
}
