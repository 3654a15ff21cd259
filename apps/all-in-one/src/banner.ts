import type { InventoryV1 } from '@reflex/contracts';
import type { AllInOne } from './all-in-one';

/** What the running Reflex says about itself (AllInOne), and what the banner adds. */
export interface BannerFacts extends Pick<
  AllInOne,
  'engineUrl' | 'driverUrl' | 'database' | 'embeddedDatabaseUrl' | 'transport' | 'seeded'
> {
  inventory: InventoryV1;
  startupMs: number;
  /** AUTH_TOKENS is set: the commands need a bearer token. */
  authRequired: boolean;
  /** For the alarm's id and time in the first command. */
  now: Date;
}

/** Hosts the commands use: in the demo topology, cmp-04 holds actives, a standby and plain VMs. */
export const TRY_FAIL_HOST = 'cmp-04';
export const TRY_MAINTENANCE_HOST = 'cmp-02';

const forHumans = (url: string) => url.replace('//127.0.0.1:', '//localhost:');

/** What `npm start` prints once both services listen: where the docs are and what to try. */
export function banner(f: BannerFacts): string {
  const engine = forHumans(f.engineUrl);
  const driver = forHumans(f.driverUrl);
  const auth = f.authRequired ? ` -H "authorization: Bearer $REFLEX_TOKEN"` : '';
  const json = `-H 'content-type: application/json'${auth}`;
  const alarm = JSON.stringify({
    id: `demo-${TRY_FAIL_HOST}-${f.now.getTime().toString(36)}`,
    source: 'demo',
    type: 'host.down',
    severity: 'critical',
    state: 'firing',
    resource: { kind: 'host', id: TRY_FAIL_HOST },
    occurredAt: f.now.toISOString(),
  });
  const inv = f.inventory;
  const zones = new Set(inv.hosts.map((h) => h.zone)).size;
  const what = `${inv.hosts.length} hosts in ${zones} zones, ${inv.instances.length} instances, ${inv.groups.length} groups`;
  const inventory = f.seeded
    ? `seeded with the demo topology: ${what}`
    : `kept from the previous run: ${what} (--in-memory, or delete ./data, for a fresh one)`;
  return [
    '',
    `Reflex is running: engine and driver (simulator backend) in one process, started in ${(f.startupMs / 1000).toFixed(1)} s`,
    `  database   ${f.database}`,
    ...(f.embeddedDatabaseUrl
      ? [`             psql ${f.embeddedDatabaseUrl}  (while it runs)`]
      : []),
    `  messaging  ${f.transport}`,
    `  inventory  ${inventory}`,
    '',
    `Console:  ${engine}/console`,
    `API docs: ${engine}/docs   (driver and simulator control: ${driver}/docs)`,
    ...(f.authRequired
      ? [
          '',
          'AUTH_TOKENS is set: export REFLEX_TOKEN=<an admin token> first (the simulator needs admin).',
        ]
      : []),
    '',
    'Try it:',
    '',
    `  # 1. Fail a host: the simulated cloud loses ${TRY_FAIL_HOST}, then monitoring reports host.down;`,
    '  #    a plan fences it, switches over the group actives on it and evacuates its VMs',
    `  curl -s -w '\\n' -X POST ${driver}/v1/sim/hosts/${TRY_FAIL_HOST}/fail ${json} && curl -s -w '\\n' -X POST ${engine}/v1/alarms ${json} -d '${alarm}'`,
    '',
    `  # 2. Request maintenance on ${TRY_MAINTENANCE_HOST}: a plan disables it and live-migrates its VMs away`,
    `  curl -s -w '\\n' -X POST ${engine}/v1/hosts/${TRY_MAINTENANCE_HOST}/maintenance ${json} -d '{"reason":"firmware upgrade"}'`,
    '',
    '  # 3. Could each rack fail now and everything on it run elsewhere? The failover forecast,',
    '  #    planned as a real failover would (domain=host|rack|zone; nothing is changed)',
    `  curl -s -w '\\n' '${engine}/v1/capacity/forecast?domain=rack'${auth}`,
    '',
    "  # 4. List the plans (newest first); GET /v1/plans/<id>/events is a plan's timeline",
    `  curl -s -w '\\n' ${engine}/v1/plans${auth}`,
    '',
    'Ctrl-C stops Reflex. `npm run demo` plays a scripted story on a fresh in-memory instance.',
    '',
  ].join('\n');
}
