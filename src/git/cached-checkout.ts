/** A plugin already in the cache, answered without simple-git, the cache lock or the network. */
import { execFile } from 'node:child_process';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { gitEnvironment } from './git-env.js';
import { repoCachePaths } from './plugin-cache.js';
import type { PluginCheckout } from './plugin-fetcher.js';
import { isFullSha, validatePluginSource } from './ref.js';

const FIELDS = ['%(refname)', '%(objecttype)', '%(objectname)', '%(*objecttype)', '%(*objectname)'].join('%00');

/**
 * The cached checkout of `repo` at `ref` when the cache alone can answer, else undefined and the fetcher does
 * its full work. A full sha: its checkout directory. A name: a tag of the mirror that is not also a branch
 * (branches are always fetched), peeled to its commit, whose checkout exists — one `git for-each-ref`, which
 * is what the fetcher would conclude after loading simple-git, taking the lock and asking git twice. No lock
 * is needed: a checkout appears by an atomic rename and never changes after.
 */
export async function cachedCheckout(
  cacheDir: string, repo: string, ref: string, env: Readonly<Record<string, string | undefined>>, signal: AbortSignal,
): Promise<PluginCheckout | undefined> {
  // Unsafe values are the fetcher's to refuse, with its message; git never sees them here.
  if (validatePluginSource(repo, ref).length > 0) return undefined;
  const paths = repoCachePaths(cacheDir, repo);
  const checkout = async (commit: string): Promise<PluginCheckout | undefined> => {
    const dir = join(paths.checkouts, commit);
    return (await isDirectory(dir)) ? { dir, commit } : undefined;
  };
  if (isFullSha(ref)) return checkout(ref);
  if (!(await isDirectory(paths.mirror))) return undefined;
  const listed = await forEachRef(paths.mirror, [`refs/heads/${ref}`, `refs/tags/${ref}`], env, signal);
  if (listed === undefined) return undefined;
  let commit: string | undefined;
  for (const line of listed.split('\n')) {
    const [name, type, id, peeledType, peeledId] = line.split('\u0000');
    if (name === `refs/heads/${ref}`) return undefined;
    if (name !== `refs/tags/${ref}`) continue;
    commit = type === 'commit' ? id : peeledType === 'commit' ? peeledId : undefined;
  }
  return commit && isFullSha(commit) ? checkout(commit) : undefined;
}

function forEachRef(mirror: string, patterns: string[], env: Readonly<Record<string, string | undefined>>, signal: AbortSignal): Promise<string | undefined> {
  return new Promise((resolve) => {
    const args = ['-C', mirror, 'for-each-ref', `--format=${FIELDS}`, '--', ...patterns];
    execFile('git', args, { env: gitEnvironment(env), signal, encoding: 'utf8' }, (err, stdout) => resolve(err ? undefined : stdout));
  });
}

async function isDirectory(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined))?.isDirectory() ?? false;
}
