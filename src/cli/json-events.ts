import type { HookResult, PorterEvent } from '../events.js';

/** A JSON line as README documents it: `time` first, then `type`, then the event's own fields. */
export type JsonEvent = { time: string; type: string } & Record<string, unknown>;

const FAILED: ReadonlySet<HookResult['status']> = new Set(['failed', 'timed-out']);

/**
 * The `--log-format json` shape of an event. Internal events may grow; this mapping is the stable,
 * documented contract: hook-end is flat (`status`, `exitCode`, `durationMs` next to `list`/`hook`),
 * and its `tail` is only sent for failures (the lines already went out as hook-log events).
 */
export function toJsonEvent(event: PorterEvent, time: Date): JsonEvent {
  const at = time.toISOString();
  switch (event.type) {
    case 'hook-end': {
      const r = event.result;
      return {
        time: at, type: 'hook-end', list: r.list, hook: r.hook, ...(r.region ? { region: r.region } : {}), ...(r.run ? { run: r.run } : {}),
        status: r.status, ...(r.exitCode !== undefined ? { exitCode: r.exitCode } : {}),
        durationMs: r.durationMs, attempts: r.attempts,
        ...(r.stage && r.status !== 'passed' ? { stage: r.stage } : {}),
        ...(r.message ? { message: r.message } : {}),
        ...(FAILED.has(r.status) ? { tail: r.tail } : {}),
        ...(r.outputs ? { outputs: r.outputs } : {}),
      };
    }
    case 'plan':
      return { time: at, type: 'plan', service: event.plan.service, lists: event.plan.lists };
    case 'message':
      return { time: at, type: 'message', level: event.level, text: event.text };
    default:
      return { time: at, ...event };
  }
}
