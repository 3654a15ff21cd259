// A scripted stand-in for the driver: a plain kafkajs consumer of <prefix>driver.commands that
// answers each command on <prefix>driver.events as its script says, and records every command.
import { randomBytes } from 'node:crypto';
import type { DriverCommandV1, DriverErrorV1, DriverEventV1 } from '@reflex/contracts';
import type { Consumer, Producer } from 'kafkajs';
import { Partitioners } from 'kafkajs';
import { testKafka } from './kafka';
import { waitFor } from './wait-for';

export type Reply =
  | { status: 'accepted' | 'succeeded' | 'aborted' }
  | { status: 'progress'; progress: number }
  | { status: 'failed'; error: DriverErrorV1 | string };

/**
 * What to answer to an `execute`: replies in order; `hang` (accepted, then nothing until an abort
 * or force-complete); or `silent` (nothing at all until `release`).
 */
export type Script = (command: DriverCommandV1) => Reply[] | 'hang' | 'silent';

/** accepted, `progressSteps` progress reports, succeeded. */
export const success = (progressSteps = 1): Reply[] => [
  { status: 'accepted' },
  ...Array.from({ length: progressSteps }, (_, i) => ({
    status: 'progress' as const,
    progress: Math.round(((i + 1) * 100) / (progressSteps + 1)),
  })),
  { status: 'succeeded' },
];

export const succeed =
  (progressSteps = 1): Script =>
  () =>
    success(progressSteps);

/** Live migrations hang until aborted or force-completed; everything else succeeds. */
export const hangMigrations: Script = (c) => (c.type === 'live-migrate' ? 'hang' : succeed()(c));

export const fail = (code: string, retriable: boolean): Reply[] => [
  { status: 'accepted' },
  { status: 'failed', error: { code, message: `scripted ${code}`, retriable } },
];

export interface ReceivedCommand extends DriverCommandV1 {
  receivedAt: number;
}

export class DriverStandIn {
  readonly commands: ReceivedCommand[] = [];
  private script: Script = succeed();
  private readonly hanging = new Map<string, DriverCommandV1>();
  private readonly heldAborts: DriverCommandV1[] = [];
  /** While true, aborts of hanging commands are recorded but not answered (`answerHeldAborts`). */
  holdAborts = false;

  private constructor(
    private readonly prefix: string,
    private readonly consumer: Consumer,
    private readonly producer: Producer,
  ) {}

  static async start(prefix: string): Promise<DriverStandIn> {
    const kafka = testKafka('driver-stand-in');
    const consumer = kafka.consumer({
      groupId: `driver-stand-in-${randomBytes(4).toString('hex')}`,
      maxWaitTimeInMs: 50,
    });
    const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    const standIn = new DriverStandIn(prefix, consumer, producer);
    await producer.connect();
    await consumer.connect();
    await consumer.subscribe({ topic: `${prefix}driver.commands`, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        const command = JSON.parse(message.value!.toString()) as DriverCommandV1;
        await standIn.onCommand(command);
      },
    });
    return standIn;
  }

  /** The script for the `execute` commands from now on. */
  use(script: Script): void {
    this.script = script;
  }

  async stop(): Promise<void> {
    await this.consumer.disconnect();
    await this.producer.disconnect();
  }

  executes(planId?: string): ReceivedCommand[] {
    return this.commands.filter((c) => c.kind === 'execute' && (!planId || c.planId === planId));
  }

  of(kind: DriverCommandV1['kind'], actionId: string): ReceivedCommand[] {
    return this.commands.filter((c) => c.kind === kind && c.actionId === actionId);
  }

  waitForCommand(
    description: string,
    match: (c: ReceivedCommand) => boolean,
    timeoutMs = 20_000,
  ): Promise<ReceivedCommand> {
    return waitFor(description, () => this.commands.find(match), { timeoutMs });
  }

  /** Answers a hanging command now (one whose abort is held back too: it finished regardless). */
  async release(actionId: string, replies: Reply[]): Promise<void> {
    const held = this.heldAborts.findIndex((c) => c.actionId === actionId);
    const command =
      held >= 0
        ? this.heldAborts.splice(held, 1)[0]
        : [...this.hanging.values()].find((c) => c.actionId === actionId);
    if (!command) throw new Error(`no hanging command for action ${actionId}`);
    this.hanging.delete(`${command.actionId}/${command.attempt}`);
    await this.reply(command, replies);
  }

  /** Answers the aborts held back by `holdAborts`; returns when the answers are on the broker. */
  async answerHeldAborts(): Promise<void> {
    for (const hanging of this.heldAborts.splice(0)) {
      await this.reply(hanging, [{ status: 'aborted' }]);
    }
  }

  /** Every (kind, action, attempt) seen more than once. */
  duplicates(): string[] {
    const seen = new Map<string, number>();
    for (const c of this.commands) {
      const key = `${c.kind} ${c.actionId} #${c.attempt}`;
      seen.set(key, (seen.get(key) ?? 0) + 1);
    }
    return [...seen].filter(([, n]) => n > 1).map(([key, n]) => `${key} x${n}`);
  }

  private async onCommand(command: DriverCommandV1): Promise<void> {
    this.commands.push({ ...command, receivedAt: Date.now() });
    const key = `${command.actionId}/${command.attempt}`;
    if (command.kind === 'execute') {
      const replies = this.script(command);
      if (replies === 'hang' || replies === 'silent') {
        this.hanging.set(key, command);
        if (replies === 'hang') await this.reply(command, [{ status: 'accepted' }]);
      } else {
        await this.reply(command, replies);
      }
      return;
    }
    const hanging = this.hanging.get(key);
    if (!hanging) return;
    this.hanging.delete(key);
    if (command.kind === 'abort' && this.holdAborts) this.heldAborts.push(hanging);
    else if (command.kind === 'abort') await this.reply(hanging, [{ status: 'aborted' }]);
    else
      await this.reply(hanging, [{ status: 'progress', progress: 100 }, { status: 'succeeded' }]);
  }

  private async reply(command: DriverCommandV1, replies: Reply[]): Promise<void> {
    if (replies.length === 0) return;
    const events: DriverEventV1[] = replies.map((r) => ({
      actionId: command.actionId,
      attempt: command.attempt,
      at: new Date().toISOString(),
      ...r,
    }));
    await this.producer.send({
      topic: `${this.prefix}driver.events`,
      messages: events.map((e) => ({ key: e.actionId, value: JSON.stringify(e) })),
    });
  }
}
