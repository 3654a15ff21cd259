import { Controller, Get, Query } from '@nestjs/common';
import { ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { dateOf, invalidParam } from '../common/query-params';
import { PolicyStats, RuleStats, StatsRepository } from './stats.repository';

const DAY_MS = 24 * 60 * 60 * 1000;

@ApiTags('audit')
@Controller('v1/stats')
export class StatsController {
  constructor(private readonly stats: StatsRepository) {}

  @Get()
  @ApiOperation({
    summary: 'Plan outcomes and times, per policy (items) and per rule (rules)',
    description:
      'Over the plans created in [from, to); without `from`, the 24 h before `to`; without `to`, ' +
      'up to now (`window` in the answer says which). Per group: plan counts by outcome, success ' +
      'rate, and seconds from the triggering alarm to success as median, p95, mean and max ' +
      '(`*SecondsToSuccess`, approval wait included); `recoverySeconds` is the same time minus ' +
      "the plan's wait for approval, and `approvalWaitSeconds` that wait, from the plan's creation " +
      'to its approval, each as { count, mean, median, p95, max }.',
  })
  @ApiQuery({
    name: 'from',
    required: false,
    description: 'plans created at or after (ISO-8601; default: 24 h before `to`)',
  })
  @ApiQuery({
    name: 'to',
    required: false,
    description: 'plans created before (ISO-8601; default: now)',
  })
  async get(
    @Query('from') from?: string,
    @Query('to') to?: string,
  ): Promise<{
    from: string;
    to: string;
    window: string;
    items: PolicyStats[];
    rules: RuleStats[];
  }> {
    const end = dateOf('to', to) ?? new Date();
    const start = dateOf('from', from) ?? new Date(end.getTime() - DAY_MS);
    if (start >= end) throw invalidParam('from', 'must be before to');
    const window =
      from === undefined || from === ''
        ? `the 24 h before ${to ? 'to' : 'now'} (default; set ?from= and ?to= to change it)`
        : `from ${start.toISOString()} to ${to ? end.toISOString() : 'now'}`;
    const [items, rules] = await Promise.all([
      this.stats.perPolicy(start, end),
      this.stats.perRule(start, end),
    ]);
    return { from: start.toISOString(), to: end.toISOString(), window, items, rules };
  }
}
