import type { HookConfig } from '../config/types.js';
import type { HookResult } from '../events.js';
import { redactUrl } from '../git/redact.js';
import type { HookScope } from './environment.js';
import type { RepoRootMount } from '../docker/repo-transfer.js';

/** How `/repo_root` reached the hook: a bind mount of the checkout, or (an engine that cannot see it) a volume holding a copy. */
export type { RepoRootMount } from '../docker/repo-transfer.js';

/** The image a hook ran from, and what it was built from (a replay rebuilds that when the image is gone). */
export interface JournalImage {
  /** The image's id on the engine (`sha256:…`); absent when it was never built (a build or clone failure). */
  id?: string;
  /** porter's content hash of the Dockerfile, its context and the build args. */
  hash?: string;
  /** Local hook: the Dockerfile's path from the repo root; plugin: its path inside the clone. */
  dockerfile: string;
  /** A plugin's repo (credentials hidden) and ref. */
  repo?: string;
  ref?: string;
}

/** One hook run as the journal keeps it: enough to run it again exactly, and never a secret value. */
export interface JournalRun {
  list: string;
  hook: string;
  /** Its position in its list when it ran. */
  index: number;
  environment?: string;
  region?: string;
  /** ISO time it started. */
  startedAt: string;
  durationMs: number;
  status: HookResult['status'];
  stage?: HookResult['stage'];
  exitCode?: number;
  attempts: number;
  /** Why it failed, masked, when the exit code alone does not say. */
  message?: string;
  image: JournalImage;
  /**
   * Every variable its container got (its last attempt), in order; a secret's value is `null`: never written, re-read
   * when it is replayed. Absent when no container was started (the image could not be built).
   */
  env?: Record<string, string | null>;
  /** The `KEY:` entries it got from earlier hooks' outputs, as they were then (`null`: the value held a secret). */
  outputs: Record<string, string | null>;
  repoRoot: RepoRootMount;
  /** `host` when it shared the host's network (a stack URL on 127.0.0.1). */
  network?: 'host';
  timeoutMs?: number;
}

/** What runHook knows about a run when it ends. */
export interface FinishedRun {
  hook: HookConfig;
  scope: HookScope;
  result: HookResult;
  startedAt: number;
  image?: { id: string; hash: string };
  /** The last attempt's environment and the outputs it took, when a container was started. */
  env?: Record<string, string>;
  received: Record<string, string>;
  repoRoot: RepoRootMount;
  timeoutMs?: number;
}

/**
 * The journal's record of a finished run. A value is secret when the hook declares its key in `secrets` or when
 * masking changes it (it holds a secret another hook declared, an output that held one, a registry login).
 */
export function journalRun(run: FinishedRun, mask: (text: string) => string): JournalRun {
  const { hook, scope, result } = run;
  const secret = (key: string, value: string): boolean => hook.secrets.includes(key) || mask(value) !== value;
  const withheld = (values: Record<string, string>): Record<string, string | null> =>
    Object.fromEntries(Object.entries(values).map(([k, v]) => [k, secret(k, v) ? null : v]));
  return {
    list: hook.list, hook: hook.id, index: hook.index,
    ...(scope.environment ? { environment: scope.environment } : {}),
    ...(scope.region ? { region: scope.region } : {}),
    startedAt: new Date(run.startedAt).toISOString(), durationMs: result.durationMs,
    status: result.status,
    ...(result.stage ? { stage: result.stage } : {}),
    ...(result.exitCode !== undefined ? { exitCode: result.exitCode } : {}),
    attempts: result.attempts,
    ...(result.message ? { message: mask(result.message) } : {}),
    image: {
      ...(run.image ? { id: run.image.id, hash: run.image.hash } : {}),
      dockerfile: hook.dockerfile,
      ...(hook.repo ? { repo: redactUrl(hook.repo), ref: hook.ref ?? '' } : {}),
    },
    ...(run.env ? { env: withheld(run.env) } : {}),
    outputs: withheld(run.received),
    repoRoot: run.repoRoot,
    ...(scope.hostNetwork ? { network: 'host' as const } : {}),
    ...(run.timeoutMs !== undefined ? { timeoutMs: run.timeoutMs } : {}),
  };
}
