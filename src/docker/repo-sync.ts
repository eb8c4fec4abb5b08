/**
 * Copying hooks' changes from the repo's volume back to the checkout. Each entry is known by a fingerprint of its
 * tar header (type, mode, size, mtime, link target): what the volume held at the last sync is remembered, so only
 * what hooks changed since is written, and only what they deleted is removed — files porter itself wrote to the
 * checkout meanwhile are left alone.
 */
import { createWriteStream } from 'node:fs';
import { chmod, lstat, mkdir, realpath, rm, rmdir, symlink, utimes } from 'node:fs/promises';
import { dirname, join, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { extract } from 'tar-stream';

/** Path (relative, `/`-separated) → fingerprint. */
export type Fingerprints = Map<string, string>;

/** What identifies an entry's state without its content: a hook that writes a file changes its mtime or size. */
export function fingerprint(h: { type?: string | null; mode?: number; size?: number; mtime?: Date; linkname?: string | null }): string {
  const mode = ((h.mode ?? 0) & 0o7777).toString(8);
  const type = h.type ?? 'file';
  if (type === 'directory') return `d:${mode}`;
  if (type === 'symlink') return `l:${h.linkname ?? ''}`;
  return `${type}:${mode}:${h.size ?? 0}:${Math.floor((h.mtime?.getTime() ?? 0) / 1000)}`;
}

/** The name of the directory every entry of the volume's tar is under. */
export const VOLUME_DIR = 'porter-repo-transfer';

/** A tar entry's path under `VOLUME_DIR` (`''`: that directory itself); undefined when it is not under it or unsafe. */
export function entryPath(name: string): string | undefined {
  const parts = name.split('/').filter((p) => p !== '' && p !== '.');
  if (parts[0] !== VOLUME_DIR || parts.some((p) => p === '..')) return undefined;
  return parts.slice(1).join('/');
}

export interface SyncOutcome {
  /** The volume's entries now: the `before` of the next sync. */
  after: Fingerprints;
  written: number;
  removed: number;
}

async function inside(repoReal: string, path: string): Promise<boolean> {
  const parent = await realpath(dirname(path)).catch(() => undefined);
  return parent !== undefined && (parent === repoReal || parent.startsWith(`${repoReal}${sep}`));
}

async function clear(path: string, unlessDir: boolean): Promise<void> {
  const found = await lstat(path).catch(() => undefined);
  if (!found || (unlessDir && found.isDirectory())) return;
  await rm(path, { recursive: true, force: true });
}

/**
 * Reads the volume's tar (`readVolume`) into `repoDir`: entries whose fingerprint differs from `before` are written
 * (content, mode, mtime), entries of `before` the tar no longer has are removed (a directory only when empty: the
 * checkout's ignored files may be in it). Never writes outside `repoDir`.
 */
export async function applyVolumeTar(tar: Readable, repoDir: string, before: Fingerprints): Promise<SyncOutcome> {
  const repoReal = await realpath(repoDir);
  const after: Fingerprints = new Map();
  let written = 0;
  let sawRoot = false;
  const reader = extract();
  tar.pipe(reader);
  for await (const entry of reader) {
    const h = entry.header;
    const rel = entryPath(h.name);
    const print = fingerprint(h);
    if (rel === '') sawRoot = true;
    if (rel === undefined || rel === '' || !['file', 'directory', 'symlink'].includes(h.type ?? 'file')) {
      entry.resume();
      continue;
    }
    after.set(rel, print);
    const path = join(repoDir, ...rel.split('/'));
    if (before.get(rel) === print || !(await inside(repoReal, path))) {
      entry.resume();
      continue;
    }
    written += 1;
    const mode = (h.mode ?? 0o644) & 0o7777;
    if (h.type === 'directory') {
      await clear(path, true);
      await mkdir(path, { recursive: true });
      await chmod(path, mode);
      entry.resume();
    } else if (h.type === 'symlink') {
      await clear(path, false);
      await symlink(h.linkname ?? '', path);
      entry.resume();
    } else {
      await clear(path, false);
      await mkdir(dirname(path), { recursive: true });
      await pipeline(entry, createWriteStream(path, { mode }));
      await chmod(path, mode);
      if (h.mtime) await utimes(path, h.mtime, h.mtime);
    }
  }
  // A tar without the volume's directory is not the volume: removing "everything it lacks" would empty the checkout.
  if (!sawRoot) throw new Error(`the repo's volume came back without its ${VOLUME_DIR}/ directory; nothing was removed from the checkout`);
  let removed = 0;
  const gone = [...before.keys()].filter((p) => !after.has(p)).sort((a, b) => b.length - a.length);
  for (const rel of gone) {
    const path = join(repoDir, ...rel.split('/'));
    if (!(await inside(repoReal, path))) continue;
    const found = await lstat(path).catch(() => undefined);
    if (!found) continue;
    if (found.isDirectory()) {
      if (await rmdir(path).then(() => true, () => false)) removed += 1;
    } else {
      await rm(path, { force: true });
      removed += 1;
    }
  }
  return { after, written, removed };
}
