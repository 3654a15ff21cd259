import { validate } from '@reflex/contracts';
import type { DriverCommandV1 } from '@reflex/contracts/driver.v1';
import { ValidationError } from '@reflex/common';
import { buildPlan, nextStep, planFromDraft, DEFAULT_LIFECYCLE_LIMITS } from '@reflex/domain';
import {
  host,
  intent,
  inventory,
  NOW,
  PLANNING,
  sequentialIds,
  vm,
} from '@reflex/domain/testing/topology.fixture';
import type { PlanEventV1 } from '@reflex/contracts/plan.v1';
import { commandMessage, planEventMessages } from './plan-messages';

// Found by the chaos suite: every set-host-status command (the first step of a failover, a drain,
// a migrate-off or a restore) carried the planner's `previousStatus`, which the closed Driver
// command v1 schema refuses, so the driver dead-lettered it and those plans hung until the deadline.
describe('commandMessage', () => {
  it('sends only the params the driver contract defines, so the driver accepts the command', () => {
    const command: DriverCommandV1 = {
      kind: 'execute',
      actionId: 'a1',
      planId: 'p1',
      attempt: 1,
      type: 'set-host-status',
      params: { hostId: 'h1', status: 'down', previousStatus: 'up' } as DriverCommandV1['params'],
      deadline: NOW,
    };
    const { value } = commandMessage(command);
    expect((value as DriverCommandV1).params).toEqual({ hostId: 'h1', status: 'down' });
    expect(validate('driver-command.v1', value)).not.toBeInstanceOf(ValidationError);
  });

  it.each(['host-drain', 'host-failover', 'migrate-off', 'host-restore'] as const)(
    'makes commands the driver schema accepts for a %s plan',
    (policy) => {
      const status = policy === 'host-restore' ? 'maintenance' : 'up';
      const inv = inventory(
        [host('h1', { status }), host('h2'), host('h3')],
        [vm('vm-1', 'h1'), vm('vm-2', 'h1', { state: 'stopped' })],
      );
      const draft = buildPlan(
        intent(policy, { kind: 'host', id: 'h1' }),
        inv,
        { reservations: [] },
        PLANNING,
        sequentialIds('a'),
      );
      const { plan } = planFromDraft(draft, NOW);
      const step = nextStep(plan, NOW, DEFAULT_LIFECYCLE_LIMITS, { ids: sequentialIds('c') });
      expect(step.commands.length).toBeGreaterThan(0);
      for (const command of step.commands) {
        const result = validate('driver-command.v1', commandMessage(command).value);
        expect(result instanceof ValidationError ? result.message : 'valid').toBe('valid');
      }
    },
  );
});

describe('planEventMessages', () => {
  it('names the actions a state change refers to by id, and stays a valid Plan event v1', () => {
    const inv = inventory([host('h1'), host('h2')], [vm('vm-1', 'h1')]);
    const draft = buildPlan(
      intent('migrate-off', { kind: 'host', id: 'h1' }),
      inv,
      { reservations: [] },
      PLANNING,
      sequentialIds('a'),
    );
    const { plan } = planFromDraft(draft, NOW);
    const move = plan.actions.find((a) => a.type === 'live-migrate')!;
    const event = {
      at: NOW,
      planId: plan.id,
      actionId: null,
      type: 'plan.state' as const,
      from: 'running',
      to: 'failed',
      detail: { failed: [move.id] },
    };
    const [message] = planEventMessages(plan, [event]);
    expect((message.value as PlanEventV1).detail).toEqual({
      failed: [move.id],
      actions: { [move.id]: 'live-migrate vm-1 h1 -> h2' },
    });
    expect(validate('plan-event.v1', message.value)).not.toBeInstanceOf(ValidationError);
    // Nothing to name: the detail as it was.
    const [plain] = planEventMessages(plan, [{ ...event, detail: { reason: 'x' } }]);
    expect((plain.value as PlanEventV1).detail).toEqual({ reason: 'x' });
  });
});
