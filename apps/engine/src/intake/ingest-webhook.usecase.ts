import { Injectable, Logger } from '@nestjs/common';
import { UnitOfWork } from '@reflex/persistence';
import { ValidationError } from '@reflex/common';
import { AlarmRepository } from '../decisions/alarm.repository';
import { rejectedAlert, type RejectedAlert, type WebhookItem } from './mappers/webhook-item';
import type {
  IngestAlarmCommand,
  IngestAlarmResult,
  IntakeChannel,
} from '../decisions/ingest-alarm.command';
import { IngestAlarmUseCase } from '../decisions/ingest-alarm.usecase';

/** As many alarms as the topic consumer decides in one transaction. */
const BATCH = 200;

type Outcome = IngestAlarmResult | { rejected: RejectedAlert };

/**
 * One webhook notification, answered per alert: the alerts that map to an Alarm v1 are decided like
 * any alarm (in batches, in order), the others are stored as `rejected` with their reason. A sender
 * such as Alertmanager posts a whole group at once and never retries a 4xx, so no alert may cost
 * the others their delivery.
 */
@Injectable()
export class IngestWebhookUseCase {
  private readonly logger = new Logger('intake');

  constructor(
    private readonly uow: UnitOfWork,
    private readonly alarms: AlarmRepository,
    private readonly ingest: IngestAlarmUseCase,
  ) {}

  /** The results in the items' order. */
  async execute(items: WebhookItem[], channel: IntakeChannel): Promise<IngestAlarmResult[]> {
    const results: IngestAlarmResult[] = new Array<IngestAlarmResult>(items.length);
    const rejected: Array<{ at: number; alert: RejectedAlert }> = [];
    const decidable: Array<{ at: number; command: IngestAlarmCommand }> = [];
    items.forEach((item, at) => {
      if (item.rejected) rejected.push({ at, alert: item.rejected });
      else decidable.push({ at, command: { alarm: item.alarm, payload: item.payload, channel } });
    });
    for (let start = 0; start < decidable.length; start += BATCH) {
      const chunk = decidable.slice(start, start + BATCH);
      const outcomes = await this.decide(chunk.map((c) => c.command));
      outcomes.forEach((outcome, j) => {
        if ('rejected' in outcome) rejected.push({ at: chunk[j].at, alert: outcome.rejected });
        else results[chunk[j].at] = outcome;
      });
    }
    const fresh = await this.uow.transaction(() =>
      this.alarms.insertRejected(rejected.map((r) => r.alert)),
    );
    rejected.forEach(({ at, alert }, j) => {
      if (fresh[j])
        this.logger.warn({
          msg: 'alarm rejected',
          alarmId: alert.id,
          channel,
          reason: alert.reason,
        });
      results[at] = {
        id: alert.id,
        source: alert.source,
        disposition: 'rejected',
        planId: null,
        correlatedTo: null,
        reason: alert.reason,
        replay: !fresh[j],
      };
    });
    return results;
  }

  /** A batch the database refuses is decided one alarm at a time: only the refused one is rejected. */
  private async decide(commands: IngestAlarmCommand[]): Promise<Outcome[]> {
    try {
      return await this.ingest.executeBatch(commands);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      if (commands.length > 1) {
        const outcomes: Outcome[] = [];
        for (const command of commands) outcomes.push(...(await this.decide([command])));
        return outcomes;
      }
      const { alarm, payload } = commands[0];
      return [{ rejected: rejectedAlert({ ...alarm, payload }, error.message, new Date()) }];
    }
  }
}
