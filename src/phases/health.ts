import { request } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { DockerEngine } from '../docker/engine.js';
import { formatMs } from '../hooks/run-hook.js';
import { pollPause } from './poll-pause.js';

/** A worker without a HEALTHCHECK is healthy when it is still running after this long (or its timeout, if shorter). */
export const WORKER_GRACE_MS = 3000;
/** Checks 20, 40, 80, 160 ms apart at first (poll-pause.ts), then every this often. */
const POLL_MS = 250;
const REQUEST_TIMEOUT_MS = 2000;

export interface HealthTarget {
  engine: DockerEngine;
  containerId: string;
  /** For inet containers: the HTTP check. */
  http?: { url: string; method: string };
  timeoutMs: number;
}

export type Health = { ok: true } | { ok: false; reason: string };

/**
 * One HTTP check, through node:http (already loaded by the engine client) rather than fetch, whose first call
 * loads undici: tens of milliseconds and megabytes on every provision, for one request.
 */
function probe(url: string, method: string, signal: AbortSignal): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const timeout = AbortSignal.timeout(REQUEST_TIMEOUT_MS);
    const req = request(url, { method, agent: false, signal: AbortSignal.any([signal, timeout]) }, (answer) => {
      answer.resume();
      const status = answer.statusCode ?? 0;
      resolve(status >= 200 && status < 300 ? undefined : `it answered ${status}`);
    });
    req.on('error', (err: NodeJS.ErrnoException) => {
      if (signal.aborted) reject(err);
      else resolve(`no answer (${timeout.aborted ? `within ${REQUEST_TIMEOUT_MS / 1000} s` : (err.code ?? err.message)})`);
    });
    req.end();
  });
}

/**
 * Waits until a stack container is healthy: an inet one answers its `health_check` with a 2xx; a worker reports
 * `healthy` through its image's HEALTHCHECK, or, without one, is still running after a grace period. A container
 * that stops, turns unhealthy or does not make it within `timeoutMs` is not healthy, with the reason why.
 */
export async function waitHealthy(t: HealthTarget, signal: AbortSignal, now: () => number): Promise<Health> {
  const started = now();
  const grace = Math.min(WORKER_GRACE_MS, t.timeoutMs);
  let last = 'it was still starting';
  for (let check = 0; ; check++) {
    const state = await t.engine.inspectContainer(t.containerId);
    if (!state) return { ok: false, reason: 'it was removed while porter waited for it' };
    if (!state.running) return { ok: false, reason: `it exited with code ${state.exitCode} (${formatMs(now() - started)} after start)` };
    if (state.health === 'unhealthy') return { ok: false, reason: 'its image\'s HEALTHCHECK reports it unhealthy' };
    if (t.http) {
      const problem = await probe(t.http.url, t.http.method, signal);
      if (problem === undefined) return { ok: true };
      last = `${t.http.method} ${t.http.url}: ${problem}`;
    } else if (state.health !== undefined) {
      if (state.health === 'healthy') return { ok: true };
      last = `its HEALTHCHECK still says ${state.health}`;
    } else if (now() - started >= grace) {
      return { ok: true };
    }
    if (now() - started >= t.timeoutMs) return { ok: false, reason: `it did not become healthy within ${formatMs(t.timeoutMs)} (last check: ${last})` };
    await sleep(pollPause(check, POLL_MS), undefined, { signal });
  }
}
