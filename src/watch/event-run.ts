import type { EventHookConfig } from '../config/types.js';
import type { RunContext } from '../context.js';
import { rfc3339Nano } from '../docker/engine-events.js';
import type { ListStatus, WatchedEvent } from '../events.js';
import type { HookImages } from '../hooks/hook-image.js';
import { combinedStatus, runListInScopes } from '../hooks/run-scopes.js';
import { eventVariables, type StackEvent } from './match.js';

/** One run of an entry's hook list for one event: `run` is its key (e1, e2…) on every event its hooks emit. */
export interface EventRun {
  run: string;
  entry: EventHookConfig;
  event: StackEvent;
  environment: string;
  /** The stack's HTTP endpoint (PORTER_STACK_URL), and whether the hook must share the host's network to reach it. */
  stackUrl?: { url: string; hostNetwork: boolean };
}

/** The event as porter's events (and the HTML report, JUnit, JSON lines) carry it. */
export function watchedEvent(e: StackEvent, environment: string): WatchedEvent {
  return {
    environment, region: e.region, kind: e.kind, container: e.container, stack: e.stack,
    ...(e.exitCode !== undefined ? { exitCode: e.exitCode } : {}), time: rfc3339Nano(e.timeNano),
  };
}

/**
 * Runs the entry's hook list for the event in its region, with the usual variables (the event's stack as
 * PORTER_STACK_ID) and PORTER_EVENT_*; emits event-run-start and event-run-end around it. Resolves to the list's
 * status; rejects only as a hook list does (porter's or the user's error, never a hook's failure).
 */
export async function runEventList(r: EventRun, images: HookImages, ctx: RunContext): Promise<ListStatus> {
  const started = ctx.now();
  const list = r.entry.hooks;
  const event = watchedEvent(r.event, r.environment);
  ctx.emit({ type: 'event-run-start', run: r.run, list, event, delayMs: Math.max(0, started - Number(r.event.timeNano / 1_000_000n)) });
  let status: ListStatus = 'failed';
  try {
    const scope = {
      environment: r.environment, region: r.event.region, stackId: r.event.stack,
      ...(r.stackUrl ? { stackUrl: r.stackUrl.url, hostNetwork: r.stackUrl.hostNetwork } : {}),
      event: { run: r.run, variables: eventVariables(r.event) },
    };
    status = combinedStatus(await runListInScopes(ctx.config.hooks[list] ?? [], [scope], () => 'passed', images, ctx));
    return status;
  } finally {
    ctx.emit({ type: 'event-run-end', run: r.run, list, region: r.event.region, status, durationMs: ctx.now() - started });
  }
}
