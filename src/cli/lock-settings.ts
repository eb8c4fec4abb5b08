import type { EnvironmentConfig } from '../config/types.js';
import { durationProblem, parseDuration } from '../config/duration.js';
import type { RunContext } from '../context.js';
import { UsageError } from '../errors.js';
import { withEnvironmentLock, type LockSettings } from '../phases/environment-lock.js';
import type { CommandRun } from './program.js';

export const DEFAULT_LOCK_TIMEOUT = '10m';

/** `--lock-timeout` and the command line a waiting porter shows as the holder's; a bad duration is exit 2. */
export function lockSettings(run: CommandRun): LockSettings {
  const text = String(run.opts.lockTimeout ?? DEFAULT_LOCK_TIMEOUT);
  const problem = durationProblem(text);
  if (problem) throw new UsageError(`--lock-timeout ${problem} It is how long to wait for another porter that holds the environment's lock (default ${DEFAULT_LOCK_TIMEOUT}).`);
  return { command: `porter ${run.io.argv.join(' ')}`, timeoutMs: parseDuration(text) ?? 0 };
}

/**
 * A command body that runs holding `environment`'s lock, for `inSession`: every command that changes an environment
 * (provision, promote, rollback, prune, teardown, hot swap) wraps its whole phase, hooks included, in it.
 */
export function locked<T>(run: CommandRun, environment: EnvironmentConfig, body: (ctx: RunContext) => Promise<T>): (ctx: RunContext) => Promise<T> {
  const settings = lockSettings(run);
  return (ctx) => withEnvironmentLock(ctx, environment, settings, body);
}
