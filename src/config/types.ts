/** The reserved hook lists, in pipeline order. Any other list name is user-defined. */
export const PHASES = ['pack', 'provision', 'promote', 'prune', 'rollback', 'teardown'] as const;
export type Phase = (typeof PHASES)[number];
export const RESERVED_HOOK_LISTS: readonly string[] = PHASES.flatMap((p) => [`pre_${p}`, `post_${p}`]);

export type RunCondition = 'pass' | 'fail' | 'always';

/** The only lists where `run_policy: once` means something: those of the phase that makes an environment. */
export const RUN_ONCE_LISTS: readonly string[] = ['pre_provision', 'post_provision'];

/** One `environment` entry, in the order written. `value: null` is Compose's `KEY:` / `- KEY`: passed from an output or the host, if set. */
export interface EnvEntry {
  key: string;
  value: string | null;
}

/** A hook as validated and normalised from `.porter/config`. */
export interface HookConfig {
  /** The list it belongs to, e.g. `post_pack`. */
  list: string;
  /** Position in its list, from 0. */
  index: number;
  /** Shown in logs and reports: the `name` field, else `post_pack[0]`. */
  id: string;
  /** Local hook: path from the repo root. Plugin: path inside the clone (default `Dockerfile`). */
  dockerfile: string;
  repo?: string;
  ref?: string;
  environment: EnvEntry[];
  envFile?: string;
  runCondition: RunCondition;
  /** `once`: only on the environment's first successful provision (pre_/post_provision only). */
  runPolicy: 'always' | 'once';
  concurrent: boolean;
  timeoutMs?: number;
  retries: number;
  retryOn: ('timeout' | 'start')[];
  buildArgs: Record<string, string>;
  secrets: string[];
  repoRoot: 'rw' | 'ro';
  /** Line of the hook in the config file, for messages. */
  line: number;
}

export interface HealthCheck {
  method: string;
  path: string;
  timeoutMs: number;
}

export interface ContainerConfig {
  name: string;
  topology: 'inet' | 'worker';
  inetPort?: number;
  dockerfile: string;
  dockerfileBuild?: string;
  healthCheck: HealthCheck;
  replicas: number;
  line: number;
}

export interface RegionConfig {
  name: string;
  dockerHost?: string;
  orchestrator: 'engine' | 'swarm';
  /** Swarm regions: how the alias resolves (default dnsrr) and how inet tasks publish their port (default host). */
  endpointMode?: 'dnsrr' | 'vip';
  publishMode?: 'host' | 'ingress';
  containers: ContainerConfig[];
  line: number;
}

export interface EnvironmentConfig {
  name: string;
  registry?: string;
  regions: RegionConfig[];
  line: number;
}

/** What can happen to a container of a running stack that an `events:` entry reacts to (`porter watch`). */
export const EVENT_KINDS = ['die', 'oom', 'unhealthy', 'healthy', 'start', 'stop', 'restart'] as const;
export type EventKind = (typeof EVENT_KINDS)[number];

/** `event`: every event its own run; `container`/`stack`: one run at a time per container/stack, later ones queued. */
export type OncePer = 'event' | 'container' | 'stack';

/** One `events:` entry: which events of the environment's stacks run which hook list. */
export interface EventHookConfig {
  /** Position in `events`, from 0. */
  index: number;
  on: EventKind[];
  /** A container name of the config (`porter.container`): only its events; absent: every container's. */
  container?: string;
  /** The hook list to run (a user-defined list under `hooks`). */
  hooks: string;
  oncePer: OncePer;
  line: number;
}

/** A loaded, expanded and validated `.porter/config`. */
export interface PorterConfig {
  /** Path of the file as the user named it (for messages). */
  file: string;
  serviceName: string;
  porterVersion?: string;
  /** Top-level `hook_timeout`: the default for hooks without `timeout`. */
  hookTimeoutMs?: number;
  hooks: Record<string, HookConfig[]>;
  environments: EnvironmentConfig[];
  /** `events:`, for `porter watch`; absent or empty: none. */
  events?: EventHookConfig[];
}
