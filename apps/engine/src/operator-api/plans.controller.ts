import { Body, Controller, Get, Param, Query, Req } from '@nestjs/common';
import { ApiOperation, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { PageV1, TimelineEntryV1 } from '@reflex/contracts';
import { PLAN_STATES, POLICIES } from '@reflex/contracts/plan.v1';
import type { ExecutablePlan } from '@reflex/domain';
import { RequireRole } from '@reflex/platform';
import { actorOf, type Caller } from './actor-input';
import {
  ApiError,
  ApiFilter,
  ApiId,
  ApiPaging,
  PLAN_SCHEMA,
  TIMELINE_ENTRY_SCHEMA,
  pageOfSchema,
} from './plan-api.schemas';
import { PlanCommandsService } from '../execution/plan-commands.service';
import { PlanIdResolver } from './plan-ids';
import { PLAN_PAGE_SIZE } from '../plans/plan-query';
import { OperatorCommand } from './operator-command.decorator';
import { PlanViewsService } from './plan-views.service';

@ApiTags('plans')
@Controller('v1/plans')
export class PlansController {
  constructor(
    private readonly views: PlanViewsService,
    private readonly commands: PlanCommandsService,
    private readonly ids: PlanIdResolver,
  ) {}

  @Get()
  @RequireRole('viewer')
  @ApiOperation({ summary: 'List plans, newest first' })
  @ApiFilter('state', PLAN_STATES, 'only plans in this state')
  @ApiFilter('policy', POLICIES, 'only plans of this policy')
  @ApiQuery({ name: 'rule', required: false, description: 'only plans made by this rule' })
  @ApiQuery({
    name: 'alarm',
    required: false,
    description: 'only plans triggered by this alarm id',
  })
  @ApiQuery({
    name: 'resource',
    required: false,
    description: 'only plans touching this host or instance',
  })
  @ApiQuery({ name: 'from', required: false, description: 'created at or after (ISO-8601)' })
  @ApiQuery({ name: 'to', required: false, description: 'created before (ISO-8601)' })
  @ApiPaging(PLAN_PAGE_SIZE, ': each plan comes whole')
  @ApiResponse({ status: 200, schema: pageOfSchema(PLAN_SCHEMA) })
  list(@Query() query: Record<string, unknown>): Promise<PageV1<ExecutablePlan>> {
    const { state, policy, rule, alarm, resource, from, to, limit, cursor } = query;
    return this.views.plans({ state, policy, rule, alarm, resource, from, to, limit, cursor });
  }

  @Get(':id')
  @RequireRole('viewer')
  @ApiOperation({ summary: 'One plan with its actions' })
  @ApiId('plan')
  @ApiResponse({ status: 200, schema: PLAN_SCHEMA })
  @ApiError(404, 'no such plan')
  async get(@Param('id') id: string): Promise<ExecutablePlan> {
    return this.views.plan(await this.ids.resolve(id));
  }

  @Get(':id/events')
  @RequireRole('viewer')
  @ApiOperation({
    summary: "The plan's timeline",
    description: 'Every plan and action state change and every command sent, with time and detail.',
  })
  @ApiId('plan')
  @ApiPaging()
  @ApiResponse({ status: 200, schema: pageOfSchema(TIMELINE_ENTRY_SCHEMA) })
  @ApiError(404, 'no such plan')
  async events(
    @Param('id') id: string,
    @Query('limit') limit: unknown,
    @Query('cursor') cursor: unknown,
  ): Promise<PageV1<TimelineEntryV1>> {
    return this.views.timeline(await this.ids.resolve(id), limit, cursor);
  }

  @OperatorCommand('plan', 'approve', {
    summary: 'Approve a plan waiting for approval',
    description: 'pending_approval → pending; the plan then starts as an automatic one would.',
    status: 200,
    answer: 'the plan after approval',
    schema: PLAN_SCHEMA,
    conflict: 'the plan is not waiting for approval',
  })
  async approve(
    @Param('id') id: string,
    @Body() body: unknown,
    @Req() caller: Caller,
  ): Promise<ExecutablePlan> {
    return this.commands.approve(await this.ids.resolve(id), actorOf(body, caller));
  }

  @OperatorCommand('plan', 'cancel', {
    summary: 'Cancel a plan that has not finished',
    description:
      'Unstarted actions are skipped and running ones aborted; what succeeded stays done.',
    status: 200,
    answer: 'the cancelled plan',
    schema: PLAN_SCHEMA,
    conflict: 'the plan has finished, or is rolling back',
  })
  async cancel(
    @Param('id') id: string,
    @Body() body: unknown,
    @Req() caller: Caller,
  ): Promise<ExecutablePlan> {
    return this.commands.cancel(await this.ids.resolve(id), actorOf(body, caller));
  }
}
