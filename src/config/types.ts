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
  /** `replicas`, else the region's or environment's `instance_count` (the original's name), else 1. */
  replicas: number;
  /** The user deployed containers run as (`uid`; the original's non-root default 65534; 0 opts into root). */
  uid: number;
  /** A read-only root filesystem (`read_only`, default true), with a tmpfs at /tmp. */
  readOnly: boolean;
  /** Most processes the container may hold (`pids_limit`, default 4096). */
  pidsLimit: number;
  /** Capabilities kept when all others are dropped (`cap_add`, default none), as written (e.g. NET_BIND_SERVICE). */
  capAdd: string[];
  /** `src_env_file` with `exec_name`: a program run on porter's host at provision whose stdout is the container's environment. */
  srcEnvFile?: SrcEnvFile;
  /** `validate_build_args_exist`: pack fails naming each ARG of the Dockerfile that has no value. */
  validateBuildArgsExist: boolean;
  line: number;
}

/** The exec form of the original's `src_env_file` (its `s3_*` keys are ignored on Docker). */
export interface SrcEnvFile {
  execName: string;
  execArgs: string[];
  line: number;
}

/** One `blackout_windows` entry as written: the times are parsed when a command checks them (an unparseable one counts as active). */
export interface BlackoutWindow {
  startTime: string;
  endTime: string;
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
  /** `hot_swap: true`: provision replaces the promoted stack's containers in place (default false). */
  hotSwap: boolean;
  /** `blackout_windows`: times when no command may touch this environment. */
  blackoutWindows: BlackoutWindow[];
  line: number;
}

/** The six `slack:` webhook URLs (secrets: never shown in output). */
export const SLACK_WEBHOOKS = [
  'pack_success_webhook_url', 'pack_failure_webhook_url',
  'provision_success_webhook_url', 'provision_failure_webhook_url',
  'promote_success_webhook_url', 'promote_failure_webhook_url',
] as const;
export type SlackWebhook = (typeof SLACK_WEBHOOKS)[number];
export type SlackConfig = Partial<Record<SlackWebhook, string>>;

/** A key of the original porter that means nothing on Docker: loaded, never expanded or checked, named in one warning. */
export interface IgnoredKey {
  /** The key as written, e.g. `role_arn`. */
  key: string;
  /** Its key path, e.g. `environments[0].role_arn`. */
  path: string;
  line: number;
  /** Why Docker has no use for it, e.g. "the IAM role porter assumed on AWS". */
  why: string;
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
  /** `service_name` as written (the original allowed upper case): shown in output and labels. */
  serviceName: string;
  /** `service_name` lower-cased: the form used in Docker object names (images, containers, networks). */
  dockerName: string;
  porterVersion?: string;
  /** Top-level `hook_timeout`: the default for hooks without `timeout`. */
  hookTimeoutMs?: number;
  /** Top-level `repo_transfer`: how hooks get the repo when the engine cannot see it (absent: auto). */
  repoTransfer?: 'auto' | 'mount' | 'copy';
  hooks: Record<string, HookConfig[]>;
  environments: EnvironmentConfig[];
  /** `events:`, for `porter watch`; absent or empty: none. */
  events?: EventHookConfig[];
  /** `slack:` webhooks; absent: none. */
  slack?: SlackConfig;
  /** The original porter's AWS-only keys found in the file, in file order. */
  ignoredKeys: IgnoredKey[];
}
