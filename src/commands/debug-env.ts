import type { HookConfig } from '../config/types.js';
import type { RunContext } from '../context.js';
import { hookEnvironment, secretValues, standardVariables } from '../hooks/environment.js';
import type { JournalRun } from '../hooks/journal-entry.js';
import { OUTPUT_FILE_IN_CONTAINER, readEnvFile } from '../hooks/run-container.js';

/** The environment a replay gives the hook, and what it could not give as it was. */
export interface ReplayEnvironment {
  env: Record<string, string>;
  /** Values to mask: the secrets re-read, and whatever the hook declares secret. */
  secrets: string[];
  /** Secret keys with no value any more (not passed). */
  missing: string[];
  /** True when the journal has no environment (the hook never started a container) and it was worked out now. */
  computedNow: boolean;
}

/** The hook's environment as the config, its env_file, the outputs and porter's environment give it now. */
async function environmentNow(hook: HookConfig, run: JournalRun, ctx: RunContext): Promise<Record<string, string>> {
  const envFile = await readEnvFile(hook, ctx.repoDir);
  const scope = { ...(run.environment ? { environment: run.environment } : {}), ...(run.region ? { region: run.region } : {}) };
  const standard = standardVariables({ serviceName: ctx.config.serviceName, serviceVersion: ctx.serviceVersion, list: hook.list, scope, outputPath: OUTPUT_FILE_IN_CONTAINER, attempt: 1 });
  return hookEnvironment(standard, 'values' in envFile ? envFile.values : {}, hook.environment, (key) => ctx.outputs.get(key, run.region) ?? ctx.hostEnv[key]);
}

/**
 * The journal's environment with every secret re-read as the hook would get it now (its env_file, the config's
 * value, an output, porter's environment); a secret with no value now is left out and named in `missing`.
 * Without a recorded environment, the one the config gives now.
 */
export async function replayEnvironment(run: JournalRun, hook: HookConfig | undefined, ctx: RunContext): Promise<ReplayEnvironment> {
  const now = hook ? await environmentNow(hook, run, ctx) : {};
  const declared = (env: Record<string, string>): string[] => (hook ? secretValues(hook, env) : []);
  if (!run.env) return { env: now, secrets: declared(now), missing: [], computedNow: true };
  const env: Record<string, string> = {};
  const secrets: string[] = [];
  const missing: string[] = [];
  for (const [key, value] of Object.entries(run.env)) {
    if (value !== null) {
      env[key] = value;
      continue;
    }
    const reread = now[key] ?? ctx.hostEnv[key];
    if (reread === undefined) missing.push(key);
    else {
      env[key] = reread;
      secrets.push(reread);
    }
  }
  return { env, secrets: [...secrets, ...declared(env)], missing, computedNow: false };
}
