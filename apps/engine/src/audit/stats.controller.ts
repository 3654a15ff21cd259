import { Controller, Get, Query } from '@nestjs/common';
import { ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { dateOf, invalidParam } from '../common/query-params';
import { PolicyStats, StatsRepository } from './stats.repository';

const DAY_MS = 24 * 60 * 60 * 1000;

@ApiTags('audit')
@Controller('v1/stats')
export class StatsController {
  constructor(private readonly stats: StatsRepository) {}

  @Get()
  @ApiOperation({
    summary:
      'Per policy: plans, outcomes, success rate, median and p95 seconds from alarm to success',
  })
  @ApiQuery({
    name: 'from',
    required: false,
    description: 'plans created at or after (default: 24 h ago)',
  })
  @ApiQuery({ name: 'to', required: false, description: 'plans created before (default: now)' })
  async get(
    @Query('from') from?: string,
    @Query('to') to?: string,
  ): Promise<{ from: string; to: string; items: PolicyStats[] }> {
    const end = dateOf('to', to) ?? new Date();
    const start = dateOf('from', from) ?? new Date(end.getTime() - DAY_MS);
    if (start >= end) throw invalidParam('from', 'must be before to');
    return {
      from: start.toISOString(),
      to: end.toISOString(),
      items: await this.stats.perPolicy(start, end),
    };
  }
}
