import { ConfigError } from '@reflex/common';
import { allInOneSettings, UsageError } from './all-in-one.settings';

describe('allInOneSettings', () => {
  it('runs on its own by default: embedded database under ./data/pglite, in-process bus', () => {
    const settings = allInOneSettings({}, [], '/srv/reflex');
    expect(settings).toMatchObject({
      embedded: { dataDir: '/srv/reflex/data/pglite' },
      inProcessBus: true,
      enginePort: 3000,
      driverPort: 3001,
      seed: true,
    });
    expect(settings.env).toMatchObject({ HOST: '127.0.0.1', LOG_LEVEL: 'warn' });
    expect(settings.env.RULES_DIR).toMatch(/rules$/);
  });

  it('keeps the database in memory with --in-memory or REFLEX_IN_MEMORY=1', () => {
    expect(allInOneSettings({}, ['--in-memory']).embedded).toEqual({ dataDir: null });
    expect(allInOneSettings({ REFLEX_IN_MEMORY: '1' }, []).embedded).toEqual({ dataDir: null });
    expect(allInOneSettings({ REFLEX_SEED: '0' }, []).seed).toBe(false);
    expect(allInOneSettings({}, ['--no-seed']).seed).toBe(false);
  });

  it('runs on the real services when both DATABASE_URL and KAFKA_BROKERS are set', () => {
    const settings = allInOneSettings(
      { DATABASE_URL: 'postgres://db/reflex', KAFKA_BROKERS: 'kafka:9092', HOST: '0.0.0.0' },
      [],
    );
    expect(settings).toMatchObject({ embedded: null, inProcessBus: false });
    expect(settings.env.HOST).toBe('0.0.0.0');
  });

  it('refuses Kafka without a PostgreSQL server, clashing ports and unknown arguments', () => {
    expect(() => allInOneSettings({ KAFKA_BROKERS: 'kafka:9092' }, [])).toThrow(ConfigError);
    expect(() => allInOneSettings({ PORT: '4000', DRIVER_PORT: '4000' }, [])).toThrow(
      /PORT and DRIVER_PORT must differ/,
    );
    expect(() => allInOneSettings({}, ['--inmemory'])).toThrow(UsageError);
  });
});
