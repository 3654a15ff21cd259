import { Injectable, Logger } from '@nestjs/common';

/**
 * Every in-process signal between the plan services, in one typed map, so that "what happens when
 * a plan finishes" is found here rather than in listener arrays registered in constructors. Emitted
 * after the commit of the step concerned (`UnitOfWork.afterCommit`); listeners only shorten waits, since
 * the ticker re-checks everything a lost signal would have started.
 */
export interface PlanSignalMap {
  /** A plan reached an end state: decisions waiting for it may be planned (WaitingIntentsService). */
  'plan.finished': void;
  /** A running action stopped: its instances and migration slot are free (PlanTicker ticks now). */
  'actions.settled': void;
  /** A follow-up failover was queued for instances that arrived late (WaitingIntentsService). */
  'follow-up.queued': void;
}

export type PlanSignal = keyof PlanSignalMap;

@Injectable()
export class PlanSignals {
  private readonly logger = new Logger('plans');
  private readonly listeners = new Map<PlanSignal, Array<() => void>>();

  on(signal: PlanSignal, listener: () => void): void {
    this.listeners.set(signal, [...(this.listeners.get(signal) ?? []), listener]);
  }

  emit(signal: PlanSignal): void {
    for (const listener of this.listeners.get(signal) ?? []) {
      try {
        listener();
      } catch (error) {
        this.logger.warn(`a ${signal} listener failed: ${(error as Error).message}`);
      }
    }
  }
}
