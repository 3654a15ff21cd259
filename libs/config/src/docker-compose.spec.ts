import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { DEFAULT_HOST_PATTERN } from './alert-labels';
import { loadDriverConfig, loadEngineConfig, variablesReadBy } from './app-config';

interface ComposeService {
  image?: string;
  ports?: string[];
  build?: unknown;
  command?: string[];
  environment?: Record<string, unknown>;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: unknown };
}

const compose = parse(readFileSync(join(__dirname, '../../../docker-compose.yml'), 'utf8'), {
  merge: true,
}) as { services: Record<string, ComposeService> };

describe('docker-compose.yml', () => {
  it('defines kafka, postgres, engine and driver, each with a healthcheck', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['driver', 'engine', 'kafka', 'postgres']);
    for (const [name, service] of Object.entries(compose.services)) {
      expect({ name, test: service.healthcheck?.test }).toEqual({ name, test: expect.anything() });
    }
    expect(compose.services.kafka.image).toMatch(/^apache\/kafka:3\.9\./);
  });

  it.each([
    ['engine', loadEngineConfig, 'dist/apps/engine/main.js'],
    ['driver', loadDriverConfig, 'dist/apps/driver/main.js'],
  ] as const)('gives the %s every variable its configuration reads', (name, loader, entry) => {
    const service = compose.services[name];
    const named = Object.keys(service.environment ?? {});
    const missing = variablesReadBy(loader).filter((v) => !named.includes(v));
    expect(missing).toEqual([]);
    expect(service.command).toContain(entry);
    expect(service.depends_on?.kafka.condition).toBe('service_healthy');
    expect(service.depends_on?.postgres.condition).toBe('service_healthy');
  });

  // What a user gives for the variables compose requires (`${NAME:?message}`).
  const given: Record<string, string> = { AUTH_TOKENS: 'alice:admin:0123456789abcdef0123' };
  const interpolated = (name: 'engine' | 'driver') =>
    Object.fromEntries(
      Object.entries(compose.services[name].environment ?? {}).map(([k, v]) => [
        k,
        String(v)
          .replace(/\$\{[A-Z_]+:-([^}]*)\}/g, '$1')
          .replace(/\$\{([A-Z_]+):\?[^}]*\}/g, (_all, variable: string) => given[variable])
          .replace(/\$\$/g, '$'),
      ]),
    );

  it('is secure by default: tokens required, loopback ports, simulator control off', () => {
    for (const name of ['engine', 'driver'] as const) {
      const service = compose.services[name];
      expect(String(service.environment?.AUTH_TOKENS)).toMatch(/^\$\{AUTH_TOKENS:\?.+\}$/);
      expect(service.ports?.every((p) => p.startsWith('127.0.0.1:'))).toBe(true);
    }
    expect(loadDriverConfig(interpolated('driver')).simulatorControl).toBe(false);
  });

  it('configures the apps with values their loaders accept', () => {
    for (const name of ['engine', 'driver'] as const) {
      const env = interpolated(name);
      const loader = name === 'engine' ? loadEngineConfig : loadDriverConfig;
      expect(loader(env).kafkaBrokers).toEqual(['kafka:9092']);
      if (name === 'engine')
        expect(loadEngineConfig(env).alertHostPattern.source).toBe(DEFAULT_HOST_PATTERN);
    }
  });
});
