/** What porter needs from a Docker engine, in porter's words; dockerode's types stay behind it. */
import type { Readable, Writable } from 'node:stream';

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
}

export interface ImageSummary {
  id: ImageId;
  tags: string[];
  labels: Record<string, string>;
}

/** The image a container was to run from is not on the engine (removed since it was found or built). */
export class ImageNotFound extends Error {
  constructor(readonly image: string, options?: { cause?: unknown }) {
    super(`no such image: ${image}`, options);
    this.name = 'ImageNotFound';
  }
}

/** The builder rejected the Dockerfile (a RUN step failed, a bad instruction...): the hook's fault, not porter's. */
export class BuildFailure extends Error {
  /** The builder's own error text, e.g. "The command '/bin/sh -c exit 3' returned a non-zero code: 3". */
  readonly builderMessage: string;
  constructor(builderMessage: string) {
    super(builderMessage);
    this.name = 'BuildFailure';
    this.builderMessage = builderMessage;
  }
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

/** The host port porter chose is taken (by another process or container): pick another and try again. */
export class PortInUse extends Error {
  readonly hostPort: number;
  constructor(hostPort: number, message: string) {
    super(message);
    this.name = 'PortInUse';
    this.hostPort = hostPort;
  }
}

/** The engine would not start a container (bad command, missing image...): the service's fault, in the engine's words. */
export class StartFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StartFailure';
  }
}

/** Registry credentials as the engine takes them (`X-Registry-Auth`). */
export interface RegistryAuth {
  username?: string;
  password?: string;
  identitytoken?: string;
  serveraddress?: string;
}

/** One Swarm service of a stack, as porter asks the manager to create it. */
export interface ServiceRequest {
  /** Unique in the swarm. */
  name: string;
  /** A registry reference every node can pull, by digest (`host/repo@sha256:…`). */
  image: string;
  /** The credentials the nodes pull `image` with (Swarm keeps them with the service); none: anonymously. */
  registryAuth?: RegistryAuth;
  /** On the service and on each of its task containers. */
  labels: Record<string, string>;
  env: string[];
  replicas: number;
  /** The attachable overlay network its tasks join, and the aliases they answer to there. */
  network: string;
  aliases: string[];
  /** dnsrr: the service name resolves to its tasks' addresses; vip: to one virtual IP (needs IPVS in the kernel). */
  endpointMode: 'dnsrr' | 'vip';
  /** host: each task publishes on its own node (a port the engine picks); ingress: the routing mesh (needs vip). */
  publish: { containerPort: number; mode: 'host' | 'ingress' }[];
  /** A shell command each task runs to tell it is healthy; without one, the image's own HEALTHCHECK applies. */
  healthCheck?: { shell: string; intervalMs: number; timeoutMs: number; retries: number; startPeriodMs: number };
}

/** What porter reads of a Swarm service. */
export interface ServiceState {
  id: string;
  name: string;
  labels: Record<string, string>;
  replicas: number;
  /** When the manager created it (RFC 3339): orders stacks. */
  created: string;
  /** Aliases per network name, as its spec asks for them. */
  aliases: Record<string, string[]>;
  /** The container ports it publishes, with their mode; for ingress, the port the routing mesh listens on. */
  ports: { containerPort: number; mode: 'host' | 'ingress'; publishedPort?: number }[];
  /** The rolling update in progress or last done: updating, paused, completed, rollback_… (none before the first update). */
  update?: { state: string; message: string };
}

/** One task (a replica's container on some node) of a Swarm service. */
export interface TaskState {
  id: string;
  /** The node's address in the swarm, and its host name. */
  node: { id: string; address: string; hostname: string };
  /** new, pending, assigned, preparing, starting, running, complete, failed, rejected, shutdown, orphaned… */
  state: string;
  desired: string;
  /** The engine's error for a failed or rejected task; its status message otherwise. */
  error?: string;
  message: string;
  /** Host-mode published ports: container port → port on its node. */
  ports: Record<number, number>;
  /** RFC 3339; newest tasks last is not guaranteed, so callers sort. */
  created: string;
}

/** The registry refused a push (unreachable, no such repository, denied...): in the registry's words. */
export class PushFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PushFailure';
  }
}

/** The manager is not a Swarm manager (or not in a swarm at all). */
export class NotSwarmManager extends Error {
  constructor(readonly state: string, message: string) {
    super(message);
    this.name = 'NotSwarmManager';
  }
}

export interface DockerEngine {
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
   * error thrown (PortInUse when a published host port is taken).
   */
  startContainer(req: StartRequest, signal: AbortSignal): Promise<string>;
  /** The container's state, or undefined when it no longer exists. */
  inspectContainer(id: string): Promise<ContainerState | undefined>;
  /** Containers in any state carrying every one of these labels (an empty value: carries the label). */
  listContainers(labels: Record<string, string>): Promise<ContainerState[]>;
  /** The last `lines` lines of its stdout and stderr, interleaved as the engine keeps them. */
  containerLogs(id: string, lines: number): Promise<string[]>;
  /** Stops (2 s grace) and removes one container with its anonymous volumes; gone already is fine. */
  removeContainer(id: string): Promise<void>;
  /** Creates a bridge network (its subnet fixed, so addresses can be asked for) unless one of that name exists; true when this call created it. */
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
}
