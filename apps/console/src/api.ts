/**
 * The engine's REST API as the console calls it: same origin, the bearer token from this browser
 * session (sessionStorage: typed once, gone when the tab closes), errors as values the pages show.
 */
const TOKEN_KEY = 'reflex.token';

export function savedToken(): string | null {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function saveToken(token: string | null): void {
  if (token) sessionStorage.setItem(TOKEN_KEY, token);
  else sessionStorage.removeItem(TOKEN_KEY);
}

/** An answer other than 2xx, in the API's error shape (CONTRACT §8), or a network failure (0). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

export function authHeaders(): Record<string, string> {
  const token = savedToken();
  return token ? { authorization: `Bearer ${token}` } : {};
}

type Listener = (error: ApiError) => void;
const authListeners = new Set<Listener>();

/** Told of every 401, so the shell can ask for a token instead of showing an empty page. */
export function onUnauthenticated(listener: Listener): () => void {
  authListeners.add(listener);
  return () => authListeners.delete(listener);
}

export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers: {
        accept: 'application/json',
        ...(method === 'GET' ? {} : { 'content-type': 'application/json' }),
        ...authHeaders(),
      },
      body: body === undefined ? (method === 'GET' ? undefined : '{}') : JSON.stringify(body),
    });
  } catch (error) {
    throw new ApiError(0, 'NETWORK', `the engine cannot be reached (${String(error)})`);
  }
  const text = await response.text();
  let parsed: any = undefined;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = text;
  }
  if (response.ok) return parsed as T;
  const error = parsed?.error ?? {};
  const failure = new ApiError(
    response.status,
    String(error.code ?? response.statusText),
    String(error.message ?? (text || response.statusText)),
    error.details,
  );
  if (response.status === 401) authListeners.forEach((l) => l(failure));
  throw failure;
}

export const get = <T>(path: string) => api<T>('GET', path);
export const post = <T>(path: string, body?: unknown) => api<T>('POST', path, body);

/** `?a=1&b=2` from the entries that have a value. */
export function query(params: Record<string, string | number | undefined | null>): string {
  const entries = Object.entries(params).filter(
    ([, v]) => v !== undefined && v !== null && v !== '',
  );
  if (!entries.length) return '';
  return `?${new URLSearchParams(entries.map(([k, v]) => [k, String(v)])).toString()}`;
}
