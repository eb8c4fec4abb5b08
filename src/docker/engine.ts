/** What porter needs from a Docker engine, in porter's words; dockerode's types stay behind it. */
import type { Readable, Writable } from 'node:stream';
import type { EventFilter, EventHandlers } from './engine-events.js';
import type { ServiceRequest, ServiceState, TaskState } from './swarm-types.js';
import type { ShellRequest, TerminalStreams } from './terminal-types.js';
import type { EngineRecord, LockState } from './engine-records.js';
import type { VolumeMount, VolumeOperations } from './engine-volumes.js';

export type { VolumeFilesRequest, VolumeMount } from './engine-volumes.js';
export { BuildFailure, ImageNotFound, PortInUse, StartFailure } from './engine-failures.js';

export { NotSwarmManager, PushFailure, type ServiceRequest, type ServiceState, type TaskState } from './swarm-types.js';
export type { ShellRequest, TerminalStreams } from './terminal-types.js';
export type { EngineRecord, LockState } from './engine-records.js';

export type ImageId = string;
/** `partial`: a piece of an over-long line, more of which follows (lines are delivered in pieces of at most 64 Ki). */
export type LineSink = (line: string, stream: 'stdout' | 'stderr', partial?: boolean) => void;

export interface BuildRequest {
  /** Absolute directory sent as the build context (honouring its `.dockerignore`). */
  contextDir: string;
  /** Dockerfile path relative to `contextDir`. */
  dockerfile: string;
  /** One tag, e.g. `porter-hook-hello:3fa2c1d9e0b4`. */
  tag: string;
  labels: Record<string, string>;
  buildArgs: Record<string, string>;
}

export interface RunRequest {
  image: string;
  /** `KEY=value` strings, exactly what the container sees. */
  env: string[];
  /** `host:container[:ro]` bind mounts. */
  binds: string[];
  labels: Record<string, string>;
  name?: string;
  workingDir?: string;
  cmd?: string[];
  /** `host` shares the host's network namespace (a stack URL on 127.0.0.1 then answers inside it); default: the engine's bridge. */
  network?: string;
  /**
   * After a normal exit, remove the container in the background so the caller can go on at once; `settle()` waits
   * for every such removal (a session awaits it before porter exits). Interrupted or failed runs are removed before
   * runToExit returns, as always.
   */
  removeInBackground?: boolean;
  /** Asked as output arrives: a promise pauses reading it until it resolves (porter's own stdout is behind). */
  outputReady?: () => Promise<void> | undefined;
  /** Leave the container (stopped) after a normal exit, for `docker cp` (`porter debug --keep`); an interrupted run is removed as always. */
  keep?: boolean;
  /** Named volumes mounted (never copied up from the image): the repo's copy on an engine that cannot see the checkout. */
  volumes?: VolumeMount[];
  /** Files put into the container before it starts: a tar extracted at `path` (what a bind mount gives on a local engine). */
  putFiles?: { path: string; tar: () => Promise<Readable> };
  /**
   * Read out of the container after a normal exit, before it is removed: `path` as a tar, handed to `sink` — unless
   * the engine's stat says it is an empty regular file, or missing (nothing to read). `stat` is told what the engine
   * found at `path` and at each of `statPaths` (undefined where nothing is).
   */
  takeFiles?: { path: string; sink: (tar: Readable) => Promise<void>; statPaths?: string[]; stat?: (found: (PathStat | undefined)[]) => void };
}

/** What the engine's archive API says of a path in a container (its HEAD request): no content is read. */
export interface PathStat {
  size: number;
  /** The permission bits (0o777). */
  perm: number;
  kind: 'file' | 'directory' | 'symlink' | 'other';
  /** As the engine writes it (RFC 3339, nanoseconds). */
  mtime: string;
}

export interface ImageSummary {
  id: ImageId;
  tags: string[];
  labels: Record<string, string>;
  /** The TCP ports the image EXPOSEs (only where the engine says; listings may leave it out). */
  exposedPorts?: number[];
}

/**
 * The original porter's CIS defaults for a deployed container: run as `user` (a uid), a read-only root filesystem
 * (with a tmpfs at /tmp), at most `pidsLimit` processes, no new privileges, and no capability but `capAdd`.
 */
export interface Hardening {
  user: string;
  readOnly: boolean;
  pidsLimit: number;
  capAdd: string[];
}

/** A long-running container of a stack: started detached, on one network, with published ports. */
export interface StartRequest {
  image: string;
  /** Unique on the engine. */
  name: string;
  labels: Record<string, string>;
  env: string[];
  /** The network it joins at start (its only one). */
  network: string;
  /** Names other containers on `network` reach it by, besides its own name. */
  aliases: string[];
  /** `containerPort` published on `hostIp:hostPort`, chosen by porter so a reconnect keeps it. */
  publish: { containerPort: number; hostIp: string; hostPort: number }[];
  hardening: Hardening;
}

