import type { Backend } from '../backends/backend.port';
import { HookRunner } from '../hooks/hook.runner';

const parked = <T>() => new Promise<T>(() => undefined);

/**
 * Lets the driver stop watching an action without ending it: every run has a gate, a child of
 * the process's gate, detached alone when another replica took the action over, or with all the
 * others on a graceful shutdown. Once detached, every backend call, hook and listener call that
 * goes through the gate parks forever instead of running, so the executor's loop for that run
 * never resumes: it neither aborts the cloud operation nor runs a fail path or a hook, and the
 * action stays unfinished in `driver_actions` for whichever replica reconciles it. A parked
 * promise holds no timer or socket, so it keeps nothing alive.
 */
export class DetachGate {
  private detached = false;

  constructor(private readonly parent: DetachGate | null = null) {}

  child(): DetachGate {
    return new DetachGate(this);
  }

  detach(): void {
    this.detached = true;
  }

  get isDetached(): boolean {
    return this.detached || (this.parent?.isDetached ?? false);
  }

  pass<T>(call: () => Promise<T> | T): Promise<T> {
    if (this.isDetached) return parked<T>();
    return new Promise<T>((resolve) => resolve(call())).then(
      (value) => (this.isDetached ? parked<T>() : value),
      (error: unknown) => (this.isDetached ? parked<T>() : Promise.reject(error as Error)),
    );
  }

  backend(inner: Backend): Backend {
    return {
      kind: inner.kind,
      start: (a) => this.pass(() => inner.start(a)),
      poll: (h) => this.pass(() => inner.poll(h)),
      abort: (h) => this.pass(() => inner.abort(h)),
      forceComplete: (h) => this.pass(() => inner.forceComplete(h)),
      inspect: (a) => this.pass(() => inner.inspect(a)),
      failPath: (a) => this.pass(() => inner.failPath(a)),
    };
  }

  hooks(inner: HookRunner): HookRunner {
    return new GatedHookRunner(inner, this);
  }
}

class GatedHookRunner extends HookRunner {
  constructor(
    private readonly inner: HookRunner,
    private readonly gate: DetachGate,
  ) {
    super();
  }

  override hooksFor(...args: Parameters<HookRunner['hooksFor']>) {
    return this.inner.hooksFor(...args);
  }

  override run(...args: Parameters<HookRunner['run']>) {
    return this.gate.pass(() => this.inner.run(...args));
  }
}
