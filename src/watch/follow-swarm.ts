import { setTimeout as sleep } from 'node:timers/promises';
import type { DockerEngine, ServiceState, TaskState } from '../docker/engine.js';
import { parseRfc3339Nano, type EngineEvent } from '../docker/engine-events.js';
import { EngineError } from '../errors.js';
import type { FollowState } from './follow-engine.js';

/** A task state change as the container event it stands for; undefined for states no event of porter's names. */
function actionOf(task: TaskState): string | undefined {
  if (task.state === 'running') return 'start';
  if (task.state === 'shutdown') return 'stop';
  if (task.state === 'failed' || task.state === 'complete') return 'die';
  return undefined;
}

/**
 * The events of a Swarm region between two looks at its tasks: a task whose state changed since `seen` (task id →
 * state, updated in place), or one not seen before that changed at or after `sinceNano` (older ones are history). A
 * task that failed because its health check did emits `health_status: unhealthy` before its `die`.
 */
export function taskEvents(seen: Map<string, string>, services: readonly { service: ServiceState; tasks: readonly TaskState[] }[], sinceNano: bigint): EngineEvent[] {
  const events: EngineEvent[] = [];
  for (const { service, tasks } of services) {
    for (const task of tasks) {
      const before = seen.get(task.id);
      seen.set(task.id, task.state);
      const timeNano = parseRfc3339Nano(task.updated ?? '') ?? parseRfc3339Nano(task.created) ?? 0n;
      if (before === task.state || (before === undefined && timeNano < sinceNano)) continue;
      const action = actionOf(task);
      if (!action) continue;
      const base = { containerId: task.id, containerName: `${service.name}.${task.slot ?? 0}.${task.id}`, labels: service.labels, timeNano };
      if (task.state === 'failed' && /unhealthy/i.test(`${task.error ?? ''} ${task.message}`)) events.push({ ...base, action: 'health_status: unhealthy' });
      events.push({ ...base, action, ...(action === 'die' && task.exitCode !== undefined ? { exitCode: task.exitCode } : {}) });
    }
  }
  return events.sort((a, b) => (a.timeNano < b.timeNano ? -1 : a.timeNano > b.timeNano ? 1 : 0));
}

export interface SwarmFollowOptions {
  engine: DockerEngine;
  /** The services of the watched region: porter's labels. */
  labels: Record<string, string>;
  onEvent: (event: EngineEvent) => void;
  onState: (state: FollowState) => void;
  signal: AbortSignal;
  now: () => number;
  everyMs?: number;
}

/**
 * Follows a Swarm region by looking at its services' tasks every `everyMs` (the manager's event stream has no task
 * states). A manager that stops answering is asked again at the same pace; what changed meanwhile comes out once
 * it answers, once each, since the task states seen are kept.
 */
export async function followSwarm(o: SwarmFollowOptions): Promise<void> {
  const seen = new Map<string, string>();
  const sinceNano = BigInt(o.now()) * 1_000_000n;
  let state: 'new' | 'open' | 'lost' = 'new';
  while (!o.signal.aborted) {
    try {
      const services = await o.engine.listServices(o.labels);
      const found = await Promise.all(services.map(async (service) => ({ service, tasks: await o.engine.serviceTasks(service.id) })));
      if (o.signal.aborted) return;
      const events = taskEvents(seen, found, sinceNano);
      if (state !== 'open') o.onState(state === 'lost' ? { state: 'back' } : { state: 'open' });
      state = 'open';
      events.forEach(o.onEvent);
    } catch (err) {
      if (!(err instanceof EngineError)) throw err;
      if (state !== 'lost') o.onState({ state: 'lost', reason: err.message });
      state = 'lost';
    }
    await sleep(o.everyMs ?? 1_000, undefined, { signal: o.signal }).catch(() => undefined);
  }
}
