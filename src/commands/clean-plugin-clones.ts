import { rm, stat } from 'node:fs/promises';
import type { PorterConfig } from '../config/types.js';
import { defaultPluginCacheDir, removeTree, repoCachePaths } from '../git/plugin-cache.js';
import { redactUrl } from '../git/redact.js';
import { withFileLock } from '../git/with-file-lock.js';

/**
 * Removes the cached clones (mirror and checkouts) of the plugin repos this service's config names. The
 * cache is keyed by repo URL, not by service, so a repo another service also uses is cloned again on its
 * next run; nothing else in the cache is touched. Each repo is removed under its lock, never mid-fetch.
 * Returns the repos removed, credentials hidden.
 */
export async function removePluginClones(config: PorterConfig, env: Readonly<Record<string, string | undefined>>, signal: AbortSignal): Promise<string[]> {
  const cacheDir = defaultPluginCacheDir(env);
  const repos = new Set(Object.values(config.hooks).flat().map((h) => h.repo).filter((r): r is string => r !== undefined));
  const removed: string[] = [];
  for (const repo of repos) {
    const paths = repoCachePaths(cacheDir, repo);
    const present = await Promise.all([paths.mirror, paths.checkouts, paths.urlFile].map(exists));
    if (!present.some(Boolean)) continue;
    await withFileLock(paths.lock, signal, async () => {
      await removeTree(paths.checkouts);
      await removeTree(paths.mirror);
      await removeTree(paths.temp);
      await rm(paths.urlFile, { force: true });
    });
    removed.push(redactUrl(repo));
  }
  return removed;
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(() => true, () => false);
}
