/** An environment's stacks in one region as status, promote and rollback see them: engine and Swarm regions alike. */
import type { ContainerState } from '../docker/engine.js';
import type { RegionTarget } from './regions.js';
import { networkName } from './stack-names.js';
import { listStacks, stackUrl } from './stacks.js';
import { listSwarmStacks, swarmStackUrl } from './swarm-stacks.js';

/** `healthy`: every container runs (and its HEALTHCHECK, if any, passes), or every Swarm replica runs. */
export type StackHealth = 'healthy' | 'starting' | 'unhealthy' | 'stopped';

export interface RegionStack {
  id: string;
  version: string;
  /** RFC 3339. */
  created: string;
  promoted: boolean;
  health: StackHealth;
  /** Why it is not healthy, in a few words (`container web is exited`). */
  reason?: string;
  url?: string;
}

/** A stack's health from its containers' states. */
export function containersHealth(containers: readonly ContainerState[]): { health: StackHealth; reason?: string } {
  const stopped = containers.find((c) => !c.running);
  if (stopped) return { health: 'stopped', reason: `container ${stopped.name} is ${stopped.status}` };
  const sick = containers.find((c) => c.health === 'unhealthy');
  if (sick) return { health: 'unhealthy', reason: `container ${sick.name} is unhealthy` };
  const starting = containers.find((c) => c.health === 'starting');
  if (starting) return { health: 'starting', reason: `container ${starting.name} is starting` };
  return { health: 'healthy' };
}

/** The stacks of `environment` in the region, newest first, with their health and URL. */
export async function regionStacks(target: RegionTarget, service: string, environment: string): Promise<RegionStack[]> {
  const network = networkName(service, environment);
  const { engine, region } = target;
  if (region.orchestrator !== 'swarm') {
    return (await listStacks(engine, service, environment, region.name, network)).map((s) => {
      const url = stackUrl(s, target.address);
      return { id: s.id, version: s.version, created: s.created, promoted: s.promoted, ...containersHealth(s.containers), ...(url ? { url } : {}) };
    });
  }
  const stacks = await listSwarmStacks(engine, service, environment, region.name, network);
  return Promise.all(stacks.map(async (s): Promise<RegionStack> => {
    const tasks = new Map(await Promise.all(s.services.map(async (x) => [x.id, (await engine.serviceTasks(x.id)).filter((t) => t.desired === 'running')] as const)));
    const short = s.services.find((x) => (tasks.get(x.id) ?? []).filter((t) => t.state === 'running').length < x.replicas);
    const url = swarmStackUrl(s.services, tasks);
    const health = short ? { health: 'starting' as const, reason: `service ${short.name} has ${(tasks.get(short.id) ?? []).filter((t) => t.state === 'running').length} of ${short.replicas} tasks running` } : { health: 'healthy' as const };
    return { id: s.id, version: s.version, created: s.created, promoted: s.promoted, ...health, ...(url ? { url } : {}) };
  }));
}
