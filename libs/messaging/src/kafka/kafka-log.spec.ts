import { type LogEntry, logLevel } from 'kafkajs';
import { KafkaLog } from './kafka-log';

const entry = (
  namespace: string,
  message: string,
  extra: Record<string, unknown> = {},
  level = logLevel.ERROR,
): LogEntry => ({
  namespace,
  level,
  label: 'ERROR',
  log: { timestamp: '2026-12-06T13:00:00.000Z', message, ...extra },
});

const refused = () =>
  entry('Connection', 'Connection error: connect ECONNREFUSED 127.0.0.1:9092', {
    broker: '127.0.0.1:9092',
    clientId: 'reflex-engine',
    stack: 'Error: connect ECONNREFUSED\n    at TCPConnectWrap.afterConnect',
  });

describe('KafkaLog', () => {
  let lines: string[];
  let clock: number;
  let log: KafkaLog;

  beforeEach(() => {
    lines = [];
    clock = 0;
    const record = (m: string) => void lines.push(m);
    log = new KafkaLog({ log: record, warn: record, error: record }, 60_000, () => clock);
  });

  it('logs the first refused connection of an outage, then one line a minute saying how many it held back', () => {
    for (let i = 0; i < 300; i++) {
      log.entry(refused());
      log.entry(
        entry(
          'BrokerPool',
          'Failed to connect to seed broker, trying another broker from the list: Connection error: connect ECONNREFUSED 127.0.0.1:9092',
        ),
      );
      clock += 200; // 300 retries of two lines each: 60 s
    }
    expect(lines).toEqual([
      'kafka (broker unreachable): Connection error: connect ECONNREFUSED 127.0.0.1:9092 {"broker":"127.0.0.1:9092","clientId":"reflex-engine"}; lines like this are summarised for 60 s',
    ]);
    log.entry(refused());
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(/ECONNREFUSED .*\(599 more like it in the 60 s before, not shown\)/);
    clock += 60_000;
    log.entry(refused());
    expect(lines).toHaveLength(3);
    expect(lines[2]).not.toMatch(/more like it/);
  });

  it('summarises each kind on its own: a broker that is not ready is not an unreachable one', () => {
    log.entry(refused());
    const loading = () =>
      entry('Connection', 'Response GroupCoordinator(key: 10, version: 2)', {
        error: "The coordinator is loading and hence can't process requests for this group",
      });
    log.entry(loading());
    log.entry(loading());
    log.entry(refused());
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(/^kafka \(broker not ready\): Response GroupCoordinator/);
  });

  it('leaves consumer crashes to the supervisor, and drops the producer warning about retries', () => {
    log.entry(
      entry('Consumer', 'Crash: KafkaJSNumberOfRetriesExceeded: Connection error', {
        groupId: 'g',
      }),
    );
    log.entry(
      entry(
        'Producer',
        'Limiting retries for the idempotent producer may invalidate EoS guarantees',
        {},
        logLevel.WARN,
      ),
    );
    expect(lines).toEqual([]);
  });

  it('passes every other warning and error on as it comes, however often', () => {
    for (let i = 0; i < 3; i++) {
      log.entry(entry('Consumer', 'Error when calling eachBatch', { error: 'boom', groupId: 'g' }));
    }
    log.entry(
      entry(
        'Admin',
        'Could not create topics',
        { error: 'Invalid replication factor' },
        logLevel.WARN,
      ),
    );
    expect(lines).toEqual([
      ...Array(3).fill(
        'kafka: Error when calling eachBatch {"timestamp":"2026-12-06T13:00:00.000Z","error":"boom","groupId":"g"}',
      ),
      'kafka: Could not create topics {"timestamp":"2026-12-06T13:00:00.000Z","error":"Invalid replication factor"}',
    ]);
  });

  it('ignores what kafkajs says below warn', () => {
    log.entry(entry('Connection', 'Connection error: ECONNREFUSED', {}, logLevel.INFO));
    log.entry(entry('Consumer', 'Starting', {}, logLevel.DEBUG));
    expect(lines).toEqual([]);
  });
});
