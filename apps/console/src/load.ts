import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from './api';

export interface Loaded<T> {
  data: T | undefined;
  error: ApiError | undefined;
  loading: boolean;
  /** Loads again, keeping what is shown until the answer arrives (live updates do not flicker). */
  reload: () => void;
}

/** Runs `load` now and whenever `deps` change; the latest call wins. */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[]): Loaded<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<ApiError | undefined>(undefined);
  const [loading, setLoading] = useState(true);
  const generation = useRef(0);
  const run = useCallback(() => {
    const mine = ++generation.current;
    setLoading(true);
    load().then(
      (value) => {
        if (mine !== generation.current) return;
        setData(value);
        setError(undefined);
        setLoading(false);
      },
      (failure: unknown) => {
        if (mine !== generation.current) return;
        setError(failure instanceof ApiError ? failure : new ApiError(0, 'ERROR', String(failure)));
        setLoading(false);
      },
    );
  }, deps);
  useEffect(run, [run]);
  return { data, error, loading, reload: run };
}

/**
 * `fn`, called at once, then at most once per `ms` however often it is asked for (a burst of live
 * changes makes one reload at its start and one at its end).
 */
export function useThrottled(fn: () => void, ms: number): () => void {
  const latest = useRef(fn);
  latest.current = fn;
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const pending = useRef(false);
  useEffect(() => () => void (timer.current && clearTimeout(timer.current)), []);
  return useCallback(() => {
    if (timer.current) {
      pending.current = true;
      return;
    }
    latest.current();
    const quiet = () => {
      timer.current = null;
      if (!pending.current) return;
      pending.current = false;
      latest.current();
      timer.current = setTimeout(quiet, ms);
    };
    timer.current = setTimeout(quiet, ms);
  }, [ms]);
}
