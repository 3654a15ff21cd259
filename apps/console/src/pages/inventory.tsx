import type {
  GroupStatusV1,
  HostV1,
  InventoryV1,
} from '../../../../libs/contracts/src/inventory.v1';
import { get } from '../api';
import { Badge, CardTable, ErrorPanel, ProgressBar, Section } from '../components/common';
import { useChanges } from '../live';
import { useLoad, useThrottled } from '../load';

interface Forecast {
  domain: string;
  items: Array<{
    id: string;
    survivable: boolean;
    instances: number;
    placed: number;
    unplaced: Array<{ instanceId: string; reason: string }>;
    redundancyLost: string[];
  }>;
  summary: { domains: number; survivable: number };
}

type ForecastItem = Forecast['items'][number];
const DOMAINS = ['zone', 'rack', 'host'] as const;
/** More groups than this are not asked about one by one. */
const GROUP_STATUS_LIMIT = 100;

const rackOf = (h: HostV1) => `${h.zone}/${h.labels?.rack ?? h.id}`;

function Survival({ item, what }: { item: ForecastItem | undefined; what: string }) {
  if (!item) return null;
  const why = [
    ...item.unplaced.map((u) => `${u.instanceId}: ${u.reason}`),
    ...(item.redundancyLost.length ? [`redundancy lost: ${item.redundancyLost.join(', ')}`] : []),
  ].join('\n');
  return (
    <span
      class={`survival ${item.survivable ? 'ok' : 'bad'}`}
      title={why || undefined}
      aria-label={`${what} ${item.survivable ? 'survivable' : 'not survivable'}`}
    >
      {item.survivable ? 'survivable' : `not survivable (${item.placed}/${item.instances} placed)`}
    </span>
  );
}

/** Why a domain would not survive: each instance left without a place, each group left bare. */
function Unsurvivable({ item }: { item: ForecastItem | undefined }) {
  if (!item || item.survivable) return null;
  return (
    <details class="small">
      <summary>why not survivable</summary>
      <ul>
        {item.unplaced.map((u) => (
          <li key={u.instanceId}>
            {u.instanceId}: {u.reason}
          </li>
        ))}
        {item.redundancyLost.length > 0 && (
          <li>redundancy lost: {item.redundancyLost.join(', ')}</li>
        )}
      </ul>
    </details>
  );
}

function HostCard({
  host,
  inventory,
  forecast,
}: {
  host: HostV1;
  inventory: InventoryV1;
  forecast?: ForecastItem;
}) {
  const on = inventory.instances.filter((i) => i.hostId === host.id);
  const vcpus = on.reduce((n, i) => n + i.resources.vcpus, 0);
  const memory = on.reduce((n, i) => n + i.resources.memoryMb, 0);
  return (
    <li class={`host host-${host.status}`} aria-label={`Host ${host.id}`}>
      <div class="host-head">
        <strong>{host.id}</strong> <Badge value={host.status} />
      </div>
      <div class="small">{on.length} instances</div>
      <ProgressBar
        value={(100 * vcpus) / host.capacity.vcpus}
        label={`vCPU load of ${host.id}`}
        prefix="vCPU "
      />
      <ProgressBar
        value={(100 * memory) / host.capacity.memoryMb}
        label={`Memory load of ${host.id}`}
        prefix="memory "
      />
      <Survival item={forecast} what={`Host ${host.id}`} />
    </li>
  );
}

export function InventoryPage() {
  const inventory = useLoad(() => get<InventoryV1>('/v1/inventory'), []);
  const forecasts = useLoad(
    () => Promise.all(DOMAINS.map((d) => get<Forecast>(`/v1/capacity/forecast?domain=${d}`))),
    [],
  );
  const groupIds = (inventory.data?.groups ?? []).slice(0, GROUP_STATUS_LIMIT).map((g) => g.id);
  const statuses = useLoad(
    () =>
      Promise.all(
        groupIds.map((id) => get<GroupStatusV1>(`/v1/groups/${encodeURIComponent(id)}/status`)),
      ),
    [groupIds.join(',')],
  );
  const refresh = useThrottled(() => {
    inventory.reload();
    statuses.reload();
  }, 1000);
  useChanges((change) => change.inventory && refresh());

  if (inventory.error) return <ErrorPanel error={inventory.error} />;
  const inv = inventory.data;
  if (!inv) return <p>Loading…</p>;
  const find = (domain: string, id: string) =>
    forecasts.data?.[DOMAINS.indexOf(domain as never)]?.items.find((i) => i.id === id);
  const zones = [...new Set(inv.hosts.map((h) => h.zone))].sort();

  return (
    <>
      <h1>Inventory</h1>
      <p>
        {inv.hosts.length} hosts, {inv.instances.length} instances, {inv.groups.length} groups.{' '}
        {forecasts.data && (
          <span>
            Failover forecast:{' '}
            {forecasts.data
              .map((f) => `${f.summary.survivable}/${f.summary.domains} ${f.domain}s survivable`)
              .join(', ')}
            .
          </span>
        )}{' '}
        <button type="button" class="link" onClick={forecasts.reload}>
          Refresh forecast
        </button>
      </p>
      {forecasts.error && <ErrorPanel error={forecasts.error} />}
      {zones.map((zone) => {
        const hosts = inv.hosts.filter((h) => h.zone === zone);
        const racks = [...new Set(hosts.map(rackOf))].sort();
        return (
          <section key={zone} class="zone" aria-label={`Zone ${zone}`}>
            <h2>
              Zone {zone} <Survival item={find('zone', zone)} what={`Zone ${zone}`} />
            </h2>
            <Unsurvivable item={find('zone', zone)} />
            <div class="racks">
              {racks.map((rack) => (
                <div key={rack} class="rack">
                  <h3>
                    Rack {rack} <Survival item={find('rack', rack)} what={`Rack ${rack}`} />
                  </h3>
                  <ul class="hosts">
                    {hosts
                      .filter((h) => rackOf(h) === rack)
                      .map((h) => (
                        <HostCard
                          key={h.id}
                          host={h}
                          inventory={inv}
                          forecast={find('host', h.id)}
                        />
                      ))}
                  </ul>
                  <Unsurvivable item={find('rack', rack)} />
                </div>
              ))}
            </div>
          </section>
        );
      })}
      <Section title="Groups">
        {statuses.error && <ErrorPanel error={statuses.error} />}
        <CardTable label="Groups" columns={['Group', 'Wanted', 'Healthy', 'Redundancy']}>
          {inv.groups.map((g, i) => {
            const s = statuses.data?.[i];
            return (
              <tr key={g.id}>
                <td data-label="Group">{g.id}</td>
                <td data-label="Wanted">
                  {g.active} active + {g.standby} standby, apart by {g.antiAffinity}
                </td>
                <td data-label="Healthy">
                  {s ? `${s.healthyActive} active, ${s.healthyStandby} standby` : '…'}
                </td>
                <td data-label="Redundancy" class={s ? (s.redundant ? 'ok' : 'bad') : ''}>
                  {s
                    ? s.redundant
                      ? 'redundant'
                      : `degraded${s.degradedSince ? ` since ${new Date(s.degradedSince).toLocaleString()}` : ''}`
                    : '…'}
                </td>
              </tr>
            );
          })}
        </CardTable>
      </Section>
    </>
  );
}
