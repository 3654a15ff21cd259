import { openApiSchema, RequireRole } from '@reflex/platform';
import { Body, Controller, HttpCode, Inject, Post, Query } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ValidationError } from '@reflex/common';
import { ENGINE_CONFIG, type EngineConfig } from '@reflex/config';
import { type IntakeResponseV1, validateOneOrMany } from '@reflex/contracts';
import { type AlertmanagerMapping, alertsFromAlertmanager } from './mappers/alertmanager.mapper';
import { alarmFromAodh } from './mappers/aodh.mapper';
import { ALERTMANAGER_WEBHOOK_SCHEMA, AODH_NOTIFICATION_SCHEMA } from './mappers/webhook.openapi';
import { IngestAlarmResult } from '../decisions/ingest-alarm.command';
import { IngestAlarmUseCase } from '../decisions/ingest-alarm.usecase';
import { IngestWebhookUseCase } from './ingest-webhook.usecase';

/** HTTP intake (CONTRACT §3): same semantics as the `alarms` topic, decided before the answer. */
@ApiTags('alarms')
@RequireRole('operator')
@Controller('v1/alarms')
export class AlarmIntakeController {
  private readonly mapping: AlertmanagerMapping;

  constructor(
    private readonly ingest: IngestAlarmUseCase,
    private readonly webhook: IngestWebhookUseCase,
    @Inject(ENGINE_CONFIG) config: EngineConfig,
  ) {
    this.mapping = {
      resourceLabels: config.alertResourceLabels,
      hostPattern: config.alertHostPattern,
    };
  }

  @Post()
  @HttpCode(202)
  @ApiOperation({ summary: 'Submit one Alarm v1 or an array of them' })
  @ApiBody({
    schema: {
      oneOf: [openApiSchema('alarm.v1'), { type: 'array', items: openApiSchema('alarm.v1') }],
    },
    description: 'Alarm v1 (CONTRACT §3), or an array of them',
  })
  @ApiResponse({ status: 202, description: 'Each alarm with its disposition and plan' })
  @ApiResponse({ status: 400, description: 'Not a valid Alarm v1; the error names the field' })
  async submit(@Body() body: unknown): Promise<IntakeResponseV1> {
    const alarms = validateOneOrMany('alarm.v1', body);
    if (alarms instanceof ValidationError) throw alarms;
    const results: IngestAlarmResult[] = [];
    for (const alarm of alarms)
      results.push(await this.ingest.execute({ alarm, payload: alarm, channel: 'http' }));
    return { items: results };
  }

  @Post('alertmanager')
  @HttpCode(202)
  @ApiOperation({ summary: 'Prometheus Alertmanager webhook (version 4)' })
  @ApiBody({ schema: ALERTMANAGER_WEBHOOK_SCHEMA })
  @ApiResponse({
    status: 202,
    description:
      'One item per alert, in order; an alert that cannot be mapped (no alertname, fingerprint or resource label, a label too long) is stored and answered as `rejected` with its reason',
  })
  @ApiResponse({ status: 400, description: 'Not an Alertmanager version 4 payload at all' })
  async alertmanager(@Body() body: unknown): Promise<IntakeResponseV1> {
    const items = alertsFromAlertmanager(body, this.mapping, new Date());
    return { items: await this.webhook.execute(items, 'alertmanager') };
  }

  @Post('aodh')
  @HttpCode(202)
  @ApiOperation({ summary: 'OpenStack Aodh alarm-action webhook' })
  @ApiBody({ schema: AODH_NOTIFICATION_SCHEMA })
  @ApiQuery({
    name: 'type',
    required: false,
    description: 'alarm type, when the alarm name is not one',
  })
  @ApiQuery({
    name: 'kind',
    required: false,
    description: 'resource kind (host, instance, group) for threshold alarms',
  })
  @ApiQuery({ name: 'id', required: false, description: 'resource id for threshold alarms' })
  @ApiResponse({
    status: 202,
    description: 'The alarm, or `rejected` with the reason when it cannot be mapped',
  })
  @ApiResponse({ status: 400, description: 'Not an Aodh notification (no alarm_id or current)' })
  async aodh(
    @Body() body: unknown,
    @Query('type') type?: string,
    @Query('kind') kind?: string,
    @Query('id') id?: string,
  ): Promise<IntakeResponseV1> {
    const item = alarmFromAodh(body, { type, kind, id }, new Date());
    if (!item)
      return {
        items: [],
        ignored: 'Aodh state "insufficient data" is not an alarm transition Reflex acts on',
      };
    return { items: await this.webhook.execute([item], 'aodh') };
  }
}
