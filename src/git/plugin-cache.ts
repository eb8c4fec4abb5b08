import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, lstat, readdir, rm } from 'node:fs/promises';
import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { withFileLock } from './with-file-lock.js';

/** Where one plugin repo lives in the cache; every path is derived from the URL's sha256. */
export interface RepoCachePaths {
  /** The bare mirror of the repo's branches and tags. */
  mirror: string;
  /** Beside the mirror: the repo URL, credentials hidden, for a human browsing the cache. */
  urlFile: string;
  /** The lock every porter process takes before touching the mirror or adding a checkout. */
  lock: string;
  /** `<checkouts>/<sha>/`: the files at one commit, created atomically and never changed after. */
  checkouts: string;
  /** Work in progress (a mirror being created, a checkout being written); what a crash left is swept under the lock. */
  temp: string;
}

/**
 * The cache layout: `repos/<hash>/` (bare mirror), `repos/<hash>.url`, `repos/<hash>.lock`,
 * `checkouts/<hash>/<sha>/`, `tmp/<hash>/`, where `<hash>` is the sha256 of the repo URL exactly as configured.
 */
export function repoCachePaths(cacheDir: string, repo: string): RepoCachePaths {
  const hash = createHash('sha256').update(repo).digest('hex');
  return {
    mirror: join(cacheDir, 'repos', hash),
    urlFile: join(cacheDir, 'repos', `${hash}.url`),
    lock: join(cacheDir, 'repos', `${hash}.lock`),
    checkouts: join(cacheDir, 'checkouts', hash),
    temp: join(cacheDir, 'tmp', hash),
  };
}

/** `$XDG_CACHE_HOME/porter/plugins`, else `~/.cache/porter/plugins` (a relative XDG_CACHE_HOME is ignored, per the XDG spec). */
export function defaultPluginCacheDir(env: Readonly<Record<string, string | undefined>>): string {
  const xdg = env.XDG_CACHE_HOME;
  const base = xdg && isAbsolute(xdg) ? xdg : join(env.HOME || homedir(), '.cache');
  return join(base, 'porter', 'plugins');
}

/**
 * `porter build clean`: removes the given repos' mirrors and checkouts, each under its lock so a porter
 * fetching it meanwhile is waited for; without `repos`, the whole cache (run it when no porter runs).
 */
export async function clearPluginCache(cacheDir: string, repos?: readonly string[]): Promise<void> {
  if (!repos) {
    await removeTree(cacheDir);
    return;
  }
  for (const repo of repos) {
    const paths = repoCachePaths(cacheDir, repo);
    if (!existsSync(paths.mirror) && !existsSync(paths.checkouts)) continue;
    await withFileLock(paths.lock, new AbortController().signal, async () => {
      for (const dir of [paths.checkouts, paths.temp, paths.mirror]) await removeTree(dir);
      await rm(paths.urlFile, { force: true });
    });
  }
}

/** Removes a directory tree; absent is fine. */
export async function removeTree(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

/**
 * Gives a checkout the modes git records (directories 0755, files 0644, executables 0755) whatever the user's
 * umask. Not read-only: the build context sends modes as they are on disk and COPY keeps them, so a 0555
 * directory would break `COPY --chown=app . /app` + `USER app` in a plugin. Symlinks are left alone.
 */
export async function normaliseModes(dir: string): Promise<void> {
  await setTreeMode(dir, 0o755, (mode) => (mode & 0o111 ? 0o755 : 0o644));
}

// chmod follows symlinks, so entries are lstat'ed and links skipped: a checkout's link may point anywhere.
async function setTreeMode(dir: string, dirMode: number, fileMode: (mode: number) => number): Promise<void> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) await setTreeMode(path, dirMode, fileMode);
    else if (entry.isFile()) await chmod(path, fileMode((await lstat(path)).mode));
  }
  await chmod(dir, dirMode);
}
