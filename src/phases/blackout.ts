import { loadConfig } from '../config/load.js';
import type { BlackoutWindow, EnvironmentConfig, PorterConfig } from '../config/types.js';
import { ExitCode, PorterError } from '../errors.js';
import { StateFiles } from './state.js';

/** A command named an environment inside one of its blackout windows: exit 1, as the original's `porter build` did. */
export class BlackoutError extends PorterError {
  constructor(message: string) {
    super(message, ExitCode.failed);
    this.name = 'BlackoutError';
  }
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/** An RFC 3339 time in ms since the epoch; undefined when it is not one (a date alone, no zone, a typo). */
export function parseWindowTime(text: string): number | undefined {
  if (!RFC3339.test(text.trim())) return undefined;
  const ms = Date.parse(text.trim().replace(' ', 'T'));
  return Number.isNaN(ms) ? undefined : ms;
}

/** Why a window cannot be trusted (it then counts as active, failing closed as the original did); undefined for a sound one. */
export function windowDefect(w: BlackoutWindow): string | undefined {
  const start = parseWindowTime(w.startTime);
  const end = parseWindowTime(w.endTime);
  if (start === undefined) return `start_time "${w.startTime}" is not an RFC 3339 time (such as 2026-12-24T00:00:00Z)`;
  if (end === undefined) return `end_time "${w.endTime}" is not an RFC 3339 time (such as 2026-12-27T00:00:00Z)`;
  if (start > end) return `start_time ${w.startTime} is after end_time ${w.endTime}`;
  return undefined;
}

/** The first window of `env` that is active at `nowMs`, with why: inside it, or unsound (fail closed). */
export function activeWindow(env: EnvironmentConfig, nowMs: number): { window: BlackoutWindow; why: string } | undefined {
  for (const window of env.blackoutWindows) {
    const defect = windowDefect(window);
    if (defect) return { window, why: `${defect}, so porter treats the window as active` };
    const start = parseWindowTime(window.startTime) ?? 0;
    const end = parseWindowTime(window.endTime) ?? 0;
    if (nowMs > start && nowMs < end) return { window, why: `it is now ${new Date(nowMs).toISOString()}` };
  }
  return undefined;
}

/** For `config validate`: one warning per window that counts as active whatever the time, because it is unsound. */
export function blackoutWarnings(config: PorterConfig): string[] {
  return config.environments.flatMap((env) => env.blackoutWindows.flatMap((w) => {
    const defect = windowDefect(w);
    return defect ? [`${config.file}:${w.line}: a blackout window of ${env.name}: ${defect}. As in the original porter, such a window counts as active all the time, so every command naming ${env.name} exits 1; fix its times.`] : [];
  }));
}

/** Throws BlackoutError when `config`'s environment `envName` is inside one of its windows; nothing when the environment is not in the config. */
export function assertNoBlackout(config: PorterConfig, envName: string, nowMs: number): void {
  const env = config.environments.find((e) => e.name === envName);
  const found = env && activeWindow(env, nowMs);
  if (!found) return;
  const { window, why } = found;
  throw new BlackoutError(
    `Environment ${envName} is in a blackout window (${window.startTime} to ${window.endTime}, ${config.file} line ${window.line}): ${why}. ` +
    'porter does nothing to an environment during its blackout windows; wait until the window ends, or change blackout_windows in the config.',
  );
}

/**
 * The blackout check every command naming an environment runs first (provision, promote, prune, hook -e, rollback,
 * teardown): the windows of the config it loaded and of the other of `.porter/config` and the packed
 * `.porter-tmp/config` both count. A file that is missing or does not load adds no window. `fresh`: both files
 * are read again, for a check late in a command (hooks may have changed them since it loaded its config).
 */
export async function checkBlackout(opts: { repoDir: string; config: PorterConfig; envName: string; env: Record<string, string | undefined>; nowMs: number; fresh?: boolean }): Promise<void> {
  assertNoBlackout(opts.config, opts.envName, opts.nowMs);
  const packed = `.porter-tmp/${StateFiles.config}`;
  for (const file of ['.porter/config', packed]) {
    if (file === opts.config.file && !opts.fresh) continue;
    const other = await loadConfig({ repoDir: opts.repoDir, configPath: file, env: opts.env }).catch(() => undefined);
    if (other) assertNoBlackout(other, opts.envName, opts.nowMs);
  }
}
