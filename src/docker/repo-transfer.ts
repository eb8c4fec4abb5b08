/**
 * The repo at /repo_root wherever the engine runs: a bind mount of the checkout when the engine can see it, else a
 * copy in a volume of the command's own, filled once through the archive API and copied back after each hook list.
 * Hooks ask for "the repo at /repo_root" and do not know which they get.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { Readable } from 'node:stream';
import { pack } from 'tar-stream';
import type { DockerEngine, PathStat } from './engine.js';
import { packContext } from './build-context.js';
import { applyVolumeTar, fingerprint, type Fingerprints } from './repo-sync.js';

export type RepoTransfer = 'auto' | 'mount' | 'copy';
export const REPO_TRANSFERS: readonly RepoTransfer[] = ['auto', 'mount', 'copy'];

/** How `/repo_root` reached a hook: the checkout bind-mounted, or a volume holding a copy of `source`. */
export type RepoRootMount =
  | { kind: 'bind'; source: string; readOnly: boolean }
  | { kind: 'volume'; source: string; volume: string; readOnly: boolean };

/**
 * A volume holding `$PORTER_OUTPUT` (`output`, empty, mode 0666, in a directory of mode 0777) for one hook run on a
 * copy: mounted at the output directory, it spares the run an archive write before start and, when the hook wrote no
 * output, an archive read after exit (each a tar process in the engine, ~0.15 s).
 */
export interface OutputSlot {
  volume: string;
  /** After the run exited: what the engine found at the slot's file and directory. A slot left as it was made is used again. */
  release(file: PathStat | undefined, dir: PathStat | undefined): void;
}

/** How many output slots a copy starts with; a run finding none free puts its own `$PORTER_OUTPUT` in, as before. */
const OUTPUT_SLOTS = 4;
/** The slots' directories and files carry this mtime: a hook that adds, removes or renames a file there changes it. */
const SLOT_MTIME = new Date('2000-01-01T00:00:00Z');

/** True when a slot's file and directory are as `slotTar` made them (an output written and emptied again counts). */
export function slotUntouched(file: PathStat | undefined, dir: PathStat | undefined): boolean {
  return file?.kind === 'file' && file.size === 0 && file.perm === 0o666
    && dir?.kind === 'directory' && dir.perm === 0o777 && Date.parse(dir.mtime) === SLOT_MTIME.getTime();
}

/** Each slot volume's root (mode 0777) and its empty `output` (0666), as entries `<volume>/…` for writeVolumes. */
function slotTar(volumes: readonly string[]): Readable {
  const tar = pack();
  for (const volume of volumes) {
    tar.entry({ name: volume, type: 'directory', mode: 0o777, mtime: SLOT_MTIME });
    tar.entry({ name: `${volume}/output`, type: 'file', mode: 0o666, size: 0, mtime: SLOT_MTIME }, '');
  }
  tar.finalize();
  return tar as unknown as Readable;
}

export interface RepoRoot {
  /**
   * How a hook run from `image` (an image the engine has) gets the repo; the first call decides between mount and
   * copy (a probe with `image` when the address does not tell) and, for a copy, fills the volume.
   */
  mountFor(readOnly: boolean, image: string, signal: AbortSignal): Promise<RepoRootMount>;
  /** A free output slot of the copy (after `mountFor` gave a volume), or undefined: none free, or none could be made. */
  outputSlot(): OutputSlot | undefined;
  /**
   * Starts deciding between mount and copy with `image` (any image the engine has), ahead of the first hook, and for a
   * copy starts filling the volume meanwhile; never rejects.
   */
  warm(image: string, signal: AbortSignal): void;
  /** After a hook list: what its read-write hooks changed in the volume is copied to the checkout (nothing to do for a mount). */
  copyBack(signal: AbortSignal): Promise<void>;
  /** Removes the volume, whatever happened; safe to call twice. */
  close(): Promise<void>;
}

export interface RepoRootOptions {
  engine: DockerEngine;
  repoDir: string;
  transfer: RepoTransfer;
  /** The volume's name, unique per command. */
  volume: string;
  /** Labels of the volume and the idle containers that fill and read it (service, run, owner). */
  labels: Record<string, string>;
  /** A directory of this run in the checkout, for the probe's marker file. */
  scratchDir: string;
  /** Said once, when a copy is chosen. */
  inform(text: string): void;
}

/** An engine reached over the network cannot see porter's files, whatever a probe might find there. */
export function isRemoteAddress(host: string): boolean {
  return /^(tcp|ssh|https?):\/\//.test(host);
}

/** `attempt`'s value; when it fails, `forget` runs first so the next caller starts again (an image pruned meanwhile, say). */
async function retryable<T>(attempt: Promise<T>, forget: () => void): Promise<T> {
  try {
    return await attempt;
  } catch (err) {
    forget();
    throw err;
  }
}

