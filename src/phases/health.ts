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

async function probe(url: string, method: string, signal: AbortSignal): Promise<string | undefined> {
  try {
    const answer = await fetch(url, { method, redirect: 'manual', signal: AbortSignal.any([signal, AbortSignal.timeout(REQUEST_TIMEOUT_MS)]) });
    await answer.body?.cancel();
    return answer.status >= 200 && answer.status < 300 ? undefined : `it answered ${answer.status}`;
  } catch (err) {
    if (signal.aborted) throw err;
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    return `no answer (${cause?.code ?? cause?.message ?? (err as Error).message})`;
  }
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
