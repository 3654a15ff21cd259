import { type BackendAction, type BackendHandle, handleKey } from './backend.port';

/**
 * One start per action attempt, taken before the first await: two concurrent starts of the same
 * attempt share one run instead of both passing an "is it running?" check. A start that failed is
 * forgotten, so that a later delivery tries again.
 */
export class StartOnce {
  private readonly starting = new Map<string, Promise<BackendHandle>>();

  run(
    action: BackendAction,
    begin: (action: BackendAction) => Promise<BackendHandle>,
  ): Promise<BackendHandle> {
    const key = handleKey(action);
    let started = this.starting.get(key);
    if (!started) {
      started = begin(action);
      this.starting.set(key, started);
      started.catch(() => this.starting.delete(key));
    }
    return started;
  }
}
