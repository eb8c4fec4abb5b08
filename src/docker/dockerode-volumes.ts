/**
 * Volumes and their files for an engine that cannot see porter's checkout: a volume is filled and read through the
 * archive API of a container that is created, never started, and removed. Part of the dockerode adapter (a type
 * import only). The container's image is one the engine already has (a hook's own): nothing is pulled, and the
 * image needs no shell, since nothing in it runs.
 */
import type { Readable } from 'node:stream';
import type Dockerode from 'dockerode';
import { ImageNotFound, type DockerEngine, type VolumeFilesRequest } from './engine.js';
import { answerStatus } from './engine-answer.js';
import { engineCalls } from './engine-errors.js';
import { labelFilters } from './labels.js';
import { VOLUME_DIR } from './repo-sync.js';

export type VolumeOperations = Pick<DockerEngine, 'createVolume' | 'listVolumes' | 'removeVolume' | 'writeVolume' | 'writeVolumes' | 'readVolume' | 'seesPath'>;

const cleanupTimeoutMs = 15_000;
/** Where the volume is mounted in the never-started container: a path no image has, so nothing is copied up. */
export const VOLUME_TARGET = `/${VOLUME_DIR}`;

/**
 * A created container that mounts `mounts` and never starts; `use` gets it, and it is removed afterwards whatever
 * happened — in the background, handed to `track` (the engine's settle() waits for it).
 */
async function withIdleContainer<T>(
  d: Dockerode, track: (removal: Promise<void>) => void, image: string, labels: Record<string, string>, mounts: Dockerode.MountSettings[],
  signal: AbortSignal, use: (container: Dockerode.Container) => Promise<T>,
): Promise<T> {
  // A command the image never runs: create needs one when the image has neither CMD nor ENTRYPOINT.
  const container = await d.createContainer({ Image: image, Cmd: ['/'], Labels: labels, HostConfig: { Mounts: mounts }, abortSignal: signal } as Dockerode.ContainerCreateOptions)
    .catch((err: unknown) => {
      // Create answers 404 only for a missing image (another run pruned it since it was found).
      throw answerStatus(err) === 404 ? new ImageNotFound(image, { cause: err }) : err;
    });
  try {
    return await use(container);
  } finally {
    track(container.remove({ force: true, v: false, abortSignal: AbortSignal.timeout(cleanupTimeoutMs) }).then(() => undefined, () => undefined));
  }
}

function volumeMount(req: VolumeFilesRequest, readOnly: boolean, target = VOLUME_TARGET): Dockerode.MountSettings {
  return { Type: 'volume', Source: req.volume, Target: target, ReadOnly: readOnly, VolumeOptions: { NoCopy: true } } as Dockerode.MountSettings;
}

/** The volume operations of the adapter; `docker` is the lazily connected client of dockerode-engine.ts. */
export function volumeOperations(docker: () => Promise<Dockerode>, host: string, track: (removal: Promise<void>) => void): VolumeOperations {
  const call = engineCalls(docker, host);
  return {
    createVolume: (name, labels) =>
      call(async (d) => {
        await d.createVolume({ Name: name, Labels: labels });
      }),

    listVolumes: (labels) =>
      call(async (d) => {
        const found = (await d.listVolumes({ filters: labelFilters(labels) })) as { Volumes?: { Name: string; Labels?: Record<string, string> | null }[] | null };
        return (found.Volumes ?? []).map((v) => ({ name: v.Name, labels: v.Labels ?? {} }));
      }),

    removeVolume: (name) =>
      call(async (d) => {
        try {
          await d.getVolume(name).remove({ abortSignal: AbortSignal.timeout(cleanupTimeoutMs) } as object);
        } catch (err) {
          if (answerStatus(err) !== 404) throw err;
        }
      }),

    writeVolume: (req, tar, signal) =>
      call((d) => withIdleContainer(d, track, req.image, req.labels, [volumeMount(req, false)], signal, async (container) => {
        await container.putArchive(tar, { path: VOLUME_TARGET, abortSignal: signal } as { path: string });
      })),

    writeVolumes: (req, tar, signal) => {
      const mounts = req.volumes.map((volume) => volumeMount({ volume, image: req.image, labels: req.labels }, false, `/${volume}`));
      return call((d) => withIdleContainer(d, track, req.image, req.labels, mounts, signal, async (container) => {
        await container.putArchive(tar, { path: '/', abortSignal: signal } as { path: string });
      }));
    },

    readVolume: (req, sink, signal) =>
      call((d) => withIdleContainer(d, track, req.image, req.labels, [volumeMount(req, true)], signal, async (container) => {
        // Every entry under the directory's own name (docker cp's rule): `porter-repo-transfer/…`.
        const archive = (await container.getArchive({ path: VOLUME_TARGET, abortSignal: signal } as { path: string })) as unknown as Readable;
        try {
          await sink(archive);
        } finally {
          archive.destroy();
        }
      })),

    seesPath: (req, signal) =>
      call(async (d) => {
        const mount = { Type: 'bind', Source: req.dir, Target: VOLUME_TARGET, ReadOnly: true } as Dockerode.MountSettings;
        let created = false;
        try {
          return await withIdleContainer(d, track, req.image, req.labels, [mount], signal, async (container) => {
            created = true;
            const archive = (await container.getArchive({ path: `${VOLUME_TARGET}/${req.file}`, abortSignal: signal } as { path: string })) as unknown as Readable;
            archive.destroy();
            return true;
          });
        } catch (err) {
          // Refused at create: "bind source path does not exist" (400, or 500 on older engines); a missing image (404) is not an answer.
          // After create, 404: the directory is there but not the marker (another machine's directory of that name).
          const status = answerStatus(err);
          if (!(err instanceof ImageNotFound) && (created ? status === 404 : status === 400 || status === 500)) return false;
          throw err;
        }
      }),
  };
}
