import { mkdir, mkdtemp, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { simpleGit, type SimpleGit } from 'simple-git';
import { UsageError } from '../errors.js';
import { cacheFailed, fetchFailed, unknownRef, type FetchFailureKind } from './fetch-errors.js';
import { GIT_ENV_ALLOWED, gitEnvironment } from './git-env.js';
import { gitFailureLine } from './git-failure-line.js';
import { normaliseModes, removeTree, repoCachePaths, type RepoCachePaths } from './plugin-cache.js';
import { PluginFetchError, type PluginCheckout, type PluginFetcher } from './plugin-fetcher.js';
import { redactUrl } from './redact.js';
import { isFullSha, validatePluginSource } from './ref.js';
import { SharedTasks } from './shared-tasks.js';
import { withFileLock } from './with-file-lock.js';

export { clearPluginCache, defaultPluginCacheDir } from './plugin-cache.js';

/** Where the cache lives, and the environment git's own (scrubbed) environment is taken from. */
export interface PluginFetcherOptions {
  cacheDir: string;
  env: Readonly<Record<string, string | undefined>>;
}

// Branches and tags only: a forge's refs/pull/* can outweigh the repo. `+`: moved tags and rewritten branches win.
const REFSPECS = ['+refs/heads/*:refs/heads/*', '+refs/tags/*:refs/tags/*'];
// Auto-gc in the foreground, under porter's lock, instead of a detached process outliving porter.
const GIT_CONFIG = ['gc.autoDetach=false', 'maintenance.autoDetach=false', 'fetch.recurseSubmodules=false'];

interface LocalRefs {
  branch?: string;
  tag?: string;
  commit?: string;
}

/**
 * The plugin fetcher of one porter run, on simple-git (its only import). A repo is mirrored once under
 * `cacheDir`, fetched at most once per run and always for a branch; a full sha or a tag already in the
 * mirror uses no network. Each resolved commit gets one checkout, written once and shared by every run. Concurrent
 * hooks share one fetch per repo@ref; porter processes take turns through a lock file per repo.
 */
export function createPluginFetcher(opts: PluginFetcherOptions): PluginFetcher {
  const env = gitEnvironment(opts.env);
  const tasks = new SharedTasks<PluginCheckout>();
  const fetchedThisRun = new Set<string>();
  const queues = new Map<string, Promise<void>>();

  const git = (baseDir: string, signal: AbortSignal, extra: Record<string, string> = {}): SimpleGit =>
    simpleGit({
      baseDir, abort: signal, config: GIT_CONFIG, unsafe: { allowUnsafeSshCommand: true }, allowEnvironment: GIT_ENV_ALLOWED,
      // simple-git's own message is stdout then stderr; keep stderr alone, so its first line is git's reason.
      errors: (error, result) => (result.exitCode && result.stdErr.length ? Buffer.concat(result.stdErr) : error),
    }).env({ ...env, ...extra });

  // One repo at a time within this process (the file lock alone would make same-process callers poll).
  async function inTurn<T>(repo: string, fn: () => Promise<T>): Promise<T> {
    const previous = queues.get(repo) ?? Promise.resolve();
    let release = (): void => undefined;
    const mine = previous.then(() => new Promise<void>((resolve) => { release = resolve; }));
    queues.set(repo, mine);
    await previous;
    try {
      return await fn();
    } finally {
      release();
      if (queues.get(repo) === mine) queues.delete(repo);
    }
  }

  async function bring(repo: string, ref: string, signal: AbortSignal): Promise<PluginCheckout> {
    const paths = repoCachePaths(opts.cacheDir, repo);
    const pinned = join(paths.checkouts, ref);
    if (isFullSha(ref) && (await isDirectory(pinned))) return { dir: pinned, commit: ref };
    return inTurn(repo, async () => {
      signal.throwIfAborted();
      await mkdir(join(opts.cacheDir, 'repos'), { recursive: true });
      return withFileLock(paths.lock, signal, async () => {
        // Under the lock, nobody else works in this repo's temp dir: what is there was left by a crash.
        await removeTree(paths.temp);
        try {
          await ensureMirror(paths, repo, ref, signal);
          const commit = await resolveCommit(paths, repo, ref, signal);
          return { dir: await ensureCheckout(paths, repo, ref, commit, signal), commit };
        } finally {
          await removeTree(paths.temp);
        }
      });
    });
  }

  async function ensureMirror(paths: RepoCachePaths, repo: string, ref: string, signal: AbortSignal): Promise<void> {
    if (await isFile(join(paths.mirror, 'HEAD'))) return;
    await removeTree(paths.mirror);
    await mkdir(paths.temp, { recursive: true });
    const work = await mkdtemp(join(paths.temp, 'mirror-'));
    await guard(git(work, signal).raw(['init', '--bare', '--quiet']), signal, (err) => cacheFailed(repo, ref, paths.mirror, gitFailureLine(err, repo), err));
    await writeFile(paths.urlFile, `${redactUrl(repo)}\n`);
    await rename(work, paths.mirror);
  }

  async function resolveCommit(paths: RepoCachePaths, repo: string, ref: string, signal: AbortSignal): Promise<string> {
    const mirror = git(paths.mirror, signal);
    const before = await lookup(mirror, ref);
    signal.throwIfAborted();
    if (isFullSha(ref) && before.commit) return before.commit;
    if (!isFullSha(ref) && before.tag && !before.branch) return before.tag;
    if (!fetchedThisRun.has(repo)) {
      await guard(mirror.raw(['fetch', '--prune', '--no-tags', '--quiet', '--', repo, ...REFSPECS]), signal, async (err) => {
        const kind: FetchFailureKind = before.branch ? 'branch' : (await isEmpty(mirror)) ? 'clone' : 'uncached';
        // A repo that was never reached leaves no empty mirror behind.
        if (kind === 'clone') await Promise.all([removeTree(paths.mirror), rm(paths.urlFile, { force: true })]);
        return fetchFailed(repo, ref, kind, gitFailureLine(err, repo), err);
      });
      fetchedThisRun.add(repo);
    }
    const after = await lookup(mirror, ref);
    signal.throwIfAborted();
    if (!isFullSha(ref)) {
      const found = after.branch ?? after.tag;
      if (found) return found;
      throw unknownRef(repo, ref);
    }
    if (after.commit) return after.commit;
    // Not on a branch or tag: ask for the sha itself (protocol v2 servers allow it) and pin it against gc.
    const fetched = await mirror.raw(['fetch', '--quiet', '--', repo, `${ref}:refs/porter/pinned/${ref}`]).then(() => true, () => false);
    signal.throwIfAborted();
    const commit = fetched ? (await lookup(mirror, ref)).commit : undefined;
    if (!commit) throw unknownRef(repo, ref);
    return commit;
  }

  async function ensureCheckout(paths: RepoCachePaths, repo: string, ref: string, commit: string, signal: AbortSignal): Promise<string> {
    const dir = join(paths.checkouts, commit);
    if (await isDirectory(dir)) return dir;
    await mkdir(paths.temp, { recursive: true });
    await mkdir(paths.checkouts, { recursive: true });
    const work = await mkdtemp(join(paths.temp, 'checkout-'));
    // A throwaway index and work tree: no .git in the checkout, and checkout-index runs no hooks.
    const into = git(paths.mirror, signal, { GIT_INDEX_FILE: `${work}.index`, GIT_WORK_TREE: work });
    const failed = (err: unknown): Error => cacheFailed(repo, ref, dir, `checking out commit ${commit} failed: ${gitFailureLine(err, repo)}`, err);
    await guard(into.raw(['read-tree', commit]), signal, failed);
    await guard(into.raw(['checkout-index', '--all', '--force']), signal, failed);
    await normaliseModes(work);
    await rename(work, dir);
    return dir;
  }

  return {
    fetch(repo: string, ref: string, signal: AbortSignal): Promise<PluginCheckout> {
      const problems = validatePluginSource(repo, ref);
      if (problems.length > 0) {
        return Promise.reject(new UsageError(`Refusing to fetch plugin ${JSON.stringify(redactUrl(repo))} at ref ${JSON.stringify(ref)}: ${problems.join('; ')}.`));
      }
      return tasks.run(`${repo}\u0000${ref}`, signal, async (shared) => {
        try {
          return await bring(repo, ref, shared);
        } catch (err) {
          shared.throwIfAborted();
          if (err instanceof PluginFetchError) throw err;
          // The file system said no (permissions, a full disk): still this hook's failure, with the place named.
          throw cacheFailed(repo, ref, opts.cacheDir, err instanceof Error ? err.message : String(err), err);
        }
      });
    },
  };
}

/** The three things a ref can name in the mirror, each peeled to its commit. */
async function lookup(mirror: SimpleGit, ref: string): Promise<LocalRefs> {
  if (isFullSha(ref)) {
    const commit = await revParse(mirror, `${ref}^{commit}`);
    return commit ? { commit } : {};
  }
  const branch = await revParse(mirror, `refs/heads/${ref}^{commit}`);
  const tag = await revParse(mirror, `refs/tags/${ref}^{commit}`);
  return { ...(branch ? { branch } : {}), ...(tag ? { tag } : {}) };
}

// `--verify --quiet` exits 1 with no stderr for a missing name, which simple-git reports as success with no output.
async function revParse(mirror: SimpleGit, name: string): Promise<string | undefined> {
  const out = (await mirror.raw(['rev-parse', '--verify', '--quiet', name]).catch(() => '')).trim();
  return isFullSha(out) ? out : undefined;
}

async function isEmpty(mirror: SimpleGit): Promise<boolean> {
  return (await mirror.raw(['for-each-ref', '--count=1']).catch(() => '')).trim() === '';
}

/** Runs a git step; an abort rethrows the signal's reason, any other failure becomes `wrap(err)`. */
async function guard<T>(step: Promise<T>, signal: AbortSignal, wrap: (err: unknown) => Error | Promise<Error>): Promise<T> {
  try {
    return await step;
  } catch (err) {
    signal.throwIfAborted();
    throw await wrap(err);
  }
}

async function isDirectory(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined))?.isDirectory() ?? false;
}

async function isFile(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined))?.isFile() ?? false;
}
