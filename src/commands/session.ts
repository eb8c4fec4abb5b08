import { randomBytes } from 'node:crypto';
import { rmdir, stat, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ignoredKeysWarning } from '../config/ignored-keys.js';
import { loadConfig } from '../config/load.js';
import type { HookConfig, PorterConfig } from '../config/types.js';
import type { ProcessOwner, RunContext } from '../context.js';
import type { DockerEngine } from '../docker/engine.js';
import { commandLogins } from '../docker/registry-auth.js';
import { UsageError } from '../errors.js';
import type { EmitEvent } from '../events.js';
import { cachedCheckout } from '../git/cached-checkout.js';
import { defaultPluginCacheDir } from '../git/plugin-cache.js';
import type { PluginCheckout, PluginFetcher } from '../git/plugin-fetcher.js';
import { serviceVersion } from '../git/service-version.js';
import { removeAbandonedContainers } from '../hooks/abandoned-containers.js';
import { claimScratch, removeAbandonedScratch } from '../hooks/abandoned-scratch.js';
import { journalDir, RunJournal } from '../hooks/journal.js';
import { knownSecrets } from '../hooks/known-secrets.js';
import { SecretSet } from '../hooks/mask.js';
import { OutputStore } from '../hooks/outputs.js';
import { removeAbandonedRepoCopies } from '../hooks/abandoned-volumes.js';
import { Label } from '../docker/labels.js';
import { createRepoRoot, type RepoTransfer } from '../docker/repo-transfer.js';

/** What the command line says about where the service is; the rest of a session comes from the environment. */
export interface SessionOptions {
  cwd: string;
  dir?: string;
  configPath?: string;
  env: Readonly<Record<string, string | undefined>>;
  /** This porter process (pid, host): recorded on its containers; used to spot a killed run's leftovers. */
  owner: ProcessOwner;
  emit: EmitEvent;
  /** When porter's stdout is behind: hook output is read no faster than it is shown. */
  outputReady?: () => Promise<void> | undefined;
  signal: AbortSignal;
  /** Record this command's hook runs in `.porter-tmp/runs/` for `porter debug`: the command line and porter's version. */
  journal?: { command: string; porterVersion: string };
  /** `--repo-transfer`: wins over the config's `repo_transfer` (default auto). */
  repoTransfer?: RepoTransfer;
}

/** The service repo's absolute path (`-C`, else the current directory); a usage error when it is not a directory. */
export async function findRepoDir(opts: Pick<SessionOptions, 'cwd' | 'dir'>): Promise<string> {
  const repoDir = resolve(opts.cwd, opts.dir ?? '.');
  const isDir = await stat(repoDir).then((s) => s.isDirectory(), () => false);
  if (!isDir) throw new UsageError(`-C ${opts.dir ?? '.'}: ${repoDir} is not a directory. Point -C at the service repo (the directory holding .porter/config).`);
  return repoDir;
}

/**
 * Finds the repo and loads its config: everything a command needs before it touches Docker. With `emit`, the
 * original porter's keys the config holds are named in one warning; `strict` makes them config errors.
 */
export async function loadService(
  opts: Pick<SessionOptions, 'cwd' | 'dir' | 'configPath' | 'env'> & { emit?: EmitEvent; strict?: boolean },
): Promise<{ repoDir: string; config: PorterConfig }> {
  const repoDir = await findRepoDir(opts);
  const config = await loadConfig({ repoDir, env: { ...opts.env }, ...(opts.configPath ? { configPath: opts.configPath } : {}), ...(opts.strict ? { strict: true } : {}) });
  const warning = ignoredKeysWarning(config);
  if (warning) opts.emit?.({ type: 'message', level: 'warn', text: warning, stderr: true });
  return { repoDir, config };
}

/**
 * Opens a run: the config, the local engine (answering, or EngineError naming where it looked), the
 * plugin fetcher, the outputs of earlier commands. Heavy modules load here, not at start-up. Hook
 * containers left by a killed porter run of this service on this host are removed first.
 */