/** What porter reads of a container: its labels, whether it runs, its health and its network aliases. */
export interface ContainerState {
  id: string;
  name: string;
  image: string;
  labels: Record<string, string>;
  running: boolean;
  /** The engine's word: created, running, exited, dead... */
  status: string;
  exitCode: number;
  /** Present when the image (or container) declares a HEALTHCHECK. */
  health?: 'starting' | 'healthy' | 'unhealthy';
  /** When the engine created it (RFC 3339, nanoseconds): orders stacks. */
  created: string;
  /** Aliases per network it is connected to (the engine adds the short id; porter ignores it). */
  networks: Record<string, string[]>;
  /** Its IPv4 address per network it is connected to. */
  addresses: Record<string, string>;
  /** Host ports by container port, as published. */
  ports: Record<number, { hostIp: string; hostPort: number }>;
}

/** A file of an image, as `readImageFile` finds it. */
export interface ImageFile {
  /** Permission bits, e.g. 0o755. */
  mode: number;
  /** The tar entry's type: `file`, `symlink`, `directory`... */
  type: string;
  /** Its first bytes. */
  head: Buffer;
}

/** Registry credentials as the engine takes them (`X-Registry-Auth`). */
export interface RegistryAuth {
  username?: string;
  password?: string;
  identitytoken?: string;
  serveraddress?: string;
}

