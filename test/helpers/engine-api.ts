/** A few raw Engine API calls for tests to inspect and clean up, independent of the engine code under test. */
import { request } from 'node:http';
import { chooseDockerHost, parseDockerHost } from '../../src/docker/engine-host.js';

export interface ApiAnswer {
  status: number;
  body: unknown;
}

/** Where a request goes: a unix socket, or plain http to a host and port. */
export type EngineTarget = { socketPath: string } | { host: string; port: number };

function target(): EngineTarget {
  const endpoint = parseDockerHost(chooseDockerHost(undefined, process.env), process.env);
  if (typeof endpoint === 'string') throw new Error(endpoint);
  if (endpoint.kind === 'unix') return { socketPath: endpoint.socketPath };
  if (endpoint.kind === 'ssh' || endpoint.protocol === 'https') throw new Error('the test helpers speak plain http to the engine only');
  return { host: endpoint.hostname, port: endpoint.port };
}

/**
 * One request to the engine at `to`; the answer's body parsed when it is JSON, else kept as text (ping answers
 * "OK", image load answers JSON lines). `json` is sent as JSON, `tar` streamed as a tar archive.
 */
export function engineRequest(to: EngineTarget, method: string, path: string, opts: { json?: unknown; tar?: NodeJS.ReadableStream; timeoutMs?: number } = {}): Promise<ApiAnswer> {
  return new Promise((resolve, reject) => {
    const headers = opts.tar ? { 'Content-Type': 'application/x-tar', 'Transfer-Encoding': 'chunked' } : opts.json === undefined ? {} : { 'Content-Type': 'application/json' };
    const req = request({ ...to, method, path, headers, signal: AbortSignal.timeout(opts.timeoutMs ?? 30_000) }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let body: unknown = text;
        try {
          body = text ? JSON.parse(text) : undefined;
        } catch {
          // Not JSON: keep the text.
        }
        resolve({ status: res.statusCode ?? 0, body });
      });
    });
    req.on('error', reject);
    if (opts.tar) opts.tar.pipe(req);
    else req.end(opts.json === undefined ? undefined : JSON.stringify(opts.json));
  });
}

/** One request to the engine named by DOCKER_HOST (or the local socket); see engineRequest. `body` is sent as JSON. */
export function engineApi(method: string, path: string, timeoutMs = 30_000, body?: unknown): Promise<ApiAnswer> {
  return engineRequest(target(), method, path, { json: body, timeoutMs });
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

/** Runs `cmd` in a running container (a TTY, so the output comes unframed); its output and exit code. */
export async function execIn(containerId: string, cmd: string[]): Promise<{ output: string; exitCode: number }> {
  const created = await engineApi('POST', `/containers/${containerId}/exec`, 30_000, { Cmd: cmd, AttachStdout: true, AttachStderr: true, Tty: true });
  if (created.status !== 201) throw new Error(`exec create answered ${created.status}: ${JSON.stringify(created.body)}`);
  const id = (created.body as { Id: string }).Id;
  const started = await engineApi('POST', `/exec/${id}/start`, 30_000, { Detach: false, Tty: true });
  const info = await engineApi('GET', `/exec/${id}/json`);
  return { output: typeof started.body === 'string' ? started.body : JSON.stringify(started.body ?? ''), exitCode: (info.body as { ExitCode: number }).ExitCode };
}
