import { Body, Controller, HttpCode, Post, Req } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ConflictError, NotFoundError } from '@reflex/common';
import { RequireRole } from '@reflex/platform';
import type { Caller } from './actor-input';
import {
  BULK_APPROVE_MAX,
  bulkApprovalOf,
  type BulkApprovalAnswer,
  type BulkApprovalItem,
} from './bulk-approval';
import { ApiError } from './plan-api.schemas';
import { PlanCommandsService } from '../execution/plan-commands.service';
import { PlanQueryRepository } from '../plans/plan-query.repository';

const text = { type: 'string' } as const;

/**
 * `POST /v1/plans/approve`: approve every plan a storm held in one call. Each plan is approved on
 * its own, exactly as `POST /v1/plans/:id/approve` would, so one that started meanwhile or was
 * cancelled is answered `conflict` and the others go on.
 */
@ApiTags('plans')
@Controller('v1/plans')
export class PlanApprovalsController {
  constructor(
    private readonly commands: PlanCommandsService,
    private readonly query: PlanQueryRepository,
  ) {}

  @Post('approve')
  @RequireRole('operator')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Approve many plans waiting for approval',
    description:
      'Either `ids` (each answered: approved, conflict when not waiting for approval, not_found), ' +
      'or `reasonPrefix` (every plan in pending_approval whose reason starts with it, oldest first, ' +
      `at most ${BULK_APPROVE_MAX} per call; \`more\` says to call again), optionally only plans ` +
      'about a host of `zone`. `{ "reasonPrefix": "storm guard:" }` releases what the storm guard held.',
  })
  @ApiBody({
    schema: {
      type: 'object',
      properties: {
        ids: { type: 'array', items: text, maxItems: BULK_APPROVE_MAX },
        reasonPrefix: { ...text, example: 'storm guard:' },
        zone: text,
        by: text,
        reason: text,
      },
    },
  })
  @ApiResponse({
    status: 200,
    schema: {
      type: 'object',
      properties: {
        items: {
          type: 'array',
          items: {
            type: 'object',
            properties: {
              planId: text,
              outcome: { enum: ['approved', 'conflict', 'not_found'] },
              state: { type: 'string', nullable: true },
              error: text,
            },
          },
        },
        approved: { type: 'integer' },
        more: { type: 'boolean' },
      },
    },
  })
  @ApiError(400, 'neither ids nor reasonPrefix, both, or an unknown field')
  async approveMany(@Body() body: unknown, @Req() caller: Caller): Promise<BulkApprovalAnswer> {
    const { selection, actor } = bulkApprovalOf(body, caller);
    let ids: string[];
    let more = false;
    if ('ids' in selection) {
      ids = selection.ids;
    } else {
      ids = await this.query.waitingWithReason(
        selection.reasonPrefix,
        selection.zone ?? null,
        BULK_APPROVE_MAX + 1,
      );
      more = ids.length > BULK_APPROVE_MAX;
      ids = ids.slice(0, BULK_APPROVE_MAX);
    }
    const items: BulkApprovalItem[] = [];
    for (const planId of ids) items.push(await this.approveOne(planId, actor));
    return { items, approved: items.filter((i) => i.outcome === 'approved').length, more };
  }

  private async approveOne(
    planId: string,
    actor: Parameters<PlanCommandsService['approve']>[1],
  ): Promise<BulkApprovalItem> {
    try {
      const plan = await this.commands.approve(planId, actor);
      return { planId, outcome: 'approved', state: plan.state };
    } catch (error) {
      if (error instanceof NotFoundError) {
        return { planId, outcome: 'not_found', state: null, error: error.message };
      }
      if (error instanceof ConflictError) {
        const plan = await this.query.plan(planId);
        return { planId, outcome: 'conflict', state: plan?.state ?? null, error: error.message };
      }
      throw error;
    }
  }
}
