import {
  ALARM_SEVERITIES,
  ALARM_STATES,
  type AlarmV1,
  RESOURCE_KINDS,
  type ResourceRefV1,
} from '../alarm.v1';
import {
  DRIVER_COMMAND_KINDS,
  DRIVER_EVENT_STATUSES,
  type DriverCommandV1,
  type DriverErrorV1,
  type DriverEventV1,
} from '../driver.v1';
import {
  ANTI_AFFINITIES,
  type CapacityV1,
  DRIVER_BACKENDS,
  type GroupV1,
  HOST_STATUSES,
  type HostV1,
  INSTANCE_KINDS,
  INSTANCE_ROLES,
  INSTANCE_STATES,
  INVENTORY_OBJECT_KINDS,
  INVENTORY_OPS,
  type InstanceV1,
  type InventoryV1,
} from '../inventory.v1';
import {
  ACTION_TYPES,
  type ActionParamsByType,
  PLAN_MODES,
  PLAN_STATES,
  POLICIES,
  type PlanEventV1,
  type PlanTriggerV1,
} from '../plan.v1';
import actionParams from '../schemas/action-params.v1.schema.json';
import { PARAMS_DEF_OF } from './command-params';
import alarm from '../schemas/alarm.v1.schema.json';
import common from '../schemas/common.v1.schema.json';
import driverCommand from '../schemas/driver-command.v1.schema.json';
import driverEvent from '../schemas/driver-event.v1.schema.json';
import group from '../schemas/group.v1.schema.json';
import host from '../schemas/host.v1.schema.json';
import instance from '../schemas/instance.v1.schema.json';
import inventoryMessage from '../schemas/inventory-message.v1.schema.json';
import inventory from '../schemas/inventory.v1.schema.json';
import planEvent from '../schemas/plan-event.v1.schema.json';

/**
 * Keeps the TypeScript types and the JSON Schemas from drifting apart. `Fields<T>` must list every
 * property of `T`, each marked exactly as optional or required in the type (the compiler checks
 * that), and the spec checks that the schema's `properties` and `required` say the same.
 */
type Fields<T> = {
  [K in keyof T]-?: Partial<Pick<T, K>> extends Pick<T, K> ? 'optional' : 'required';
};

interface ObjectSchema {
  properties: object;
  required?: readonly string[];
}

function expectFields<T>(schema: ObjectSchema, fields: Fields<T>): void {
  const entries = Object.entries<string>(fields);
  expect(Object.keys(schema.properties).sort()).toEqual(entries.map(([key]) => key).sort());
  expect([...(schema.required ?? [])].sort()).toEqual(
    entries
      .filter(([, how]) => how === 'required')
      .map(([key]) => key)
      .sort(),
  );
}

describe('schema enums equal the exported `as const` arrays', () => {
  it.each([
    ['alarm severity', alarm.$defs.severity.enum, ALARM_SEVERITIES],
    ['alarm state', alarm.$defs.state.enum, ALARM_STATES],
    ['resource kind', common.$defs.resourceKind.enum, RESOURCE_KINDS],
    ['host status', host.$defs.status.enum, HOST_STATUSES],
    ['host driver', host.$defs.driver.enum, DRIVER_BACKENDS],
    ['instance kind', instance.$defs.kind.enum, INSTANCE_KINDS],
    ['instance state', instance.$defs.state.enum, INSTANCE_STATES],
    ['instance role', instance.$defs.role.enum, INSTANCE_ROLES],
    ['group anti-affinity', group.$defs.antiAffinity.enum, ANTI_AFFINITIES],
    ['inventory op', inventoryMessage.$defs.op.enum, INVENTORY_OPS],
    ['inventory object kind', inventoryMessage.$defs.kind.enum, INVENTORY_OBJECT_KINDS],
    ['action type', actionParams.$defs.actionType.enum, ACTION_TYPES],
    ['driver command kind', driverCommand.$defs.kind.enum, DRIVER_COMMAND_KINDS],
    ['driver event status', driverEvent.$defs.status.enum, DRIVER_EVENT_STATUSES],
    ['plan state', planEvent.$defs.planState.enum, PLAN_STATES],
    ['policy', planEvent.$defs.policy.enum, POLICIES],
    ['plan mode', planEvent.$defs.mode.enum, PLAN_MODES],
  ])('%s', (_name, schemaEnum, tsValues) => {
    expect(schemaEnum).toEqual([...tsValues]);
  });
});

