import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  BrokerLayout,
  kafkaVersionOf,
  log4jProperties,
  newClusterId,
  serverProperties,
  tailLines,
} from './broker-config';

const layout: BrokerLayout = {
  port: 41000,
  controllerPort: 41001,
  logDir: '/tmp/reflex-kafka-x/data',
  logFile: '/tmp/reflex-kafka-x/broker.log',
};

function parse(properties: string): Record<string, string> {
  return Object.fromEntries(
    properties
      .trim()
      .split('\n')
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  );
}

describe('newClusterId', () => {
  it('is 16 bytes in base64url, as Kafka expects', () => {
    const id = newClusterId();
    expect(id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(Buffer.from(id, 'base64url')).toHaveLength(16);
  });

  it('never starts with "-", which the storage tool would read as an option', () => {
    const draws = [Buffer.alloc(16, 0xfb), Buffer.alloc(16, 0x01)];
    const id = newClusterId(() => draws.shift() as Buffer);
    expect(id.startsWith('-')).toBe(false);
    expect(draws).toHaveLength(0);
  });
});

describe('kafkaVersionOf', () => {
  it('reads the 3.9.x version the pom pins', () => {
    const pom = readFileSync(join(__dirname, 'pom.xml'), 'utf8');
    expect(kafkaVersionOf(pom)).toMatch(/^3\.9\.\d+$/);
  });

  it('fails clearly when the property is missing', () => {
    expect(() => kafkaVersionOf('<project/>')).toThrow(/kafka\.version/);
  });
});

describe('serverProperties', () => {
  it('configures a single-node KRaft broker on loopback that never auto-creates topics', () => {
    expect(parse(serverProperties(layout))).toMatchObject({
      'process.roles': 'broker,controller',
      'node.id': '1',
      'controller.quorum.voters': '1@127.0.0.1:41001',
      listeners: 'PLAINTEXT://127.0.0.1:41000,CONTROLLER://127.0.0.1:41001',
      'advertised.listeners': 'PLAINTEXT://127.0.0.1:41000',
      'controller.listener.names': 'CONTROLLER',
      'log.dirs': '/tmp/reflex-kafka-x/data',
      'offsets.topic.replication.factor': '1',
      'transaction.state.log.replication.factor': '1',
      'transaction.state.log.min.isr': '1',
      'group.initial.rebalance.delay.ms': '0',
      'auto.create.topics.enable': 'false',
      'num.partitions': '1',
    });
  });

  it('escapes backslashes, which java.util.Properties would swallow', () => {
    const text = serverProperties({ ...layout, logDir: 'C:\\kafka\\data' });
    expect(text).toContain('log.dirs=C:\\\\kafka\\\\data\n');
  });
});

describe('log4jProperties', () => {
  it('logs WARN to the file but keeps the "Kafka Server started" line', () => {
    expect(parse(log4jProperties(layout))).toMatchObject({
      'log4j.rootLogger': 'WARN, file',
      'log4j.appender.file.File': '/tmp/reflex-kafka-x/broker.log',
      'log4j.logger.kafka.server.KafkaRaftServer': 'INFO',
    });
  });
});

describe('tailLines', () => {
  it('keeps the last lines and drops the trailing newline', () => {
    expect(tailLines('a\nb\nc\n', 2)).toBe('b\nc');
  });
});
