import { setTimeout as sleep } from 'node:timers/promises';
import type { DockerEngine, ServiceState, TaskState } from '../docker/engine.js';
import { Label } from '../docker/labels.js';
import { formatMs } from '../hooks/run-hook.js';
import { pollPause } from './poll-pause.js';

const POLL_MS = 500;

/** One stack of an environment in one Swarm region: its services (one per container), grouped by `porter.stack`. */
export interface SwarmStack {
  id: string;
  version: string;
  created: string;
  services: ServiceState[];
  /** Its inet services (else all) carry the alias `<service>` on the environment network. */
  promoted: boolean;
}

/** The services that carry the alias `<service>` for a stack: those that publish a port, else all of them. */
export function aliasServices(stack: Pick<SwarmStack, 'services'>): ServiceState[] {
  const inet = stack.services.filter((s) => s.ports.length > 0);
  return inet.length > 0 ? inet : stack.services;
}

/** The stacks of a service's environment in one Swarm region, newest first. */
export async function listSwarmStacks(engine: DockerEngine, service: string, environment: string, region: string, network: string): Promise<SwarmStack[]> {
  const services = await engine.listServices({ [Label.service]: service, [Label.environment]: environment, [Label.region]: region, [Label.stack]: '' });
  const byId = new Map<string, ServiceState[]>();
  for (const s of services) {
    const id = s.labels[Label.stack];
    if (id) byId.set(id, [...(byId.get(id) ?? []), s]);
  }
  const stacks = [...byId.entries()].map(([id, members]): SwarmStack => {
    const sorted = [...members].sort((a, b) => a.name.localeCompare(b.name));
    return {
      id, version: sorted[0]?.labels[Label.version] ?? '', created: sorted.map((s) => s.created).sort()[0] ?? '', services: sorted,
      promoted: aliasServices({ services: sorted }).some((s) => s.aliases[network]?.includes(service)),
    };
  });
  return stacks.sort((a, b) => (a.created < b.created ? 1 : a.created > b.created ? -1 : b.id.localeCompare(a.id)));
}

export type Convergence = { ok: true; tasks: Map<string, TaskState[]> } | { ok: false; reason: string; lines: string[] };

export interface ConvergeRequest {
  engine: DockerEngine;
  services: readonly ServiceState[];
  timeoutMs: number;
  /** Tasks that existed before (an update's old tasks): their failures are history, not this wait's. */
  before?: ReadonlySet<string>;
  /** Every task must be a new one (not in `before`): an update that replaces them all, seen before the manager starts it. */
  replaced?: boolean;
  /** Once converged, the same tasks must still be running this much later (workers without a health check). */
  graceMs?: number;
  /**
   * An update's replaced tasks are not waited for once Swarm wants them down: it takes a task out of DNS before it
   * stops it, and the stop itself can take the whole stop grace period (10 s unless the user set one, for a process
   * that ignores SIGTERM, as many PID 1s do). Nothing reaches them through the alias meanwhile.
   */
  skipReplacedStop?: boolean;
  /**
   * False: the wait ends once every task is new and running, before the update is `completed` — that is, before
   * Swarm's monitor period (its watch for failures after the last task started) is over. For services that are
   * leaving the traffic (a promote's old stack losing the alias): a failure there is the update's pause, not a
   * request lost. A pause or a failed task seen before the end still fails the wait. Default true.
   */
  awaitMonitor?: boolean;
}

const FAILED = new Set(['failed', 'rejected', 'orphaned']);

function describe(name: string, t: TaskState): string {
  const where = t.node.hostname ? ` on ${t.node.hostname}${t.node.address ? ` (${t.node.address})` : ''}` : '';
  return `${name} task ${t.id.slice(0, 12)}${where}: ${t.state}${t.error ? `: ${t.error}` : t.message && t.message !== t.state ? ` (${t.message})` : ''}`;
}

/**
 * Waits until every service runs exactly its replicas, each task `running` — with a health check, Swarm reports a
 * task running only once it is healthy — and any rolling update is complete. A new task that fails or is rejected,
 * a paused update, or the timeout ends the wait with the tasks' errors.
 */
