import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { NotFoundError, ValidationError } from '@reflex/common';
import { ALARM_DISPOSITIONS, AlarmDisposition } from '@reflex/persistence';
import { encodeCursor, pageRequest } from '../inventory/list-page';
import { AlarmQueryRepository, AlarmRecord } from './alarm-query.repository';

function date(name: string, value: string | undefined): Date | undefined {
  if (value === undefined) return undefined;
  const parsed = new Date(value);
  if (Number.isNaN(parsed.getTime())) {
    throw new ValidationError(`${name} must be an ISO-8601 date-time`, [
      { path: name, message: 'must be an ISO-8601 date-time' },
    ]);
  }
  return parsed;
}

function text(name: string, value: string | undefined): string | undefined {
  if (value !== undefined && (typeof value !== 'string' || value.length > 256)) {
    throw new ValidationError(`${name} must be a string of at most 256 characters`, [
      { path: name, message: 'must be a string of at most 256 characters' },
    ]);
  }
  return value || undefined;
}

/** The alarm audit trail: every alarm received, with what became of it. */
@ApiTags('alarms')
@Controller('v1/alarms')
export class AlarmsController {
  constructor(private readonly alarms: AlarmQueryRepository) {}

  @Get()
  @ApiOperation({ summary: 'Alarms received, newest first, with disposition and plan' })
  @ApiQuery({ name: 'type', required: false })
  @ApiQuery({ name: 'source', required: false })
  @ApiQuery({ name: 'resource', required: false, description: 'resource id' })
  @ApiQuery({ name: 'disposition', required: false, enum: ALARM_DISPOSITIONS })
  @ApiQuery({ name: 'from', required: false, description: 'received at or after (ISO-8601)' })
  @ApiQuery({ name: 'to', required: false, description: 'received before (ISO-8601)' })
  @ApiQuery({ name: 'limit', required: false })
  @ApiQuery({ name: 'cursor', required: false })
  async list(
    @Query() q: Record<string, string | undefined>,
  ): Promise<{ items: AlarmRecord[]; nextCursor: string | null }> {
    const page = pageRequest(q.limit, q.cursor);
    if (page.after !== undefined && !/^\d{1,19}$/.test(page.after))
      throw new ValidationError('bad cursor', [
        { path: 'cursor', message: 'is not a cursor returned by a previous page' },
      ]);
    if (
      q.disposition !== undefined &&
      !(ALARM_DISPOSITIONS as readonly string[]).includes(q.disposition)
    ) {
      throw new ValidationError(`disposition must be one of ${ALARM_DISPOSITIONS.join(', ')}`, [
        { path: 'disposition', message: `must be one of ${ALARM_DISPOSITIONS.join(', ')}` },
      ]);
    }
    const rows = await this.alarms.list({
      type: text('type', q.type),
      source: text('source', q.source),
      resource: text('resource', q.resource),
      disposition: q.disposition as AlarmDisposition | undefined,
      from: date('from', q.from),
      to: date('to', q.to),
      before: page.after,
      limit: page.limit,
    });
    const items = rows.slice(0, page.limit);
    return {
      items,
      nextCursor: rows.length > page.limit ? encodeCursor(items[items.length - 1].id) : null,
    };
  }

  @Get(':id')
  @ApiOperation({
    summary: 'One alarm (by its row id) with its decision: rules, conditions, fact values',
  })
  async get(@Param('id') id: string): Promise<AlarmRecord> {
    const alarm = await this.alarms.get(id);
    if (!alarm) throw new NotFoundError('alarm', id);
    return alarm;
  }
}
