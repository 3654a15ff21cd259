import { type IncomingHttpHeaders, request } from 'node:http';

/** JSON over HTTP for end-to-end specs: status and parsed body, never throwing on 4xx/5xx. */
export async function http<T = any>(
  method: string,
  url: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: T }> {
  const response = await fetch(url, {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON (e.g. /metrics): keep the text
  }
  return { status: response.status, body: parsed as T };
}

/**
 * A request sent exactly as written, for specs of path and host handling: fetch would resolve `..`
 * and `%2e%2e` segments before sending, and sets `Host` itself.
 */
export function rawHttp(
  method: string,
  base: string,
  path: string,
  headers: Record<string, string> = {},
  body?: string,
): Promise<{ status: number; headers: IncomingHttpHeaders; body: any }> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    // A connection of its own: a refusal may come before the body is read, and the server may then
    // close the connection rather than read the rest.
    const req = request({ method, host: hostname, port, path, headers, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => {
        let parsed: unknown = text;
        try {
          parsed = text ? JSON.parse(text) : undefined;
        } catch {
          // not JSON: keep the text
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: parsed });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}
