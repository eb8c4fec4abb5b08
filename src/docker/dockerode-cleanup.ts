/** Removing what carries porter's labels (clean, the reaper): part of the dockerode adapter (a type import only). */
import type Dockerode from 'dockerode';
import type { DockerEngine } from './engine.js';
import { answerStatus } from './engine-answer.js';
import { engineCalls } from './engine-errors.js';
import { labelFilters } from './labels.js';

export type CleanupOperations = Pick<DockerEngine, 'removeContainers' | 'removeImages'>;

function assertLabels(labels: Record<string, string>): void {
  // An empty filter matches everything on the engine: refusing it is cheaper than explaining it.
  if (Object.keys(labels).length === 0) throw new Error('refusing to remove by an empty label filter');
}

/** The removal operations of the adapter; `docker` is the lazily connected client of dockerode-engine.ts. */
export function cleanupOperations(docker: () => Promise<Dockerode>, host: string): CleanupOperations {
  const call = engineCalls(docker, host);
  return {
    removeContainers: (labels) =>
      call(async (d) => {
        assertLabels(labels);
        const found = await d.listContainers({ all: true, filters: labelFilters(labels) });
        let removed = 0;
        for (const c of found) {
          try {
            await d.getContainer(c.Id).remove({ force: true, v: true });
            removed += 1;
          } catch (err) {
            if (answerStatus(err) !== 404 && answerStatus(err) !== 409) throw err;
          }
        }
        return removed;
      }),

    removeImages: (labels) =>
      call(async (d) => {
        assertLabels(labels);
        const found = await d.listImages({ filters: labelFilters(labels) });
        let removed = 0;
        for (const image of found) {
          const tags = (image.RepoTags ?? []).filter((t) => t !== '<none>:<none>');
          try {
            // Untag one name at a time: removing by id refuses an image with several tags.
            for (const name of tags.length > 0 ? tags : [image.Id]) await d.getImage(name).remove();
            removed += 1;
          } catch (err) {
            // 409: a container still uses it; the contract is to leave it.
            if (answerStatus(err) !== 404 && answerStatus(err) !== 409) throw err;
          }
        }
        return removed;
      }),
  };
}
