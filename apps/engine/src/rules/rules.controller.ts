import { RequireRole } from '@reflex/platform';
import { Body, Controller, Get, HttpCode, Inject, Post } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { randomUUID } from 'node:crypto';
import { ValidationError } from '@reflex/common';
import { ENGINE_CONFIG, EngineConfig } from '@reflex/config';
import { AlarmV1, InventoryV1, validate } from '@reflex/contracts';
import { buildPlan } from '@reflex/domain';
import { InMemoryFactSource, validateRule } from '@reflex/rules';
import { InventoryRepository } from '../inventory/inventory.repository';
import { toPlanIntent } from '../intake/usecases/ingest-alarm/ingest-alarm.usecase';
import { RuleRegistry } from './rule-registry.service';

function field<T>(kind: 'alarm.v1' | 'inventory.v1', value: unknown, at: string): T {
  const result = validate(kind, value);
  if (!(result instanceof ValidationError)) return result as T;
  const errors = result.errors.map((e) => ({ path: `${at}${e.path}`, message: e.message }));
  throw new ValidationError(
    `invalid ${at.slice(1)}: ${errors.map((e) => `${e.path} ${e.message}`).join('; ')}`,
    errors,
  );
}

/** Rules (CONTRACT §5): what is live, checking a rule before it is deployed, dry runs, reload. */
@ApiTags('rules')
@Controller('v1/rules')
export class RulesController {
  constructor(
    private readonly registry: RuleRegistry,
    private readonly inventory: InventoryRepository,
    @Inject(ENGINE_CONFIG) private readonly config: EngineConfig,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Live rules with version and hash' })
  list() {
    const items = this.registry.rules().map((r) => ({
      name: r.name,
      version: r.version,
      hash: r.hash,
      enabled: r.enabled,
      file: r.file,
      priority: r.definition.priority,
      mode: r.definition.mode,
      policy: r.definition.event.type,
      description: r.definition.description ?? null,
      loadedAt: r.loadedAt,
    }));
    return { items, nextCursor: null };
  }

  @Post('validate')
  @RequireRole('viewer')
  @HttpCode(200)
  @ApiOperation({ summary: 'Validate a rule document; errors carry JSON paths' })
  @ApiBody({ schema: { type: 'object' }, description: 'a rule (rules/rule.schema.json)' })
  @ApiResponse({ status: 200, description: '{ valid, name?, hash?, errors }' })
  validate(@Body() body: unknown) {
    const result = validateRule(body);
    return result.ok
      ? { valid: true, name: result.rule.name, hash: result.hash, errors: [] }
      : { valid: false, errors: result.errors };
  }

  @Post('evaluate')
  @RequireRole('viewer')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Dry run: the rules that fire for an alarm and the plan that would be made; nothing is stored',
  })
  @ApiBody({
    schema: {
      type: 'object',
      required: ['alarm'],
      properties: { alarm: { type: 'object' }, inventory: { type: 'object' } },
    },
  })
  @ApiResponse({ status: 200 })
  @ApiResponse({
    status: 400,
    description: 'alarm or inventory invalid; the error names the field',
  })
  async evaluate(@Body() body: unknown) {
    const input = (body ?? {}) as { alarm?: unknown; inventory?: unknown };
    const alarm = field<AlarmV1>('alarm.v1', input.alarm, '/alarm');
    const inventory =
      input.inventory === undefined
        ? await this.inventory.load()
        : field<InventoryV1>('inventory.v1', input.inventory, '/inventory');
    const evaluation = await this.registry.evaluate(alarm, new InMemoryFactSource(inventory));
    const plan = evaluation.decision
      ? buildPlan(
          toPlanIntent(evaluation.decision, alarm),
          inventory,
          { reservations: [] },
          {
            placement: {
              cpuOvercommit: this.config.cpuOvercommit,
              memoryOvercommit: this.config.memoryOvercommit,
            },
          },
          randomUUID,
        )
      : null;
    return { ...evaluation, plan };
  }

  @Post('reload')
  @RequireRole('admin')
  @HttpCode(200)
  @ApiOperation({ summary: 'Reload rule files now (the engine also reloads when they change)' })
  reload() {
    return this.registry.reload();
  }
}
