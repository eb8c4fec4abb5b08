/** What a hook container gets besides its command: binds, named volumes, files in and out. Part of the dockerode adapter. */
import type { Readable } from 'node:stream';
import type Dockerode from 'dockerode';
import type { PathStat, RunRequest } from './engine.js';
import { answerStatus } from './engine-answer.js';

/** Binds, named volumes (never copied up from the image) and the network of a container run. */
export function hostConfig(req: Pick<RunRequest, 'binds' | 'volumes' | 'network'>): Dockerode.HostConfig {
  const mounts = (req.volumes ?? []).map((v) => ({ Type: 'volume', Source: v.name, Target: v.target, ReadOnly: v.readOnly, VolumeOptions: { NoCopy: true } }));
  return { Binds: req.binds, ...(mounts.length > 0 ? { Mounts: mounts as Dockerode.MountSettings[] } : {}), ...(req.network ? { NetworkMode: req.network } : {}) };
}

/** Bits of Go's os.FileMode, which the engine's path stat encodes: directory, symlink, and the other non-regular types. */
const MODE_DIR = 31;
const MODE_SYMLINK = 27;
const MODE_OTHER_TYPES = [26, 25, 24, 21, 19];

/** The engine's `X-Docker-Container-Path-Stat` header, decoded. */
export function decodePathStat(header: string): PathStat {
  const raw = JSON.parse(Buffer.from(header, 'base64').toString('utf8')) as { size?: number; mode?: number; mtime?: string };
  const mode = raw.mode ?? 0;
  // The directory bit is 2^31: bitwise operators would read it as a sign, so bits are tested arithmetically.
  const bit = (n: number): boolean => Math.floor(mode / 2 ** n) % 2 === 1;
  const kind = bit(MODE_DIR) ? 'directory' : bit(MODE_SYMLINK) ? 'symlink' : MODE_OTHER_TYPES.some(bit) ? 'other' : 'file';
  return { size: raw.size ?? 0, perm: mode % 0o1000, kind, mtime: raw.mtime ?? '' };
}

/** What the engine says of `path` in `container` (a HEAD request: nothing read); undefined when nothing is there. */
export async function statPath(container: Dockerode.Container, path: string, signal: AbortSignal): Promise<PathStat | undefined> {
  try {
    const answer = (await container.infoArchive({ path, abortSignal: signal } as { path: string })) as unknown as { headers?: Record<string, string | undefined>; destroy?: () => void };
    answer.destroy?.();
    const header = answer.headers?.['x-docker-container-path-stat'];
    return header ? decodePathStat(header) : undefined;
  } catch (err) {
    if (answerStatus(err) === 404) return undefined;
    throw err;
  }
}

/**
 * What RunRequest.takeFiles asks for, read out of an exited container; a path the container lacks, or an empty
 * file, is nothing to read (a stat costs a few ms, an archive read a tar process in the engine).
 */
export async function takeFiles(container: Dockerode.Container, take: NonNullable<RunRequest['takeFiles']>, signal: AbortSignal): Promise<void> {
  const [found, ...others] = await Promise.all([take.path, ...(take.statPaths ?? [])].map((path) => statPath(container, path, signal)));
  take.stat?.([found, ...others]);
  if (!found || (found.kind === 'file' && found.size === 0)) return;
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
