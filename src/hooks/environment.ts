import type { EnvEntry, HookConfig } from '../config/types.js';
import type { ListStatus } from '../events.js';

/** Where a hook runs: set for provision/promote/prune and for `build hook -e`. */
export interface HookScope {
  environment?: string;
  region?: string;
  stackId?: string;
  stackUrl?: string;
  /** The hook shares the host's network, so a stack URL on 127.0.0.1 (a local engine's) answers inside it. */
  hostNetwork?: boolean;
  /** The list's status when the hook starts (what its run_condition was matched against): PORTER_HOOK_STATUS. */
  listStatus?: ListStatus;
  /** `porter watch`: the event run (its key, on every event of its hooks) and its PORTER_EVENT_* variables. */
  event?: { run: string; variables: Record<string, string> };
}

export interface StandardInputs {
  serviceName: string;
  serviceVersion: string;
  list: string;
  scope: HookScope;
  outputPath: string;
  attempt: number;
}

/** The variables porter itself gives every hook (DESIGN "standard variables"); absent ones are left out. */
export function standardVariables(i: StandardInputs): Record<string, string> {
  const vars: Record<string, string | undefined> = {
    PORTER_SERVICE_NAME: i.serviceName,
    PORTER_SERVICE_VERSION: i.serviceVersion,
    PORTER_HOOK_NAME: i.list,
    PORTER_HOOK_ATTEMPT: String(i.attempt),
    PORTER_HOOK_STATUS: i.scope.listStatus,
    PORTER_ENVIRONMENT: i.scope.environment,
    PORTER_REGION: i.scope.region,
    PORTER_STACK_ID: i.scope.stackId,
    PORTER_STACK_URL: i.scope.stackUrl,
    PORTER_OUTPUT: i.outputPath,
    ...i.scope.event?.variables,
  };
  return Object.fromEntries(Object.entries(vars).filter((e): e is [string, string] => e[1] !== undefined));
}

/**
 * A hook's whole environment: the standard variables, then `env_file`, then `environment` with Compose
 * semantics — `KEY:` takes an earlier hook's output, else the host's value, and is left out when neither
 * has it. Nothing else from the host leaks in.
 */
export function hookEnvironment(
  standard: Record<string, string>,
  envFile: Record<string, string>,
  entries: readonly EnvEntry[],
  passThrough: (key: string) => string | undefined,
): Record<string, string> {
  const env: Record<string, string> = { ...standard, ...envFile };
  for (const { key, value } of entries) {
    const resolved = value ?? passThrough(key);
    if (resolved !== undefined) env[key] = resolved;
  }
  return env;
}

/** The values a hook declares secret: they are masked in every line porter prints or writes. */
export function secretValues(hook: HookConfig, env: Record<string, string>): string[] {
  return hook.secrets.map((key) => env[key]).filter((v): v is string => v !== undefined && v !== '');
}

/** `KEY=value` strings in the order the Engine API takes them. */
export function toEnvList(env: Record<string, string>): string[] {
  return Object.entries(env).map(([k, v]) => `${k}=${v}`);
}
