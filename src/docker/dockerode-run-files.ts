/** What a hook container gets besides its command: binds, named volumes, files in and out. Part of the dockerode adapter. */
import type { Readable } from 'node:stream';
import type Dockerode from 'dockerode';
import type { RunRequest } from './engine.js';
import { answerStatus } from './engine-answer.js';

/** Binds, named volumes (never copied up from the image) and the network of a container run. */
export function hostConfig(req: Pick<RunRequest, 'binds' | 'volumes' | 'network'>): Dockerode.HostConfig {
  const mounts = (req.volumes ?? []).map((v) => ({ Type: 'volume', Source: v.name, Target: v.target, ReadOnly: v.readOnly, VolumeOptions: { NoCopy: true } }));
  return { Binds: req.binds, ...(mounts.length > 0 ? { Mounts: mounts as Dockerode.MountSettings[] } : {}), ...(req.network ? { NetworkMode: req.network } : {}) };
}

/** What RunRequest.takeFiles asks for, read out of an exited container; a path the container lacks is an empty tar's worth: nothing. */
export async function takeFiles(container: Dockerode.Container, take: NonNullable<RunRequest['takeFiles']>, signal: AbortSignal): Promise<void> {
  let archive: Readable;
  try {
    archive = (await container.getArchive({ path: take.path, abortSignal: signal } as { path: string })) as unknown as Readable;
  } catch (err) {
    if (answerStatus(err) === 404) return;
    throw err;
  }
  try {
    await take.sink(archive);
  } finally {
    archive.destroy();
  }
}

