import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, authHeaders } from './api';

/** What the engine's change feed (GET /v1/changes) says changed since its last message. */
export interface Change {
  plans: string[];
  alarms: boolean;
  inventory: boolean;
}

export type LiveStatus = 'connecting' | 'live' | 'retrying' | 'denied';

type ChangeListener = (change: Change) => void;
type StatusListener = (status: LiveStatus, error?: ApiError) => void;

const changeListeners = new Set<ChangeListener>();
const statusListeners = new Set<StatusListener>();
let status: LiveStatus = 'connecting';
let started = false;
let controller: AbortController | null = null;

function setStatus(next: LiveStatus, error?: ApiError): void {
  status = next;
  statusListeners.forEach((l) => l(next, error));
}

/** Hands each `data:` line of a server-sent event stream to `onData`. */
async function readEvents(body: ReadableStream<Uint8Array>, onData: (data: string) => void) {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += decoder.decode(value, { stream: true });
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const data = block
        .split('\n')
        .filter((line) => line.startsWith('data:'))
        .map((line) => line.slice(5).trimStart())
        .join('\n');
      if (data) onData(data);
    }
  }
}

/**
 * One stream per tab. EventSource cannot send an Authorization header, so the stream is read with
 * fetch, which can: the token never goes into a URL (and so never into logs or history).
 */
async function connect(): Promise<void> {
  let delay = 500;
  for (;;) {
    controller = new AbortController();
    try {
      const response = await fetch('/v1/changes', {
        headers: { accept: 'text/event-stream', ...authHeaders() },
        signal: controller.signal,
      });
      if (response.status === 401 || response.status === 403) {
        const body = (await response.json().catch(() => ({}))) as {
          error?: { code?: string; message?: string };
        };
        setStatus(
          'denied',
          new ApiError(response.status, body.error?.code ?? '', body.error?.message ?? ''),
        );
        return;
      }
      if (!response.ok || !response.body) throw new Error(`HTTP ${response.status}`);
      setStatus('live');
      delay = 500;
      await readEvents(response.body, (data) => {
        const change = JSON.parse(data) as Change;
        changeListeners.forEach((l) => l(change));
      });
    } catch (error) {
      if ((error as Error).name === 'AbortError') return;
    }
    setStatus('retrying');
    await new Promise((resolve) => setTimeout(resolve, delay));
    delay = Math.min(delay * 2, 5000);
  }
}

/** (Re)starts the stream, e.g. once a token was typed. */
export function restartLive(): void {
  controller?.abort();
  started = true;
  setStatus('connecting');
  void connect();
}

function ensureStarted(): void {
  if (!started) restartLive();
}

export function useLiveStatus(): LiveStatus {
  const [current, setCurrent] = useState(status);
  useEffect(() => {
    ensureStarted();
    const listener: StatusListener = (s) => setCurrent(s);
    statusListeners.add(listener);
    setCurrent(status);
    return () => void statusListeners.delete(listener);
  }, []);
  return current;
}

/** Calls `onChange` for every change the feed reports that `matters` to the caller. */
export function useChanges(onChange: (change: Change) => void): void {
  const latest = useRef(onChange);
  latest.current = onChange;
  useEffect(() => {
    ensureStarted();
    const listener: ChangeListener = (c) => latest.current(c);
    changeListeners.add(listener);
    return () => void changeListeners.delete(listener);
  }, []);
}
