import { LoggerService } from '@nestjs/common';

const LEVELS = { debug: 10, info: 20, warn: 30, error: 40 } as const;
type Level = keyof typeof LEVELS;

/**
 * One JSON object per line on stdout, so log shippers need no parsing rules. Callers pass ids
 * (alarmId, planId, actionId) as fields rather than inside the message, so they can be searched.
 */
export class JsonLogger implements LoggerService {
  constructor(
    private readonly service: string,
    private readonly minLevel: Level = 'info',
  ) {}

  private write(
    level: Level,
    message: unknown,
    context?: unknown,
    extra?: Record<string, unknown>,
  ) {
    if (LEVELS[level] < LEVELS[this.minLevel]) return;
    const entry: Record<string, unknown> = {
      time: new Date().toISOString(),
      level,
      service: this.service,
    };
    if (typeof context === 'string') entry.context = context;
    if (message instanceof Error) {
      entry.msg = message.message;
      entry.stack = message.stack;
    } else if (typeof message === 'object' && message !== null) {
      Object.assign(entry, message);
    } else {
      entry.msg = String(message);
    }
    if (extra) Object.assign(entry, extra);
    process.stdout.write(`${JSON.stringify(entry)}\n`);
  }

  log(message: unknown, context?: unknown) {
    this.write('info', message, context);
  }
  warn(message: unknown, context?: unknown) {
    this.write('warn', message, context);
  }
  error(message: unknown, stackOrContext?: unknown, context?: unknown) {
    const hasStack = typeof context === 'string';
    this.write(
      'error',
      message,
      hasStack ? context : stackOrContext,
      hasStack ? { stack: stackOrContext } : undefined,
    );
  }
  debug(message: unknown, context?: unknown) {
    this.write('debug', message, context);
  }
  verbose(message: unknown, context?: unknown) {
    this.write('debug', message, context);
  }
}
