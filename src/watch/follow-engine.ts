import { setTimeout as sleep } from 'node:timers/promises';
import type { DockerEngine } from '../docker/engine.js';
import type { EngineEvent, EventFilter } from '../docker/engine-events.js';
import { EngineError } from '../errors.js';

/** What a follower tells the watcher besides events: it is following, it lost the engine, it is back (and caught up). */
export type FollowState = { state: 'open' } | { state: 'lost'; reason: string } | { state: 'back'; sinceNano?: bigint };

export interface FollowOptions {
  engine: DockerEngine;
  filter: Omit<EventFilter, 'sinceNano'>;
  onEvent: (event: EngineEvent) => void;
  onState: (state: FollowState) => void;
  /** Ends following (resolves). */
  signal: AbortSignal;
  /** The local clock (ms): the catch-up time when the engine went away before sending any event. */
  now: () => number;
  /** How often the engine is asked whether it still answers while the stream is quiet (a connection that died unnoticed). */
  heartbeatMs?: number;
  /** Waits between attempts to reach a lost engine. */
  retryMs?: number;
}

const SEEN_KEPT = 4096;

/**
 * Follows one engine's events until `signal` fires, surviving an engine restart: when the stream breaks it asks the
 * engine again every `retryMs` and, once it answers, follows again from the time of the last event it had, so the
 * events the engine still holds from the outage (a restarted engine records the containers it stopped) arrive then;
 * one seen already (the replay repeats the last) is passed on once only.
 */
export async function followEngine(o: FollowOptions): Promise<void> {
  const seen = new Set<string>();
  let sinceNano: bigint | undefined;
  let openedAt: bigint | undefined;
  const pass = (e: EngineEvent): void => {
    const id = `${e.containerId}\u0000${e.action}\u0000${e.timeNano}`;
    if (seen.has(id)) return;
    seen.add(id);
    if (seen.size > SEEN_KEPT) seen.delete(seen.values().next().value as string);
    if (sinceNano === undefined || e.timeNano > sinceNano) sinceNano = e.timeNano;
    o.onEvent(e);
  };
  for (let lost = false; !o.signal.aborted;) {
    const attempt = new AbortController();
    const stop = (): void => attempt.abort();
    o.signal.addEventListener('abort', stop, { once: true });
    const heartbeat = beat(o.engine, o.heartbeatMs ?? 10_000, attempt);
    let reason: string | undefined;
    try {
      const from = sinceNano ?? openedAt;
      await o.engine.followEvents({ ...o.filter, ...(from !== undefined ? { sinceNano: from } : {}) }, {
        open: () => {
          openedAt ??= BigInt(o.now()) * 1_000_000n;
          o.onState(lost && from !== undefined ? { state: 'back', sinceNano: from } : { state: 'open' });
          lost = false;
        },
        event: pass,
      }, attempt.signal);
      reason = attempt.signal.aborted && !o.signal.aborted ? await heartbeat.reason : undefined;
    } catch (err) {
      if (!(err instanceof EngineError)) throw err;
      reason = err.message;
    } finally {
      attempt.abort();
      o.signal.removeEventListener('abort', stop);
    }
    if (o.signal.aborted || reason === undefined) return;
    if (!lost) o.onState({ state: 'lost', reason });
    lost = true;
    await sleep(o.retryMs ?? 500, undefined, { signal: o.signal }).catch(() => undefined);
  }
}

/** Pings every `everyMs` while `attempt` lasts; the first failure aborts it and gives its reason. */
function beat(engine: DockerEngine, everyMs: number, attempt: AbortController): { reason: Promise<string | undefined> } {
  const reason = (async (): Promise<string | undefined> => {
    for (;;) {
      try {
        await sleep(everyMs, undefined, { signal: attempt.signal });
      } catch {
        return undefined;
      }
      try {
        await engine.ping(attempt.signal);
      } catch (err) {
        if (attempt.signal.aborted) return undefined;
        attempt.abort();
        return err instanceof Error ? err.message : String(err);
      }
    }
  })();
  return { reason };
}