export async function waitConverged(req: ConvergeRequest, signal: AbortSignal, now: () => number): Promise<Convergence> {
  const started = now();
  let last: string[] = [];
  let settledAt: number | undefined;
  let settledIds = '';
  for (let check = 0; ; check++) {
    const latest = await Promise.all(req.services.map(async (s) => {
      const [tasks, current] = await Promise.all([req.engine.serviceTasks(s.id), req.engine.listServices({ [Label.stack]: s.labels[Label.stack] ?? '' })]);
      return { s, tasks, update: current.find((c) => c.id === s.id)?.update };
    }));
    const failed = latest.flatMap(({ s, tasks }) => tasks.filter((t) => FAILED.has(t.state) && !req.before?.has(t.id)).map((t) => describe(s.name, t)));
    const paused = latest.filter((l) => l.update && /paused|rollback/.test(l.update.state));
    if (failed.length > 0 || paused.length > 0) {
      const lines = [...failed, ...paused.map((l) => `${l.s.name}: update ${l.update?.state ?? ''}: ${l.update?.message ?? ''}`)];
      return { ok: false, reason: `${failed.length > 0 ? 'a task failed' : 'the rolling update stopped'} (${lines[0] ?? ''})`, lines };
    }
    const pending = latest.filter(({ s, tasks, update }) => {
      const wanted = tasks.filter((t) => t.desired === 'running');
      // Replaced tasks count as gone once stopped: Swarm takes them out of DNS first, and stops them a moment later.
      const stopping = !req.skipReplacedStop && tasks.some((t) => t.desired !== 'running' && t.state === 'running');
      const old = req.replaced === true && wanted.some((t) => req.before?.has(t.id));
      const updating = req.awaitMonitor !== false && update !== undefined && update.state !== 'completed';
      return wanted.length !== s.replicas || wanted.some((t) => t.state !== 'running') || stopping || old || updating;
    });
    last = latest.flatMap(({ s, tasks }) => tasks.filter((t) => t.desired === 'running' || t.state === 'running').map((t) => describe(s.name, t)));
    if (pending.length === 0) {
      const ids = latest.flatMap((l) => l.tasks.filter((t) => t.desired === 'running').map((t) => t.id)).sort().join();
      if (ids !== settledIds) [settledAt, settledIds] = [now(), ids];
      if (now() - (settledAt ?? now()) >= (req.graceMs ?? 0)) return { ok: true, tasks: new Map(latest.map((l) => [l.s.id, l.tasks.filter((t) => t.desired === 'running')])) };
    } else {
      settledAt = undefined;
      settledIds = '';
    }
    if (now() - started >= req.timeoutMs) {
      const names = pending.map((p) => p.s.name).join(', ');
      return { ok: false, reason: `${names || 'the stack'} did not converge within ${formatMs(req.timeoutMs)}`, lines: last.length ? last : ['(no tasks were scheduled: is any node available?)'] };
    }
    await sleep(pollPause(check, POLL_MS), undefined, { signal });
  }
}

/** The tasks' ids of these services right now: an update's wait ignores their failures. */
export async function currentTaskIds(engine: DockerEngine, services: readonly ServiceState[]): Promise<Set<string>> {
  return new Set((await Promise.all(services.map((s) => engine.serviceTasks(s.id)))).flat().map((t) => t.id));
}

/** A stack's HTTP endpoint: a running task of its first inet service, at its node's address (host mode) or any node (ingress). */
export function swarmStackUrl(services: readonly ServiceState[], tasks: ReadonlyMap<string, readonly TaskState[]>): string | undefined {
  for (const s of services) {
    const port = s.ports[0];
    if (!port) continue;
    const task = (tasks.get(s.id) ?? []).find((t) => t.state === 'running' && t.node.address);
    if (!task) continue;
    const hostPort = port.mode === 'host' ? task.ports[port.containerPort] : port.publishedPort;
    if (hostPort) return `http://${task.node.address.includes(':') ? `[${task.node.address}]` : task.node.address}:${hostPort}`;
  }
  return undefined;
}
