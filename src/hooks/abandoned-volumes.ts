import type { ProcessOwner } from '../context.js';
import type { DockerEngine } from '../docker/engine.js';
import { Label } from '../docker/labels.js';
import { ownerState } from './abandoned-containers.js';

/**
 * At the start of a run: removes this service's repo copies (volumes) left by a porter process on this host that no
 * longer exists (a copy and its output slots), with the idle containers that were filling or reading them; returns
 * how many runs' copies went.
 */
export async function removeAbandonedRepoCopies(engine: DockerEngine, service: string, owner: ProcessOwner): Promise<number> {
  const volumes = await engine.listVolumes({ [Label.service]: service, [Label.repoCopy]: '' });
  const runs = new Set<string>();
  for (const volume of volumes) {
    if (ownerState(volume.labels, owner) !== 'dead') continue;
    const run = volume.labels[Label.run];
    if (run && !runs.has(run)) await engine.removeContainers({ [Label.service]: service, [Label.run]: run, [Label.repoCopy]: '' });
    await engine.removeVolume(volume.name);
    runs.add(run ?? volume.name);
  }
  return runs.size;
}
