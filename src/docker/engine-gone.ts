/** Telling an engine that died (or is shutting down) from one that is merely quiet. */
import { setTimeout as sleep } from 'node:timers/promises';
import { isEngineConnectionError } from './engine-errors.js';

/** Pings the engine on a connection of its own; resolves to the connection error when it refused, else undefined. */
export type EngineCheck = () => Promise<unknown>;

const checkTimeoutMs = 5_000;

/**
 * An EngineCheck over `ping`. Only a refused or broken connection counts as gone: a ping that times out or
 * answers an error is no proof, and porter never blames the engine without one.
 */
export function engineCheck(ping: (signal: AbortSignal) => Promise<unknown>): EngineCheck {
  return async () => {
    try {
      await ping(AbortSignal.timeout(checkTimeoutMs));
      return undefined;
    } catch (err) {
      return isEngineConnectionError(err) ? err : undefined;
    }
  };
}

/**
 * Rejects with the connection error once `check` finds the engine gone: first after `graceMs`, then every
 * `everyMs`. Never settles while the engine answers, nor after `stop` aborts. For waits that docker-modem
 * would leave pending forever when the engine dies mid-answer (it reads a non-streamed body without
 * listening for the connection's end, and the engine's wait endpoint sends its headers at once).
 */
export async function rejectWhenGone(check: EngineCheck, stop: AbortSignal, graceMs = 1_000, everyMs = 2_000): Promise<never> {
  try {
    await sleep(graceMs, undefined, { signal: stop });
    for (;;) {
      const gone = await check();
      if (gone !== undefined && !stop.aborted) throw gone;
      await sleep(everyMs, undefined, { signal: stop });
    }
  } catch (err) {
    if (stop.aborted) return new Promise<never>(() => {});
    throw err;
  }
}