export function createRepoRoot(opts: RepoRootOptions): RepoRoot {
  const { engine, repoDir } = opts;
  let decided: Promise<'bind' | 'volume'> | undefined;
  let filled: Promise<void> | undefined;
  let created = false;
  let synced: Fingerprints = new Map();
  // An image the engine has (the last hook's), for the idle container that reads the volume back; set once filled.
  let lastImage: string | undefined;
  let dirty = false;
  let closed = false;
  const slotVolumes = Array.from({ length: OUTPUT_SLOTS }, (_, k) => `${opts.volume}-out${k}`);
  let freeSlots: string[] = [];

  const probe = async (image: string, signal: AbortSignal): Promise<boolean> => {
    const marker = join(opts.scratchDir, `probe-${randomBytes(6).toString('hex')}`);
    await mkdir(opts.scratchDir, { recursive: true });
    await writeFile(marker, '');
    try {
      return await engine.seesPath({ dir: repoDir, file: relative(repoDir, marker), image, labels: opts.labels }, signal);
    } finally {
      await rm(marker, { force: true });
    }
  };

  const decide = async (image: string, signal: AbortSignal): Promise<'bind' | 'volume'> => {
    if (opts.transfer === 'mount') return 'bind';
    if (opts.transfer === 'auto' && !isRemoteAddress(engine.host) && (await probe(image, signal))) return 'bind';
    const why = opts.transfer === 'copy' ? 'repo transfer is copy' : `the Docker engine at ${engine.host} cannot see ${repoDir}`;
    opts.inform(`Hooks get a copy of the repo (honouring .dockerignore) in volume ${opts.volume}, as ${why}; what they change is copied back after each hook list.`);
    return 'volume';
  };

  const fill = async (image: string, signal: AbortSignal): Promise<void> => {
    if (closed) throw new Error('the repo copy was asked for after the command ended');
    created = true;
    await Promise.all([opts.volume, ...slotVolumes].map((volume) => engine.createVolume(volume, opts.labels)));
    const sent: Fingerprints = new Map();
    const tar = await packContext(repoDir, '.dockerignore', (h) => sent.set(h.name.replace(/\/+$/, ''), fingerprint(h)));
    // The slots are a saving, not a need: when they cannot be made, every run puts its own output file in.
    const slots = engine.writeVolumes({ volumes: slotVolumes, image, labels: opts.labels }, slotTar(slotVolumes), signal).then(() => slotVolumes, () => []);
    try {
      await engine.writeVolume({ volume: opts.volume, image, labels: opts.labels }, tar, signal);
    } finally {
      tar.destroy();
    }
    freeSlots = [...(await slots)];
    synced = sent;
    lastImage = image;
  };

  const startFill = (image: string, signal: AbortSignal): Promise<void> => {
    const filling = (filled ??= fill(image, signal));
    return retryable(filling, () => { if (filled === filling) filled = undefined; });
  };

  return {
    warm(image, signal) {
      if (decided) return;
      const attempt = decide(image, signal);
      decided = attempt;
      // A failed early probe or fill (the image went meanwhile) is tried again by the first hook, with its own image.
      attempt.then((kind) => (kind === 'volume' ? startFill(image, signal) : undefined)).catch(() => {
        if (decided === attempt) decided = undefined;
      });
    },

    async mountFor(readOnly, image, signal) {
      const deciding = (decided ??= decide(image, signal));
      const kind = await retryable(deciding, () => { if (decided === deciding) decided = undefined; });
      if (kind === 'bind') return { kind, source: repoDir, readOnly };
      await startFill(image, signal);
      lastImage = image;
      if (!readOnly) dirty = true;
      return { kind, source: repoDir, volume: opts.volume, readOnly };
    },

    outputSlot() {
      const volume = freeSlots.pop();
      if (volume === undefined) return undefined;
      return {
        volume,
        release: (file, dir) => {
          if (!closed && slotUntouched(file, dir)) freeSlots.push(volume);
        },
      };
    },

    async copyBack(signal) {
      if (!dirty || !filled || lastImage === undefined) return;
      await filled;
      dirty = false;
      await engine.readVolume({ volume: opts.volume, image: lastImage, labels: opts.labels }, async (tar) => {
        synced = (await applyVolumeTar(tar, repoDir, synced)).after;
      }, signal);
    },

    async close() {
      closed = true;
      await filled?.catch(() => undefined);
      if (!created) return;
      created = false;
      freeSlots = [];
      // Still in use (a container `porter debug --keep` left): it stays with it.
      await Promise.all([opts.volume, ...slotVolumes].map((volume) => engine.removeVolume(volume).catch(() => undefined)));
    },
  };
}
