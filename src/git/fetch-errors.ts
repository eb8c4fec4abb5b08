import { PluginFetchError } from './plugin-fetcher.js';
import { isFullSha } from './ref.js';
import { redactUrl } from './redact.js';

/** What the cache knew of the ref when the network failed: it decides what the message can promise. */
export type FetchFailureKind = 'clone' | 'branch' | 'uncached';

/** A clone or fetch that failed: which one, and why the cache cannot stand in for it. */
export function fetchFailed(repo: string, ref: string, kind: FetchFailureKind, gitLine: string, cause: unknown): PluginFetchError {
  const r = redactUrl(repo);
  const message = {
    clone: `Could not clone plugin ${r} (ref "${ref}"): git said "${gitLine}". Check the URL and that this machine can reach it; git runs without prompts and without your git config, so give credentials in the URL (from an environment variable) or through an SSH agent.`,
    branch: `Could not fetch branch "${ref}" of plugin ${r}: git said "${gitLine}". Refusing to use the cached copy of the branch, which may be stale; pin a tag or a commit sha to run from the cache without the network.`,
    uncached: `Could not fetch plugin ${r} to resolve ref "${ref}", which is not in the cache as a tag or commit: git said "${gitLine}".`,
  }[kind];
  return new PluginFetchError(message, { cause });
}

/** The repo was fetched but has no such ref; says what the ref was tried as. */
export function unknownRef(repo: string, ref: string): PluginFetchError {
  const r = redactUrl(repo);
  if (isFullSha(ref)) {
    return new PluginFetchError(`Plugin ${r} has no commit ${ref}: tried it as a commit sha, on its branches and tags and then by asking the server for it directly.`);
  }
  const hint = /^[0-9a-f]{4,39}$/.test(ref) ? ' A commit must be given as its full 40-character sha.' : '';
  return new PluginFetchError(`Plugin ${r} has no ref "${ref}": tried it as a branch, then as a tag, after fetching.${hint}`);
}

/** The cache itself failed (a mirror or checkout could not be written): names the repo, ref and cache path. */
export function cacheFailed(repo: string, ref: string, path: string, reason: string, cause: unknown): PluginFetchError {
  return new PluginFetchError(`Could not prepare plugin ${redactUrl(repo)}@${ref} in the plugin cache at ${path}: ${reason}.`, { cause });
}
