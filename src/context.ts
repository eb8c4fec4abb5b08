import type { PorterConfig } from './config/types.js';
import type { DockerEngine } from './docker/engine.js';
import type { RepoRoot } from './docker/repo-transfer.js';
import type { FoundAuth } from './docker/registry-auth.js';
import type { EmitEvent } from './events.js';
import type { PluginFetcher } from './git/plugin-fetcher.js';
import type { RunJournal } from './hooks/journal.js';
import type { SecretSet } from './hooks/mask.js';
import type { OutputStore } from './hooks/outputs.js';
import type { LockIntent } from './phases/lock-holder.js';

/** The porter process that starts containers: each carries its `porter.pid` and `porter.host`, so a later run can tell a killed run's leftovers from a live run's. */
export interface ProcessOwner {
  pid: number;
  host: string;
  /** True when a process with this pid exists on this host. */
  isAlive(pid: number): boolean;
}

/** The environment lock a command holds (phases/environment-lock.ts): where it records what it is doing. */
export interface EnvironmentLock {
  /**
   * Records (before doing it) what the command is about to change, or undefined once that is done: a command
   * that takes over the lock of a killed holder finishes or undoes it. `region`: only that region's lock.
   */
  note(intent: LockIntent | undefined): Promise<void>;
}

/** Everything a command needs, handed down explicitly: no module singletons, no process.cwd() deep down. */
export interface RunContext {
  /** Absolute path of the service repo (mounted at /repo_root). */
  repoDir: string;
  config: PorterConfig;
  /** The local engine: hooks always build and run here. */
  engine: DockerEngine;
  /** How hooks on `engine` get the repo at /repo_root: a bind mount, or a copy in a volume when the engine cannot see it. */
  repoRoot: RepoRoot;
  /** Engines of regions, by docker_host (undefined key = the local one). */
  engineFor(dockerHost: string | undefined): DockerEngine;
  plugins: PluginFetcher;
  outputs: OutputStore;
  /** Secret values declared by the hooks of this command so far: masked in every line porter emits. */
  secrets: SecretSet;
  emit: EmitEvent;
  /** Where emitted lines go is behind (a slow reader of porter's stdout): a promise that resolves once it caught up. */
  outputReady?: () => Promise<void> | undefined;
  signal: AbortSignal;
  /** The process environment porter was started with: the only source of Compose-style pass-through values. */
  hostEnv: Readonly<Record<string, string | undefined>>;
  /** `git rev-parse --short HEAD` of the service repo. */
  serviceVersion: string;
  /** Unique per porter process; labels every container it starts. */
  runId: string;
  /** This porter process, recorded on every container it starts. */
  owner: ProcessOwner;
  /** Absolute `.porter-tmp/` of the repo. */
  tmpDir: string;
  /**
   * A registry's login from Docker's client config, for pushes and Swarm pulls: looked up once per command, its
   * secrets masked from then on. (Image builds get theirs from the engine, which the session gives them to.)
   */
  registryLogin(registry: string): Promise<FoundAuth | undefined>;
  /** Where each hook run is recorded for `porter debug` (`.porter-tmp/runs/`); absent: not recorded. */
  journal?: RunJournal;
  /** Present while the command holds its environment's lock. */
  envLock?: EnvironmentLock;
  now(): number;
}
