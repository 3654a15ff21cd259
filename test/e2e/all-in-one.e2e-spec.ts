// The all-in-one's own duty beyond the scenarios: a data directory that outlives the process, and
// that two processes never open at once.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ReflexClient } from '../../scripts/demo/reflex-client';
import { quietEnv, spawnAllInOne } from './support/spawn-all-in-one';

describe('all-in-one on a data directory', () => {
  let dataDir: string;
  const env = () => quietEnv({ REFLEX_DATA_DIR: dataDir });

  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'reflex-data-'));
  });
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('seeds once, keeps the inventory across a restart, and keeps a second process out', async () => {
    const first = await spawnAllInOne(env());
    try {
      expect(first.seeded).toBe(true);
      expect(first.database).toContain(dataDir);
      await expect(spawnAllInOne(env())).rejects.toThrow(/is in use by Reflex process \d+/);
      const client = new ReflexClient(first.engineUrl, first.driverUrl);
      await client.alarm({
        id: 'restart-test',
        source: 'e2e',
        type: 'instance.down',
        severity: 'critical',
        state: 'firing',
        resource: { kind: 'instance', id: 'queue-2' },
        occurredAt: new Date().toISOString(),
      });
    } finally {
      await first.close();
    }

    const second = await spawnAllInOne(env());
    try {
      expect(second.seeded).toBe(false);
      const client = new ReflexClient(second.engineUrl, second.driverUrl);
      expect((await client.inventory()).hosts).toHaveLength(12);
      const plans = await client.plansSince(new Date(0).toISOString());
      expect(plans.map((p) => [p.policy, p.target.id])).toEqual([['switch-over', 'queue-2']]);
    } finally {
      await second.close();
    }
    // Three processes boot here, each compiling the sources first: slow on a busy machine.
  }, 180_000);
});
