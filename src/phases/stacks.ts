import type { ContainerState, DockerEngine } from '../docker/engine.js';
import { Label } from '../docker/labels.js';
import type { PublishAddress } from './publish.js';

/** One stack of an environment in one region, as the engine knows it (its labels and network aliases). */
export interface Stack {
  id: string;
  version: string;
  /** When its first container was created (RFC 3339): orders stacks. */
  created: string;
  containers: ContainerState[];
  /** Holds the alias `<service>` on the environment network: the one clients reach. */
  promoted: boolean;
}

/** The containers that carry the alias `<service>` for a stack: its inet (published) ones, else all of them. */
export function aliasHolders(stack: Pick<Stack, 'containers'>): ContainerState[] {
  const inet = stack.containers.filter((c) => Object.keys(c.ports).length > 0);
  return inet.length > 0 ? inet : stack.containers;
}

/** Groups containers by their `porter.stack` label into stacks, newest first. */
export function groupStacks(containers: readonly ContainerState[], service: string, network: string): Stack[] {
  const byId = new Map<string, ContainerState[]>();
  for (const c of containers) {
    const id = c.labels[Label.stack];
    if (!id) continue;
    byId.set(id, [...(byId.get(id) ?? []), c]);
  }
  const stacks = [...byId.entries()].map(([id, members]): Stack => {
    const sorted = [...members].sort((a, b) => a.name.localeCompare(b.name));
    const holders = aliasHolders({ containers: sorted });
    return {
      id,
      version: sorted[0]?.labels[Label.version] ?? '',
      created: sorted.map((c) => c.created).sort()[0] ?? '',
      containers: sorted,
      promoted: holders.some((c) => c.networks[network]?.includes(service)),
    };
  });
  return stacks.sort((a, b) => (a.created < b.created ? 1 : a.created > b.created ? -1 : b.id.localeCompare(a.id)));
}

/** The stacks of a service's environment in one region of one engine, newest first. */
export async function listStacks(engine: DockerEngine, service: string, environment: string, region: string, network: string): Promise<Stack[]> {
  const containers = await engine.listContainers({ [Label.service]: service, [Label.environment]: environment, [Label.region]: region, [Label.stack]: '' });
  return groupStacks(containers, service, network);
}

/** What prune does in a region: every stack that is not promoted goes, except the `keep` newest of them. */
export function selectForPrune<S extends Pick<Stack, 'promoted'>>(newestFirst: readonly S[], keep: number): { remove: S[]; keep: S[] } {
  const candidates = newestFirst.filter((s) => !s.promoted);
  const kept = candidates.slice(0, keep);
  return { remove: candidates.slice(keep), keep: [...newestFirst.filter((s) => s.promoted), ...kept] };
}

/** A stack's HTTP endpoint: the first of its containers (by name) that publishes a port. */
export function stackUrl(stack: Pick<Stack, 'containers'>, address: PublishAddress): string | undefined {
  for (const c of stack.containers) {
    const port = Object.values(c.ports)[0];
    if (port) return `http://${address.urlHost}:${port.hostPort}`;
  }
  return undefined;
}
