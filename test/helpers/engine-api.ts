/** A few raw Engine API calls for tests to inspect and clean up, independent of the engine code under test. */
import { request } from 'node:http';
import { chooseDockerHost, parseDockerHost } from '../../src/docker/engine-host.js';

export interface ApiAnswer {
  status: number;
  body: unknown;
}

function target(): { socketPath: string } | { host: string; port: number } {
  const endpoint = parseDockerHost(chooseDockerHost(undefined, process.env), process.env);
  if (typeof endpoint === 'string') throw new Error(endpoint);
  if (endpoint.kind === 'unix') return { socketPath: endpoint.socketPath };
  if (endpoint.protocol === 'https') throw new Error('the test helpers speak plain http to the engine only');
  return { host: endpoint.hostname, port: endpoint.port };
}

/** One request to the engine named by DOCKER_HOST (or the local socket); the JSON body parsed when it is JSON. `body` is sent as JSON. */
export function engineApi(method: string, path: string, timeoutMs = 30_000, body?: unknown): Promise<ApiAnswer> {
  return new Promise((resolve, reject) => {
    const headers = body === undefined ? {} : { 'Content-Type': 'application/json' };
    const req = request({ ...target(), method, path, headers, signal: AbortSignal.timeout(timeoutMs) }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let body: unknown = text;
        try {
          body = text ? JSON.parse(text) : undefined;
        } catch {
          // Not JSON (ping answers "OK"): keep the text.
        }
        resolve({ status: res.statusCode ?? 0, body });
      });
    });
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

/** `?filters=` for these labels, as the engine's list endpoints read it. */
export function labelQuery(labels: Record<string, string>): string {
  const label = Object.entries(labels).map(([k, v]) => `${k}=${v}`);
  return `filters=${encodeURIComponent(JSON.stringify({ label }))}`;
}

/** GET a list endpoint and return its array (throws on a non-2xx answer). */
export async function engineList<T>(path: string): Promise<T[]> {
  const answer = await engineApi('GET', path);
  if (answer.status >= 300 || !Array.isArray(answer.body)) {
    throw new Error(`GET ${path} answered ${answer.status}: ${JSON.stringify(answer.body)}`);
  }
  return answer.body as T[];
}