export async function openSession(
  opts: SessionOptions,
  service?: { repoDir: string; config: PorterConfig },
): Promise<RunContext & { close(): Promise<void> }> {
  const { repoDir, config } = service ?? (await loadService(opts));
  const tmpDir = join(repoDir, '.porter-tmp');
  // git and the file system answer while the engine module loads and the engine is asked; neither ever rejects.
  const version = serviceVersion(repoDir, opts.env);
  const outputs = OutputStore.open(join(tmpDir, 'outputs.json'));
  // So is the cache, for every plugin of the config: a tag or sha checked out before needs no more than that.
  const plugins = lazyPluginFetcher({ ...opts.env }, Object.values(config.hooks).flat(), opts.signal);
  const { createDockerEngine } = await import('../docker/dockerode-engine.js');
  const env = { ...opts.env };
  const secrets = new SecretSet();
  // Registry logins, looked up once for the command; image builds get theirs through the engine.
  const logins = commandLogins(env, opts.signal, (found) => secrets.add(found), (text) => opts.emit({ type: 'message', level: 'warn', text }));
  const engines = new Map<string, DockerEngine>();
  const engineFor = (dockerHost: string | undefined): DockerEngine => {
    const key = dockerHost ?? '';
    let engine = engines.get(key);
    if (!engine) {
      engine = createDockerEngine({ env, buildLogins: logins.forBuilds, ...(dockerHost ? { dockerHost } : {}) });
      engines.set(key, engine);
    }
    return engine;
  };
  const engine = engineFor(undefined);
  await engine.ping(opts.signal);
  const abandoned = await removeAbandonedContainers(engine, config.serviceName, opts.owner);
  if (abandoned.removed > 0) {
    opts.emit({ type: 'message', level: 'info', text: `Removed ${abandoned.removed} hook container(s) of ${config.serviceName} left by a porter run that was killed (pid ${abandoned.pids.join(', ')}).` });
  }
  const staleCopies = await removeAbandonedRepoCopies(engine, config.serviceName, opts.owner);
  if (staleCopies > 0) opts.emit({ type: 'message', level: 'info', text: `Removed ${staleCopies} copy(ies) of the repo on ${engine.host} left by a porter run of ${config.serviceName} that was killed.` });
  const runId = `${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
  // Scratch of killed runs goes as their containers did; this run's is marked as its own.
  await removeAbandonedScratch(join(tmpDir, 'run'), opts.owner);
  await claimScratch(join(tmpDir, 'run', runId), opts.owner);
  const store = await outputs;
  secrets.add(await knownSecrets(config, repoDir, store, opts.env));
  const serviceVersionNow = await version;
  const journal = opts.journal && new RunJournal(
    journalDir(tmpDir),
    { porter: opts.journal.porterVersion, service: config.serviceName, command: opts.journal.command, runId, startedAt: new Date().toISOString(), serviceVersion: serviceVersionNow },
    (text) => secrets.mask(text), (text) => opts.emit({ type: 'message', level: 'warn', text }),
  );
  const repoRoot = createRepoRoot({
    engine, repoDir, transfer: opts.repoTransfer ?? config.repoTransfer ?? 'auto', volume: `porter-${config.serviceName}-repo-${runId}`,
    labels: { [Label.service]: config.serviceName, [Label.run]: runId, [Label.pid]: String(opts.owner.pid), [Label.host]: opts.owner.host, [Label.repoCopy]: '1' },
    scratchDir: join(tmpDir, 'run', runId), inform: (text) => opts.emit({ type: 'message', level: 'info', text }),
  });
  return {
    registryLogin: logins.forRegistry, repoRoot,
    repoDir, config, engine, engineFor, tmpDir, runId, owner: opts.owner,
    plugins,
    outputs: store,
    secrets,
    emit: opts.emit,
    ...(opts.outputReady ? { outputReady: opts.outputReady } : {}),
    signal: opts.signal,
    hostEnv: opts.env,
    serviceVersion: serviceVersionNow,
    ...(journal ? { journal } : {}),
    now: () => Date.now(),
    close: async () => {
      await journal?.flush();
      // Hook containers are removed in the background while the next hook runs: all are gone before porter exits.
      await Promise.all([...engines.values()].map((e) => e.settle()));
      // After the hook containers: a volume in use cannot be removed.
      await repoRoot.close();
      await rm(join(tmpDir, 'run', runId), { recursive: true, force: true });
      // `run/` itself goes too once no other run of this workspace is using it.
      await rmdir(join(tmpDir, 'run')).catch(() => undefined);
    },
  };
}

/**
 * simple-git loads only when a plugin hook needs more than the cache holds: a tag or sha whose checkout is
 * cached is answered without it, without the cache lock and without the network — looked up once per
 * repo@ref, starting with `warm` at once.
 */
function lazyPluginFetcher(env: Record<string, string | undefined>, warm: readonly HookConfig[], signal: AbortSignal): PluginFetcher {
  let fetcher: Promise<PluginFetcher> | undefined;
  const cacheDir = defaultPluginCacheDir(env);
  const looked = new Map<string, Promise<PluginCheckout | undefined>>();
  const lookUp = (repo: string, ref: string, abort: AbortSignal): Promise<PluginCheckout | undefined> => {
    const key = `${repo}\u0000${ref}`;
    let found = looked.get(key);
    if (!found) {
      found = cachedCheckout(cacheDir, repo, ref, env, abort);
      looked.set(key, found);
    }
    return found;
  };
  for (const hook of warm) if (hook.repo && hook.ref) void lookUp(hook.repo, hook.ref, signal).catch(() => undefined);
  return {
    fetch: async (repo, ref, signal) => {
      const cached = await lookUp(repo, ref, signal);
      if (cached) return cached;
      fetcher ??= import('../git/simple-git-fetcher.js').then((m) => m.createPluginFetcher({ cacheDir, env }));
      return (await fetcher).fetch(repo, ref, signal);
    },
  };
}
