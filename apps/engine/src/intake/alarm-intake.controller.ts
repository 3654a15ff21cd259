import { RequireRole } from '@reflex/platform';
import { Body, Controller, HttpCode, Post, Query } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ValidationError } from '@reflex/common';
import { AlarmV1, validate, validateOneOrMany } from '@reflex/contracts';
import { alarmsFromAlertmanager } from './mappers/alertmanager.mapper';
import { alarmFromAodh } from './mappers/aodh.mapper';
import { IngestAlarmResult, IntakeChannel } from './usecases/ingest-alarm/ingest-alarm.command';
import { IngestAlarmUseCase } from './usecases/ingest-alarm/ingest-alarm.usecase';

interface IntakeResponse {
  items: IngestAlarmResult[];
  ignored?: string;
}

/** HTTP intake (CONTRACT §3): same semantics as the `alarms` topic, decided before the answer. */
@ApiTags('alarms')
@RequireRole('operator')
@Controller('v1/alarms')
export class AlarmIntakeController {
  constructor(private readonly ingest: IngestAlarmUseCase) {}

  private async run(
    alarms: AlarmV1[],
    payload: object,
    channel: IntakeChannel,
  ): Promise<IntakeResponse> {
    const items: IngestAlarmResult[] = [];
    for (const alarm of alarms) items.push(await this.ingest.execute({ alarm, payload, channel }));
    return { items };
  }

  @Post()
  @HttpCode(202)
  @ApiOperation({ summary: 'Submit one Alarm v1 or an array of them' })
  @ApiBody({
    schema: { oneOf: [{ type: 'object' }, { type: 'array', items: { type: 'object' } }] },
    description: 'Alarm v1 (CONTRACT §3)',
  })
  @ApiResponse({ status: 202, description: 'Each alarm with its disposition and plan' })
  @ApiResponse({ status: 400, description: 'Not a valid Alarm v1; the error names the field' })
  async submit(@Body() body: unknown): Promise<IntakeResponse> {
    const alarms = validateOneOrMany('alarm.v1', body);
    if (alarms instanceof ValidationError) throw alarms;
    const results: IngestAlarmResult[] = [];
    for (const alarm of alarms) results.push(...(await this.run([alarm], alarm, 'http')).items);
    return { items: results };
  }

  @Post('alertmanager')
  @HttpCode(202)
  @ApiOperation({ summary: 'Prometheus Alertmanager webhook (version 4)' })
  @ApiResponse({ status: 202 })
  @ApiResponse({
    status: 400,
    description:
      'Not a version 4 payload, or an alert without alertname, fingerprint or resource label',
  })
  async alertmanager(@Body() body: unknown): Promise<IntakeResponse> {
    const alarms = alarmsFromAlertmanager(body).map((alarm, i) => checked(alarm, `/alerts/${i}`));
    return this.run(alarms, body as object, 'alertmanager');
  }

  @Post('aodh')
  @HttpCode(202)
  @ApiOperation({ summary: 'OpenStack Aodh alarm-action webhook' })
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
  @ApiResponse({ status: 202 })
  @ApiResponse({ status: 400 })
  async aodh(
    @Body() body: unknown,
    @Query('type') type?: string,
    @Query('kind') kind?: string,
    @Query('id') id?: string,
  ): Promise<IntakeResponse> {
    const alarm = alarmFromAodh(body, { type, kind, id }, new Date());
    if (!alarm)
      return {
        items: [],
        ignored: 'Aodh state "insufficient data" is not an alarm transition Reflex acts on',
      };
    return this.run([checked(alarm, '')], body as object, 'aodh');
  }
}

/** A mapped webhook alarm must still be a valid Alarm v1 (e.g. a label too long for an id). */
function checked(alarm: AlarmV1, at: string): AlarmV1 {
  const result = validate('alarm.v1', alarm);
  if (!(result instanceof ValidationError)) return result;
  const errors = result.errors.map((e) => ({ path: `${at}${e.path}`, message: e.message }));
  throw new ValidationError(
    `mapped alarm is not a valid Alarm v1: ${errors.map((e) => `${e.path} ${e.message}`).join('; ')}`,
    errors,
  );
}