export interface DockerEngine extends VolumeOperations {
  /** The endpoint being used, as the user would name it (DOCKER_HOST value or socket path). */
  readonly host: string;
  /** Resolves when the engine answers; otherwise throws EngineError naming `host`. */
  ping(signal?: AbortSignal): Promise<void>;
  /** Images carrying every one of these labels. */
  findImages(labels: Record<string, string>): Promise<ImageSummary[]>;
  /**
   * Builds and tags an image, streaming the builder's output line by line.
   * Throws BuildFailure when the builder reports an error, EngineError when the engine is gone,
   * and an AbortError when `signal` fires (the build request is cancelled).
   */
  buildImage(req: BuildRequest, onLine: LineSink, signal: AbortSignal): Promise<ImageId>;
  /**
   * create → attach → start → wait, output demultiplexed and split into lines (a last line without
   * a newline is still delivered). The container is removed afterwards whatever happened. When
   * `signal` fires the container is stopped (2 s grace, then killed), removed, and an AbortError thrown.
   * Throws ImageNotFound when `image` is not on the engine.
   */
  runToExit(req: RunRequest, onLine: LineSink, signal: AbortSignal): Promise<{ exitCode: number }>;
  /**
   * A file of `image` (its mode and first `maxBytes`), read through a container that is created, never started,
   * labelled `labels` and removed; undefined when the image has no such path.
   */
  readImageFile(req: { image: string; path: string; maxBytes: number; labels: Record<string, string> }, signal: AbortSignal): Promise<ImageFile | undefined>;
  /**
   * Creates and starts `req.shell` as a waiting container, then runs `req.shell` in it interactively on `terminal`
   * (a TTY: keys in, screen out, its size passed through and kept up to date); resolves with the shell's exit code.
   * The container is removed afterwards unless `req.keep` (an interrupt removes it anyway). StartFailure when the
   * image cannot run `req.shell`.
   */
  runShell(req: ShellRequest, terminal: TerminalStreams, signal: AbortSignal): Promise<{ exitCode: number }>;
  /** Resolves once every container runToExit left to remove in the background (`removeInBackground`) is gone. */
  settle(): Promise<void>;
  /** Force-removes every container carrying all these labels; returns how many. */
  removeContainers(labels: Record<string, string>): Promise<number>;
  /** Removes every image carrying all these labels (when no container uses it); returns how many. */
  removeImages(labels: Record<string, string>): Promise<number>;
  /** The image a tag or id names, or undefined when the engine does not have it. */
  inspectImage(ref: string): Promise<ImageSummary | undefined>;
  /** The images named by `refs` as one `docker save` tar stream (read it to the end, or destroy it). */
  saveImages(refs: string[], signal: AbortSignal): Promise<Readable>;
  /** Loads a `docker save` tar into the engine; throws EngineError with the engine's words when it refuses it. */
  loadImages(tar: Readable, signal: AbortSignal): Promise<void>;
  /**
   * Like runToExit, but stdout goes byte for byte to `stdout` (a builder's tar stream); stderr is split into
   * lines. The container is removed afterwards whatever happened.
   */
  runToStream(req: RunRequest, stdout: Writable, onStderr: (line: string) => void, signal: AbortSignal): Promise<{ exitCode: number }>;
  /**
   * Creates and starts a detached container; returns its id. When it cannot start, it is removed and the
   * error thrown (PortInUse when a published host port is taken). Pinned to an address of its own (ipv4.ts).
   */
  startContainer(req: StartRequest, signal: AbortSignal): Promise<string>;
  /** The container's state, or undefined when it no longer exists. */
  inspectContainer(id: string): Promise<ContainerState | undefined>;
  /** Containers in any state carrying every one of these labels (an empty value: carries the label). */
  listContainers(labels: Record<string, string>): Promise<ContainerState[]>;
  /** The last `lines` lines of its stdout and stderr, interleaved as the engine keeps them. */
  containerLogs(id: string, lines: number): Promise<string[]>;
  /** Stops a container (10 s grace), keeping it with its name, ports and pinned address; stopped already is fine. */
  stopContainer(id: string): Promise<void>;
  /** Gives a container another name (a hot swap sets the old one aside under a name of its own). */
  renameContainer(id: string, name: string): Promise<void>;
  /** Starts a stopped container again, as it was created; running already is fine. */
  restartStopped(id: string): Promise<void>;
  /** Stops (2 s grace) and removes one container with its anonymous volumes; gone already is fine. */
  removeContainer(id: string): Promise<void>;
  /** Creates a bridge network (its subnet fixed, the lower half for pinned addresses) unless one of that name exists; true when this call created it. */
  ensureNetwork(name: string, labels: Record<string, string>): Promise<boolean>;
  /** Removes a network; false when it still has containers or is gone already. */
  removeNetwork(name: string): Promise<boolean>;
  /**
   * Connects a container to a network under `aliases` (it must not be connected to it already), at `ipv4` when
   * given and free (porter's networks have a fixed subnet, so a reconnected container keeps its address).
   */
  connectNetwork(network: string, containerId: string, aliases: string[], ipv4?: string): Promise<void>;
  /** Disconnects a container from a network; not connected is fine. */
  disconnectNetwork(network: string, containerId: string): Promise<void>;
  /** Adds the tag `repo:tag` to an image the engine has. */
  tagImage(image: string, repo: string, tag: string): Promise<void>;
  /**
   * Pushes `repo:tag` to its registry with `auth` (none: anonymously) and returns the pushed manifest's digest
   * (`sha256:…`); PushFailure with the registry's words when refused.
   */
  pushImage(repo: string, tag: string, auth: RegistryAuth | undefined, onLine: (line: string) => void, signal: AbortSignal): Promise<string>;
  /** Throws NotSwarmManager unless this engine is a manager of an active swarm. */
  requireSwarmManager(): Promise<void>;
  /** Creates an attachable overlay network unless one of that name exists; true when this call created it. */
  ensureOverlayNetwork(name: string, labels: Record<string, string>): Promise<boolean>;
  /** Creates a Swarm service (start-first rolling updates, restart on failure); returns its id. */
  createService(req: ServiceRequest, signal: AbortSignal): Promise<string>;
  /**
   * Replaces a service's spec with `req` (its name and network kept): a rolling update, one task at a time, each new
   * task healthy before its old one stops. `req.registryAuth`, when given, replaces the service's registry login.
   */
  updateService(serviceId: string, req: ServiceRequest): Promise<void>;
  /** Rolls a service back to its spec before the last update (a rolling update too). */
  rollbackService(serviceId: string): Promise<void>;
  /** Services carrying every one of these labels (an empty value: carries the label). */
  listServices(labels: Record<string, string>): Promise<ServiceState[]>;
  /** The tasks of a service, every state, with their nodes. */
  serviceTasks(serviceId: string): Promise<TaskState[]>;
  /**
   * Sets the aliases a service's tasks answer to on `network` (a rolling update: new tasks start before old ones
   * stop). With `auth`, the service's registry login is replaced by it; without, Swarm keeps the one it has.
   */
  setServiceAliases(serviceId: string, network: string, aliases: string[], auth?: RegistryAuth): Promise<void>;
  /** Removes a service (its tasks stop in the background); gone already is fine. */
  removeService(serviceId: string): Promise<void>;
  /** Keeps a record carrying `labels` in the engine; writing the same labels again is a no-op. */
  writeRecord(labels: Record<string, string>): Promise<void>;
  /** Records carrying every one of these labels (an empty value: carries the label). */
  listRecords(labels: Record<string, string>): Promise<EngineRecord[]>;
  /** Removes every record carrying all these labels; returns how many. */
  removeRecords(labels: Record<string, string>): Promise<number>;
  /** Takes the lock `name` atomically: its container id, or undefined when another holds it. `note` is written in it at once. */
  createLock(name: string, labels: Record<string, string>, note: string): Promise<string | undefined>;
  /** The lock `name` as held now, or undefined when nobody holds it. */
  readLock(name: string): Promise<LockState | undefined>;
  /** Replaces the note of the lock container `id`; false when that container is gone (the lock was taken over). */
  writeLock(id: string, note: string): Promise<boolean>;
  /** Removes the lock container `id` (never another holder's); gone already is fine. */
  removeLock(id: string): Promise<void>;
  /** Container events matching `filter` (held ones since `sinceNano` first) until `signal` fires; EngineError when the stream breaks. */
  followEvents(filter: EventFilter, handlers: EventHandlers, signal: AbortSignal): Promise<void>;
}
