import { randomBytes } from 'node:crypto';

/** Everything the single-node broker's configuration depends on; the rest is fixed for dev and tests. */
export interface BrokerLayout {
  port: number;
  controllerPort: number;
  logDir: string;
  logFile: string;
}

/**
 * A KRaft cluster id: 16 random bytes, base64url, as `kafka-storage random-uuid` makes them.
 * Kafka's own generator re-draws ids that start with '-' because the tools' argument parser would take
 * them for an option; so do we.
 */
export function newClusterId(random: (size: number) => Buffer = randomBytes): string {
  for (;;) {
    const id = random(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

/** The Kafka version the pom pins, so the cache folder follows the pom and nothing else. */
export function kafkaVersionOf(pomXml: string): string {
  const match = /<kafka\.version>\s*([^<\s]+)\s*<\/kafka\.version>/.exec(pomXml);
  if (!match) throw new Error('scripts/kafka/pom.xml has no <kafka.version> property');
  return match[1];
}

// java.util.Properties reads backslashes as escapes; nothing else in a path needs quoting in a value.
function propertyValue(value: string | number): string {
  return String(value).replace(/\\/g, '\\\\');
}

function propertiesText(entries: Record<string, string | number>): string {
  return Object.entries(entries)
    .map(([key, value]) => `${key}=${propertyValue(value)}\n`)
    .join('');
}

export function serverProperties(layout: BrokerLayout): string {
  const { port, controllerPort, logDir } = layout;
  return propertiesText({
    'process.roles': 'broker,controller',
    'node.id': 1,
    'controller.quorum.voters': `1@127.0.0.1:${controllerPort}`,
    listeners: `PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
    'advertised.listeners': `PLAINTEXT://127.0.0.1:${port}`,
    'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    'controller.listener.names': 'CONTROLLER',
    'inter.broker.listener.name': 'PLAINTEXT',
    'log.dirs': logDir,
    // One node: internal topics cannot be replicated, and the defaults (3) would never become ready.
    'offsets.topic.replication.factor': 1,
    'transaction.state.log.replication.factor': 1,
    'transaction.state.log.min.isr': 1,
    // The 50 default partitions of each internal topic make the first consumer group join take seconds.
    'offsets.topic.num.partitions': 1,
    'transaction.state.log.num.partitions': 1,
    // Tests join groups constantly; the default 3 s delay would be paid on every join.
    'group.initial.rebalance.delay.ms': 0,
    // Our messaging layer creates its topics; a typo must fail instead of silently making a topic.
    'auto.create.topics.enable': 'false',
    'num.partitions': 1,
  });
}

/**
 * WARN and above into one file in the data dir, plus the broker's 'Kafka Server started' INFO line so
 * the log shows when it became ready. reload4j (log4j 1.x syntax) is what Kafka 3.9 logs through.
 */
export function log4jProperties(layout: BrokerLayout): string {
  return propertiesText({
    'log4j.rootLogger': 'WARN, file',
    'log4j.appender.file': 'org.apache.log4j.FileAppender',
    'log4j.appender.file.File': layout.logFile,
    'log4j.appender.file.Append': 'true',
    'log4j.appender.file.layout': 'org.apache.log4j.PatternLayout',
    'log4j.appender.file.layout.ConversionPattern': '[%d] %p %m (%c)%n',
    'log4j.logger.kafka.server.KafkaRaftServer': 'INFO',
  });
}

/** The last `lines` lines of a log, for error messages that must explain a broker that did not start. */
export function tailLines(text: string, lines: number): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}
