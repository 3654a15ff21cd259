import { ConfigError } from '@reflex/common';
import { loadDriverConfig, loadEngineConfig } from './app-config';

describe('configuration', () => {
  it('applies defaults when nothing is set', () => {
    const config = loadEngineConfig({});
    expect(config.kafkaBrokers).toBeNull();
    expect(config.databaseUrl).toBe('postgres://postgres@127.0.0.1:5432/reflex');
    expect(config.port).toBe(3000);
    expect(config.topicPrefix).toBe('');
    expect(Object.isFrozen(config)).toBe(true);
    expect(loadDriverConfig({}).port).toBe(3001);
  });

  it('parses brokers, prefix and tokens', () => {
    const config = loadEngineConfig({
      KAFKA_BROKERS: 'k1:9092, k2:9093',
      TOPIC_PREFIX: 'prod.',
      AUTH_TOKENS: 'bot:operator:0123456789abcdef,alice:admin:a:b:c:d:e:f:g:h:i',
    });
    expect(config.kafkaBrokers).toEqual(['k1:9092', 'k2:9093']);
    expect(config.topicPrefix).toBe('prod.');
    expect(config.authTokens).toEqual([
      { name: 'bot', role: 'operator', token: '0123456789abcdef' },
      { name: 'alice', role: 'admin', token: 'a:b:c:d:e:f:g:h:i' },
    ]);
  });

  it('names every malformed variable in one error', () => {
    const load = () =>
      loadEngineConfig({
        PORT: 'eighty',
        KAFKA_BROKERS: 'no-port-here',
        DATABASE_URL: 'mysql://x@y/z',
        AUTH_TOKENS: 'bob:root:0123456789abcdef',
        RULES_WATCH: 'maybe',
      });
    expect(load).toThrow(ConfigError);
    const message = (() => {
      try {
        load();
        return '';
      } catch (error) {
        return (error as Error).message;
      }
    })();
    for (const name of ['PORT', 'KAFKA_BROKERS', 'DATABASE_URL', 'AUTH_TOKENS', 'RULES_WATCH']) {
      expect(message).toContain(name);
    }
  });

  it('never echoes a malformed database URL, which may hold a password', () => {
    const load = () => loadEngineConfig({ DATABASE_URL: 'postgres://u:hunter2@db:notaport/x' });
    expect(load).toThrow(/DATABASE_URL is not a valid URL/);
    expect(load).not.toThrow(/hunter2/);
  });

  it('reads which Alertmanager labels name a resource, and how a host is read from a target', () => {
    const defaults = loadEngineConfig({});
    expect(defaults.alertResourceLabels.map((l) => `${l.label}=${l.kind}`)).toEqual([
      'host=host',
      'instance_id=instance',
      'group=group',
      'instance=host',
    ]);
    expect(defaults.alertHostPattern.exec('cmp-07:9100')?.[1]).toBe('cmp-07');
    expect(defaults.alertHostPattern.exec('[fd00::7]:9100')?.[1]).toBe('fd00::7');
    expect(defaults.alertHostPattern.exec('cmp-07')?.[1]).toBe('cmp-07');
    const custom = loadEngineConfig({
      ALERTMANAGER_RESOURCE_LABELS: 'nodename=host, domain=instance',
      ALERTMANAGER_HOST_PATTERN: '^([^.:]+)',
    });
    expect(custom.alertResourceLabels).toEqual([
      { label: 'nodename', kind: 'host' },
      { label: 'domain', kind: 'instance' },
    ]);
    expect(custom.alertHostPattern.exec('cmp-07.dc1:9100')?.[1]).toBe('cmp-07');
    expect(() =>
      loadEngineConfig({
        ALERTMANAGER_RESOURCE_LABELS: 'host=rack',
        ALERTMANAGER_HOST_PATTERN: '(',
      }),
    ).toThrow(/ALERTMANAGER_RESOURCE_LABELS entry 1[\s\S]*ALERTMANAGER_HOST_PATTERN/);
    expect(() => loadEngineConfig({ ALERTMANAGER_HOST_PATTERN: '^.+$' })).toThrow(
      /capturing group/,
    );
  });
});
