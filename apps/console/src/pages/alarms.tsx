import type { AlarmRecordV1 as AlarmRecord } from '../../../../libs/contracts/src/api/alarms.api';
import { useState } from 'preact/hooks';
import { get, query } from '../api';
import { Badge, CardTable, ErrorPanel, when } from '../components/common';
import { useChanges } from '../live';
import { useLoad, useThrottled } from '../load';
import { href } from '../router';

const DISPOSITIONS = [
  'received',
  'triggered',
  'duplicate',
  'correlated',
  'suppressed',
  'no-rule',
  'resolved',
  'rejected',
];

const reasonOf = (a: AlarmRecord) =>
  typeof a.decision?.reason === 'string' ? a.decision.reason : '';

export function AlarmsPage({ resource: initial = '' }: { resource?: string }) {
  const [disposition, setDisposition] = useState('');
  const [resource, setResource] = useState(initial);
  const alarms = useLoad(
    () =>
      get<{ items: AlarmRecord[] }>(`/v1/alarms${query({ disposition, resource, limit: 100 })}`),
    [disposition, resource],
  );
  const refresh = useThrottled(alarms.reload, 500);
  useChanges((change) => (change.alarms || change.plans.length) && refresh());
  const items = alarms.data?.items ?? [];
  return (
    <>
      <h1>Alarms</h1>
      <form class="filters" role="search" onSubmit={(e) => e.preventDefault()}>
        <label>
          Disposition
          <select value={disposition} onChange={(e) => setDisposition(e.currentTarget.value)}>
            <option value="">any</option>
            {DISPOSITIONS.map((d) => (
              <option key={d}>{d}</option>
            ))}
          </select>
        </label>
        <label>
          Resource
          <input
            type="search"
            value={resource}
            onChange={(e) => setResource(e.currentTarget.value.trim())}
          />
        </label>
      </form>
      {alarms.error && <ErrorPanel error={alarms.error} />}
      {alarms.data && !items.length && <p>No alarms.</p>}
      {items.length > 0 && (
        <CardTable
          label="Alarms"
          columns={['Received', 'Alarm', 'Resource', 'Disposition', 'Reason', 'Plan']}
        >
          {items.map((a) => (
            <tr key={a.id}>
              <td data-label="Received">{when(a.receivedAt)}</td>
              <td data-label="Alarm">
                {a.type} <span class="muted">{a.state}</span>
                <div class="muted small">
                  {a.source}/{a.alarmId}
                </div>
              </td>
              <td data-label="Resource">
                {a.resource ? `${a.resource.kind} ${a.resource.id}` : '—'}
              </td>
              <td data-label="Disposition">
                <Badge value={a.disposition} />
              </td>
              <td data-label="Reason" class="reason">
                {reasonOf(a) && <div class="clamp">{reasonOf(a)}</div>}
              </td>
              <td data-label="Plan">
                {a.planId ? (
                  <a href={href('plans', a.planId)}>{a.planId.slice(0, 8)}</a>
                ) : a.correlatedTo ? (
                  <span class="muted">with {a.correlatedTo}</span>
                ) : (
                  '—'
                )}
              </td>
            </tr>
          ))}
        </CardTable>
      )}
    </>
  );
}
