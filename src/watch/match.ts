/** Which `events:` entries an engine event runs, and under which key: pure, so every rule is unit-tested. */
import type { EventHookConfig, EventKind } from '../config/types.js';
import { rfc3339Nano, type EngineEvent } from '../docker/engine-events.js';
import { Label } from '../docker/labels.js';

/** An event of a stack container of the watched environment, in the words of `events:`. */
export interface StackEvent {
  kind: EventKind;
  /** The container's name on the engine (a Swarm task's: `<service>.<slot>.<task id>`). */
  container: string;
  /** Its name in the config (`porter.container`), what an entry's `container:` names. */
  configContainer: string;
  stack: string;
  region: string;
  exitCode?: number;
  /** Engine clock, nanoseconds since the epoch. */
  timeNano: bigint;
}

/** Where a follower watches: events of other services, environments or regions are not this watcher's. */
export interface WatchScope {
  service: string;
  environment: string;
  region: string;
}

const KIND_OF_ACTION: Record<string, EventKind> = {
  die: 'die', oom: 'oom', start: 'start', stop: 'stop', restart: 'restart',
  'health_status: unhealthy': 'unhealthy', 'health_status: healthy': 'healthy',
};

/** The engine actions to ask for so that these entries see their events (`health_status` covers healthy and unhealthy). */
export function engineActions(entries: readonly EventHookConfig[]): string[] {
  const kinds = new Set(entries.flatMap((e) => e.on));
  const actions = [...kinds].map((k) => (k === 'healthy' || k === 'unhealthy' ? 'health_status' : k));
  return [...new Set(actions)].sort();
}

/** The labels a stack container of `scope` carries: the engine filters on them, and toStackEvent checks them again. */
export function scopeLabels(scope: WatchScope): Record<string, string> {
  return { [Label.service]: scope.service, [Label.environment]: scope.environment, [Label.region]: scope.region, [Label.stack]: '' };
}

/** The event as `events:` sees it; undefined for an action porter does not react to or a container outside `scope`. */
export function toStackEvent(e: EngineEvent, scope: WatchScope): StackEvent | undefined {
  const kind = KIND_OF_ACTION[e.action];
  const l = e.labels;
  const stack = l[Label.stack];
  if (!kind || !stack || l[Label.service] !== scope.service || l[Label.environment] !== scope.environment || l[Label.region] !== scope.region) return undefined;
  return {
    kind, container: e.containerName, configContainer: l[Label.container] ?? '', stack, region: scope.region,
    ...(kind === 'die' && e.exitCode !== undefined ? { exitCode: e.exitCode } : {}), timeNano: e.timeNano,
  };
}

/** The entries an event runs, in config order: its kind is in `on`, and `container` (when given) is its container. */
export function matchEntries(entries: readonly EventHookConfig[], e: StackEvent): EventHookConfig[] {
  return entries.filter((entry) => entry.on.includes(e.kind) && (entry.container === undefined || entry.container === e.configContainer));
}

/**
 * The key runs of an entry take turns on: none for `once_per: event` (every run goes as soon as there is room), the
 * entry and container (or stack) otherwise, so a container's (stack's) runs of one entry go one at a time, in order.
 */
export function onceKey(entry: EventHookConfig, e: StackEvent): string | undefined {
  if (entry.oncePer === 'event') return undefined;
  return `${entry.index}\u0000${e.region}\u0000${entry.oncePer === 'container' ? e.container : e.stack}`;
}

/** The PORTER_EVENT_* variables of a run: the kind, the container's engine name, its stack, the exit code of a die, the time. */
export function eventVariables(e: StackEvent): Record<string, string> {
  return {
    PORTER_EVENT: e.kind,
    PORTER_EVENT_CONTAINER: e.container,
    PORTER_EVENT_STACK: e.stack,
    ...(e.exitCode !== undefined ? { PORTER_EVENT_EXIT_CODE: String(e.exitCode) } : {}),
    PORTER_EVENT_TIME: rfc3339Nano(e.timeNano),
  };
}
