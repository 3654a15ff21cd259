import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { ConflictError, NotFoundError } from '@reflex/common';
import type { PageV1 } from '@reflex/contracts';
import { ALARM_DISPOSITIONS, AlarmDisposition } from '@reflex/persistence';
import {
  bigintIdOf,
  dateOf,
  invalidParam,
  isBigintId,
  oneOf,
  textOf,
} from '../common/query-params';
import { encodeCursor, pageRequest } from '../inventory/list-page';
import { AlarmQueryRepository, AlarmRecord } from './alarm-query.repository';

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
  async list(@Query() q: Record<string, string | undefined>): Promise<PageV1<AlarmRecord>> {
    const page = pageRequest(q.limit, q.cursor);
    if (page.after !== undefined && !isBigintId(page.after)) {
      throw invalidParam('cursor', 'is not a cursor returned by a previous page');
    }
    const rows = await this.alarms.list({
      type: textOf('type', q.type),
      source: textOf('source', q.source),
      resource: textOf('resource', q.resource),
      disposition: oneOf<AlarmDisposition>('disposition', q.disposition, ALARM_DISPOSITIONS),
      from: dateOf('from', q.from),
      to: dateOf('to', q.to),
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
    summary: 'One alarm, by the id it was sent with or its row id, with its decision',
    description:
      'Without `source`, a row id (digits) is tried first, as before; otherwise the id the alarm ' +
      'was sent with, 409 naming the sources when several sent it. With `source`, only the sent id.',
  })
  @ApiQuery({ name: 'source', required: false, description: 'the source that sent the id' })
  async get(
    @Param('id') id: string,
    @Query() q: Record<string, string | undefined>,
  ): Promise<AlarmRecord> {
    const source = textOf('source', q.source);
    if (source === undefined && isBigintId(id)) {
      const byRow = await this.alarms.get(id);
      if (byRow) return byRow;
    }
    const sent = await this.alarms.bySentId(id, source);
    // Digits beyond a row id's range that no source sent: the 400 naming `id` it always was.
    if (!sent.length && source === undefined) bigintIdOf('id', id);
    if (sent.length > 1) {
      const sources = sent.map((alarm) => alarm.source).join(', ');
      throw new ConflictError(
        `alarm ${id} was sent by several sources (${sources}): add ?source=`,
        {
          sources: sent.map((alarm) => alarm.source),
        },
      );
    }
    if (!sent[0]) throw new NotFoundError('alarm', id);
    return sent[0];
  }
}
