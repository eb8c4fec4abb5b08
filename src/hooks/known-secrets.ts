import type { PorterConfig } from '../config/types.js';
import { hookEnvironment, secretValues } from './environment.js';
import type { OutputStore } from './outputs.js';
import { readEnvFile } from './run-container.js';

/**
 * The secret values known before any hook runs: every hook's `secrets` as its environment will resolve them (its
 * env_file, fixed values, earlier commands' outputs, the host), and outputs that held a secret. A hook printing one
 * before the hook that declares it has run is masked too; values only a later hook's output brings come as it runs.
 */
export async function knownSecrets(config: PorterConfig, repoDir: string, outputs: OutputStore, hostEnv: Readonly<Record<string, string | undefined>>): Promise<string[]> {
  // The slack: webhook URLs carry their credential in the path.
  const values = [...outputs.secretValues(), ...Object.values(config.slack ?? {})];
  for (const hook of Object.values(config.hooks).flat()) {
    if (hook.secrets.length === 0) continue;
    const envFile = await readEnvFile(hook, repoDir);
    const env = hookEnvironment({}, 'values' in envFile ? envFile.values : {}, hook.environment, (key) => outputs.get(key, undefined) ?? hostEnv[key]);
    values.push(...secretValues(hook, env));
  }
  return values;
}
