// What the alarm routes answer: the decision on each alarm sent, and the alarms stored.

/** The decision on one alarm (`POST /v1/alarms`, the webhooks, `POST /v1/hosts/:id/maintenance`). */
export interface IntakeResultV1 {
  id: string;
  source: string;
  /** triggered, duplicate, correlated, suppressed, no-rule, conditions-failed, resolved, rejected. */
  disposition: string;
  planId: string | null;
  correlatedTo: string | null;
  reason: string | null;
  /** The state of the plan this decision made, or `waiting` / `merged`; absent when it made none. */
  planState?: string;
  /** `conditions-failed`: the rule that came nearest, and its failing conditions. */
  closest?: object;
  /** True when this exact message had been decided before (a redelivery): nothing new was done. */
  replay: boolean;
}

/** `POST /v1/alarms` and the webhooks: one result per alarm, in the order sent. */
export interface IntakeResponseV1 {
  items: IntakeResultV1[];
  /** Why a webhook body was ignored as a whole (nothing in it to decide). */
  ignored?: string;
}

/** A stored alarm as `GET /v1/alarms` lists it, with what became of it. */
export interface AlarmRecordV1 {
  id: string;
  alarmId: string;
  source: string;
  type: string;
  severity: string | null;
  state: string;
  /** Null for a rejected webhook alert that named no resource. */
  resource: { kind: string; id: string } | null;
  occurredAt: string;
  receivedAt: string;
  disposition: string;
  planId: string | null;
  correlatedTo: string | null;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  /** The rule's decision (its reason among others); null where none was made. */
  decision: { reason?: string } | null;
}
