import type { ProcessOwner } from '../context.js';
import type { ContainerState, DockerEngine } from '../docker/engine.js';
import { Label } from '../docker/labels.js';

/** Whose a hook container is: a porter process still running on this host, one that died here, or unknown (another host, no owner labels). */
export type OwnerState = 'live' | 'dead' | 'unknown';

/** Reads a container's `porter.pid` / `porter.host` against this process; only this host's pids can be checked. */
export function ownerState(labels: Record<string, string>, owner: ProcessOwner): OwnerState {
  const pid = Number(labels[Label.pid]);
  if (labels[Label.host] !== owner.host || !Number.isInteger(pid) || pid <= 0) return 'unknown';
  if (pid === owner.pid) return 'live';
  return owner.isAlive(pid) ? 'live' : 'dead';
}

/** This service's hook containers (they carry `porter.hook`; stack containers do not). */
export function findHookContainers(engine: DockerEngine, service: string): Promise<ContainerState[]> {
  return engine.listContainers({ [Label.service]: service, [Label.hook]: '' });
}

/**
 * Removes the containers of every run in `containers` (by its `porter.run` label, so a run's containers go
 * together) for which `remove` says yes; returns how many were removed and which pids owned them.
 */
export async function removeRuns(
  engine: DockerEngine, service: string, containers: readonly ContainerState[], remove: (c: ContainerState) => boolean,
): Promise<{ removed: number; pids: string[] }> {
  const runs = new Map<string, string>();
  for (const c of containers) {
    const run = c.labels[Label.run];
    if (run && remove(c)) runs.set(run, c.labels[Label.pid] ?? '?');
  }
  let removed = 0;
  for (const run of runs.keys()) removed += await engine.removeContainers({ [Label.service]: service, [Label.run]: run });
  return { removed, pids: [...new Set(runs.values())] };
}

/**
 * At the start of a run: removes this service's hook containers left by a porter process on this host
 * that no longer exists (killed with SIGKILL, a crashed CI agent). A concurrent run's containers — its
 * pid still alive — and other hosts' are left alone.
 */
export async function removeAbandonedContainers(engine: DockerEngine, service: string, owner: ProcessOwner): Promise<{ removed: number; pids: string[] }> {
  const containers = await findHookContainers(engine, service);
  return removeRuns(engine, service, containers, (c) => ownerState(c.labels, owner) === 'dead');
}
