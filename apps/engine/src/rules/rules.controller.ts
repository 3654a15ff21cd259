import { openApiSchema, openApiSchemaOfDocument, RequireRole } from '@reflex/platform';
import { Body, Controller, Get, HttpCode, Inject, Post } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ENGINE_CONFIG, EngineConfig } from '@reflex/config';
import { AlarmV1, type RuleListV1, type RuleVerdictV1 } from '@reflex/contracts';
import { ruleSchema, validateRule } from '@reflex/rules';
import { InventoryRepository } from '../inventory/inventory.repository';
import { candidateRule, field, refuseUnknownFields } from './dry-run';
import { checkDryRunSize, DRY_RUN_MAX_RESOURCES } from './dry-run-limits';
import { DRY_RUN_TIMEOUT_MS, DryRunRunner } from './dry-run.runner';
import { RuleRegistry } from './rule-registry.service';

const RULE_SCHEMA = openApiSchemaOfDocument(ruleSchema);

/** Rules (CONTRACT §5): what is live, checking a rule before it is deployed, dry runs, reload. */
@ApiTags('rules')
@Controller('v1/rules')
export class RulesController {
  constructor(
    private readonly registry: RuleRegistry,
    private readonly inventory: InventoryRepository,
    private readonly dryRuns: DryRunRunner,
    @Inject(ENGINE_CONFIG) private readonly config: EngineConfig,
  ) {}

  @Get()
  @ApiOperation({
    summary: 'Live rules with version and hash, and the rule files the last reload refused',
    description:
      '`refused`: each file that failed validation at the last reload (`checkedAt`), with its ' +
      'errors (JSON paths) and `keptLive`, the version of its rule that stays live instead (null: none).',
  })
  list(): RuleListV1 {
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
      // The rule as loaded, for the console's editor to start from.
      definition: r.definition,
    }));
    const { checkedAt, files } = this.registry.refused();
    const refused = files.map((f) => ({
      file: f.file,
      name: f.name,
      errors: f.errors,
      keptLive: f.keptLive ?? null,
    }));
    return { items, nextCursor: null, refused, checkedAt };
  }

  @Post('validate')
  @RequireRole('viewer')
  @HttpCode(200)
  @ApiOperation({ summary: 'Validate a rule document; errors carry JSON paths' })
  @ApiBody({ schema: RULE_SCHEMA, description: 'a rule (rules/rule.schema.json)' })
  @ApiResponse({ status: 200, description: '{ valid, name?, hash?, errors }' })
  validate(@Body() body: unknown): RuleVerdictV1 {
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
    description:
      `Runs off the event loop, for at most ${DRY_RUN_TIMEOUT_MS} ms. The body is at most ` +
      `DRY_RUN_MAX_BYTES (256 KiB by default) and a posted inventory at most ` +
      `${DRY_RUN_MAX_RESOURCES.hosts} hosts, ${DRY_RUN_MAX_RESOURCES.instances} instances and ` +
      `${DRY_RUN_MAX_RESOURCES.groups} groups (413 otherwise). Lists in the answer are cut to ` +
      '50 items; `truncated` lists each cut with its JSON path and full length.',
  })
  @ApiBody({
    schema: {
      type: 'object',
      required: ['alarm'],
      additionalProperties: false,
      properties: {
        alarm: openApiSchema('alarm.v1'),
        inventory: {
          ...openApiSchema('inventory.v1'),
          description: 'the inventory to evaluate against; the live one when absent',
        },
        rule: {
          ...RULE_SCHEMA,
          description: 'a candidate rule, validated and evaluated alone instead of the live rules',
        },
      },
    },
  })
  @ApiResponse({ status: 200 })
  @ApiResponse({
    status: 400,
    description: 'alarm or inventory invalid; the error names the field',
  })
  @ApiResponse({
    status: 413,
    description: 'body, inventory (the error names the list) or computing time over the limit',
  })
  async evaluate(@Body() body: unknown) {
    const input = (body ?? {}) as { alarm?: unknown; inventory?: unknown; rule?: unknown };
    refuseUnknownFields(input, ['alarm', 'inventory', 'rule']);
    const alarm = field<AlarmV1>('alarm.v1', input.alarm, '/alarm');
    checkDryRunSize(input.inventory);
    return this.dryRuns.run({
      rules: input.rule === undefined ? this.registry.rules() : [candidateRule(input.rule)],
      alarm,
      inventory:
        input.inventory === undefined
          ? { live: await this.inventory.load() }
          : { posted: input.inventory },
      placement: {
        cpuOvercommit: this.config.cpuOvercommit,
        memoryOvercommit: this.config.memoryOvercommit,
      },
    });
  }

  @Post('reload')
  @RequireRole('admin')
  @HttpCode(200)
  @ApiOperation({ summary: 'Reload rule files now (the engine also reloads when they change)' })
  reload() {
    return this.registry.reload();
  }
}
