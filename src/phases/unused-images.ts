import type { DockerEngine } from '../docker/engine.js';
import { Label } from '../docker/labels.js';

/**
 * Removes the service's packed images of `versions` that no remaining container of the service uses (in any
 * environment), except `keep` (the current payload's version for prune); hook images carry no `porter.container`
 * and stay for `build clean`. Returns a line per version whose images went.
 */
export async function removeUnusedImages(engine: DockerEngine, service: string, versions: Iterable<string>, keep?: string): Promise<string[]> {
  const remaining = await engine.listContainers({ [Label.service]: service, [Label.version]: '' });
  const inUse = new Set(remaining.map((c) => c.labels[Label.version]));
  const lines: string[] = [];
  for (const version of new Set(versions)) {
    if (inUse.has(version) || version === keep || !version) continue;
    const removed = await engine.removeImages({ [Label.service]: service, [Label.version]: version, [Label.container]: '' });
    if (removed > 0) lines.push(`removed ${removed} image${removed === 1 ? '' : 's'} of version ${version}`);
  }
  return lines;
}