describe('schema properties match the TypeScript interfaces', () => {
  it('alarm.v1', () => {
    expectFields<AlarmV1>(alarm, {
      id: 'required',
      source: 'required',
      type: 'required',
      severity: 'optional',
      state: 'optional',
      resource: 'required',
      occurredAt: 'required',
      labels: 'optional',
      annotations: 'optional',
      value: 'optional',
    });
    expectFields<ResourceRefV1>(common.$defs.resourceRef, { kind: 'required', id: 'required' });
  });

  it('inventory documents', () => {
    expectFields<HostV1>(host, {
      id: 'required',
      zone: 'required',
      status: 'required',
      hypervisor: 'required',
      driver: 'required',
      capacity: 'required',
      labels: 'optional',
    });
    expectFields<CapacityV1>(common.$defs.capacity, { vcpus: 'required', memoryMb: 'required' });
    expectFields<InstanceV1>(instance, {
      id: 'required',
      hostId: 'required',
      kind: 'required',
      state: 'required',
      resources: 'required',
      groupId: 'optional',
      role: 'optional',
      priority: 'optional',
    });
    expectFields<GroupV1>(group, {
      id: 'required',
      active: 'required',
      standby: 'required',
      antiAffinity: 'required',
    });
    expectFields<InventoryV1>(inventory, {
      hosts: 'required',
      instances: 'required',
      groups: 'required',
    });
  });

  it('driver command and event', () => {
    expectFields<DriverCommandV1>(driverCommand, {
      kind: 'required',
      actionId: 'required',
      planId: 'required',
      attempt: 'required',
      type: 'required',
      params: 'required',
      deadline: 'required',
    });
    expectFields<DriverEventV1>(driverEvent, {
      actionId: 'required',
      attempt: 'required',
      status: 'required',
      progress: 'optional',
      detail: 'optional',
      error: 'optional',
      at: 'required',
    });
    expectFields<DriverErrorV1>(driverEvent.properties.error, {
      code: 'required',
      message: 'required',
      retriable: 'required',
    });
  });

  it('plan event', () => {
    expectFields<PlanEventV1>(planEvent, {
      eventId: 'required',
      planId: 'required',
      state: 'required',
      previousState: 'required',
      policy: 'required',
      mode: 'required',
      target: 'required',
      trigger: 'required',
      reason: 'required',
      at: 'required',
      detail: 'optional',
    });
    expectFields<PlanTriggerV1>(planEvent.$defs.trigger, {
      alarmId: 'required',
      source: 'required',
      rule: 'required',
      ruleVersion: 'required',
    });
  });

  it('action params, and which params each action type takes', () => {
    const defs = actionParams.$defs;
    const migrate = {
      instanceId: 'required',
      fromHostId: 'required',
      toHostId: 'required',
    } as const;
    expectFields<ActionParamsByType['live-migrate']>(defs.migrate, migrate);
    expectFields<ActionParamsByType['switch-over']>(defs.switchOver, {
      groupId: 'required',
      fromInstanceId: 'required',
      toInstanceId: 'required',
    });
    expectFields<ActionParamsByType['recover-instance']>(defs.recoverInstance, {
      instanceId: 'required',
    });
    expectFields<ActionParamsByType['set-host-status']>(defs.setHostStatus, {
      hostId: 'required',
      status: 'required',
    });
    expectFields<ActionParamsByType['fence-host']>(defs.fenceHost, { hostId: 'required' });
    expectFields<ActionParamsByType['notify']>(defs.notify, {
      message: 'required',
      severity: 'required',
    });

    const branches = driverCommand.allOf.map((branch) => [
      branch.if.properties.type.const,
      branch.then.properties.params.$ref,
    ]);
    expect(branches).toEqual(
      ACTION_TYPES.map((type) => [
        type,
        `action-params.v1.schema.json#/$defs/${PARAMS_DEF_OF[type]}`,
      ]),
    );
  });
});
