// `npm run demo`: a scripted story on Reflex. It boots a fresh all-in-one in memory (or, with
// REFLEX_URL, uses a running one that still has the untouched demo topology), announces what must
// happen, prints every plan's timeline as it happens with the running live migrations on a status
// line, and exits 0 only if the announced outcome came about.
import 'reflect-metadata';
import type { InventoryV1 } from '@reflex/contracts';
import { type AllInOne, startAllInOne } from '../../apps/all-in-one/src/all-in-one';
import { allInOneSettings } from '../../apps/all-in-one/src/all-in-one.settings';
import { demoTopology } from '../../apps/all-in-one/src/demo-topology';
import { capacityOutlook } from './capacity-outlook';
import { PlanWatcher } from './plan-watcher';
import { ReflexClient } from './reflex-client';
import {
  announcement,
  type Check,
  failPathNarrator,
  hostFailure,
  maintenanceDrain,
  STORY,
} from './story';
import { Terminal } from './terminal';

/** The demo's own instance: in memory, on free ports, quick enough to watch and not to wait for. */
const DEMO_ENV: Record<string, string> = {
  PORT: '0',
  DRIVER_PORT: '0',
  LOG_LEVEL: 'error',
  SIMULATOR_BANDWIDTH_MBPS: '2000',
  DRIVER_PROGRESS_INTERVAL_MS: '250',
  RULES_WATCH: 'false',
};

async function boot(term: Terminal): Promise<{ client: ReflexClient; instance?: AllInOne }> {
  const attach = process.env.REFLEX_URL;
  if (attach) {
    const engine = new URL(attach);
    const driver = new URL(process.env.REFLEX_DRIVER_URL ?? attach);
    if (!process.env.REFLEX_DRIVER_URL) driver.port = String(Number(engine.port || 80) + 1);
    term.line(`Using the Reflex at ${engine.origin} (driver ${driver.origin}).`);
    const client = new ReflexClient(engine.origin, driver.origin, process.env.REFLEX_TOKEN);
    const problem = untouched(await client.inventory(), await client.simState());
    if (problem) {
      throw new Error(
        `the demo needs the demo topology as seeded (${problem}); restart that Reflex with ` +
          '--in-memory, or run `npm run demo` without REFLEX_URL',
      );
    }
    return { client };
  }
  const started = Date.now();
  const env: Record<string, string | undefined> = { ...process.env, ...DEMO_ENV };
  for (const name of ['DATABASE_URL', 'KAFKA_BROKERS', 'AUTH_TOKENS']) delete env[name];
  const instance = await startAllInOne(allInOneSettings(env, ['--in-memory']));
  term.line(
    `Booted Reflex in ${((Date.now() - started) / 1000).toFixed(1)} s: engine ${instance.engineUrl}, ` +
      `driver ${instance.driverUrl}; ${instance.database}, ${instance.transport}.`,
  );
  return { client: new ReflexClient(instance.engineUrl, instance.driverUrl), instance };
}

/** Why a running Reflex cannot host the story, or null. */
function untouched(inventory: InventoryV1, cloud: InventoryV1): string | null {
  for (const seeded of demoTopology().instances) {
    for (const [name, doc] of [
      ['inventory', inventory],
      ['simulated cloud', cloud],
    ] as const) {
      const now = doc.instances.find((i) => i.id === seeded.id);
      if (now?.hostId !== seeded.hostId || now.role !== seeded.role || now.state !== 'running') {
        return `${seeded.id} has changed in the ${name}`;
      }
    }
  }
  for (const id of [STORY.failedHost, STORY.drainedHost]) {
    if (inventory.hosts.find((h) => h.id === id)?.status !== 'up') return `${id} is not up`;
  }
  return null;
}

const STOP_TIMEOUT_MS = 15_000;

/** Stops the demo's own instance; one that cannot stop (a hung database) is left to process exit. */
async function stop(instance: AllInOne | undefined): Promise<void> {
  if (!instance) return;
  let timer: NodeJS.Timeout | undefined;
  const gaveUp = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      process.stderr.write(`Reflex did not stop within ${STOP_TIMEOUT_MS / 1000} s\n`);
      resolve();
    }, STOP_TIMEOUT_MS);
  });
  await Promise.race([instance.close(), gaveUp]);
  clearTimeout(timer);
}

async function main(): Promise<number> {
  const term = new Terminal();
  const t0 = Date.now();
  term.line(
    term.color(
      'bold',
      'Reflex demo: a host failure, then a maintenance drain that hits a failing migration',
    ),
  );
  term.line();
  const { client, instance } = await boot(term);
  let checks: Check[] = [];
  try {
    const before = await client.inventory();
    term.line();
    announcement(before).forEach((line) => term.line(line));
    const since = new Date().toISOString();
    const watcher = new PlanWatcher(client, term, {
      since,
      started: Date.now(),
      onEntry: failPathNarrator({ client, term }),
    });
    watcher.start();
    try {
      checks = await hostFailure({ client, term, watcher }, before);
      checks.push(...(await maintenanceDrain({ client, term, watcher }, before)));
    } finally {
      await watcher.stop();
    }
    await capacityOutlook(client, term);
  } finally {
    await stop(instance);
  }

  term.line();
  term.line(term.color('bold', 'Outcome'));
  for (const c of checks) {
    const mark = c.ok ? term.color('green', '  ✔') : term.color('red', '  ✘');
    term.line(`${mark} ${c.what}${c.ok ? '' : term.color('red', ` — found: ${c.found}`)}`);
  }
  const ok = checks.length > 0 && checks.every((c) => c.ok);
  const took = ((Date.now() - t0) / 1000).toFixed(1);
  term.line();
  term.line(
    ok
      ? term.color('green', `The demo ended as announced (${checks.length} checks, ${took} s).`)
      : term.color(
          'red',
          `The demo did NOT end as announced (${checks.filter((c) => !c.ok).length} of ${checks.length} checks failed, ${took} s).`,
        ),
  );
  return ok ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(
      `demo failed: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    process.exit(1);
  },
);
