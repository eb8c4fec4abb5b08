import type { DockerEngine } from '../docker/engine.js';
import { Label } from '../docker/labels.js';

/**
 * After a hook's image was rebuilt with new inputs, removes its older images (same service and
 * `porter.hook`, another `porter.hash`) so edits do not pile images up. Hashes in `keep` (images this
 * run still uses) stay, and so does any image a container still uses (the engine refuses, 409).
 */
export async function pruneHookImages(
  engine: DockerEngine, service: string, hookLabel: string, current: string, keep: ReadonlySet<string>,
): Promise<number> {
  const images = await engine.findImages({ [Label.service]: service, [Label.hook]: hookLabel });
  const older = new Set(images.map((i) => i.labels[Label.hash]).filter((h): h is string => !!h && h !== current && !keep.has(h)));
  let removed = 0;
  for (const hash of older) removed += await engine.removeImages({ [Label.service]: service, [Label.hook]: hookLabel, [Label.hash]: hash });
  return removed;
}
