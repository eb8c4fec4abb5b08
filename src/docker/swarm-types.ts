/** The Swarm half of the DockerEngine port's vocabulary: services, tasks and the errors of pushes and managers. */
import type { Hardening, RegistryAuth } from './engine.js';

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
  hardening: Hardening;
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
  /** Its replica number, its container's exit code once it exited, and when its state last changed (RFC 3339). */
  slot?: number; exitCode?: number; updated?: string;
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
