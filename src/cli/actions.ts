import { join } from 'node:path';
import { buildHook, checkUserList, scopesFor } from '../commands/build-hook.js';
import { cleanService } from '../commands/clean.js';
import { findRepoDir, loadService, openSession } from '../commands/session.js';
import { watchedEntries, watchEnvironment } from '../commands/watch.js';
import { MAX_DURATION_MS, parseDuration } from '../config/duration.js';
import { findEnvironment } from '../config/find-environment.js';
import { ExitCode, UsageError } from '../errors.js';
import { blackoutWarnings, checkBlackout } from '../phases/blackout.js';
import { unrunListsNote } from '../config/ignored-keys.js';
import { journalHeader } from './journal-header.js';
import type { CommandRun } from './program.js';
import { describePlan } from './render-plan.js';
import { VERSION } from './version.js';

export { packAction, promoteAction, provisionAction, pruneAction, rollbackAction, statusAction, teardownAction } from './phase-actions.js';

const where = (run: CommandRun) => ({
  cwd: run.io.cwd, env: run.io.env, emit: run.emit, ...(run.io.outputReady ? { outputReady: run.io.outputReady } : {}), owner: run.io.owner,
  ...(run.opts.C ? { dir: run.opts.C } : {}),
  ...(run.opts.config ? { configPath: run.opts.config } : {}),
  ...(run.opts.repoTransfer ? { repoTransfer: run.opts.repoTransfer } : {}),
});

/** `porter build hook -name X [-e ENV]`. */
export async function hookAction(run: CommandRun): Promise<number> {
  const name = String(run.opts.name);
  const envName = run.opts.environment as string | undefined;
  const service = await loadService(where(run));
  checkUserList(service.config, name);
  // An unknown -e is a usage error before porter touches Docker.
  const scopes = scopesFor(service.config, envName);
  if (envName !== undefined) await checkBlackout({ repoDir: service.repoDir, config: service.config, envName, env: run.io.env, nowMs: Date.now() });
  if (run.opts.dryRun) {
    run.emit({ type: 'plan', plan: describePlan(service.config, [{ list: name, scopes }]) });
    return ExitCode.ok;
  }
  const ctx = await openSession({ ...where(run), emit: run.emit, signal: run.io.signal, journal: journalHeader(run) }, service);
  try {
    return (await buildHook(ctx, name, envName)) === 'passed' ? ExitCode.ok : ExitCode.failed;
  } finally {
    await ctx.close();
  }
}

/** `porter build clean`. */
export async function cleanAction(run: CommandRun): Promise<number> {
  const service = await loadService(where(run));
  if (run.opts.dryRun) {
    const text = `Dry run: porter build clean would remove the hook containers and hook images labelled porter.service=${service.config.serviceName}, ${service.repoDir}/.porter-tmp/ and the cached clones of its plugin repos. Nothing was removed.`;
    run.emit({ type: 'message', level: 'info', text });
    return ExitCode.ok;
  }
  const ctx = await openSession({ ...where(run), emit: run.emit, signal: run.io.signal }, service);
  await cleanService(ctx);
  return ExitCode.ok;
}

/** `porter config validate`: loading is validating; a ConfigError carries every problem. */
export async function validateAction(run: CommandRun): Promise<number> {
  const { config } = await loadService({ ...where(run), ...(run.opts.strict ? { strict: true } : {}) });
  const notes = [unrunListsNote(config), ...blackoutWarnings(config)];
  for (const text of notes) if (text) run.emit({ type: 'message', level: 'warn', text });
  const lists = Object.keys(config.hooks).length;
  const text = `${config.file}: valid (service ${config.serviceName}, ${lists} hook list${lists === 1 ? '' : 's'}, ${config.environments.length} environment${config.environments.length === 1 ? '' : 's'})`;
  run.emit({ type: 'message', level: 'info', text });
  return ExitCode.ok;
}

/** `porter init`: asks on a terminal (never with --log-format json), assumes the defaults elsewhere. */
export async function initAction(run: CommandRun): Promise<number> {
  const [{ initService }, { SCHEMA_URL }, { fileURLToPath }] = await Promise.all([import('../commands/init.js'), import('../config/schema.js'), import('node:url')]);
  const repoDir = await findRepoDir(where(run));
  const ask = run.opts.logFormat === 'text' ? run.io.ask : undefined;
  const result = await initService({
    repoDir, schemaFile: fileURLToPath(SCHEMA_URL), ...(ask ? { ask } : {}), ...(run.opts.config ? { configPath: run.opts.config } : {}),
  });
  const added = result.updated.length > 0 ? `; added .porter-tmp/ to ${result.updated.join(' and ')}` : '';
  const env = result.answers.environment;
  run.emit({ type: 'message', level: 'info', text: `Wrote ${result.created.join(' and ')}${added}.` });
  run.emit({ type: 'message', level: 'info', text: `Next: porter build hook -name smoke (or -e ${env}), porter config validate; then give your phases their hook lists (pre_pack, post_provision, …).` });
  return ExitCode.ok;
}

/** `porter completion bash|zsh|fish` prints the script; `--values hook-lists|environments` what it completes from the config. */
export async function completionAction(run: CommandRun): Promise<number> {
  const values = run.opts.values as 'hook-lists' | 'environments' | undefined;
  if (values) {
    const { completionValues } = await import('../commands/completion-values.js');
    const repoDir = await findRepoDir(where(run)).catch(() => undefined);
    const names = repoDir ? await completionValues(repoDir, run.opts.config, values) : [];
    if (names.length > 0) run.io.stdout(`${names.join('\n')}\n`);
    return ExitCode.ok;
  }
  const shell = run.args[0];
  if (!shell) throw new UsageError('porter completion: name the shell, bash, zsh or fish: `porter completion bash`.');
  const [{ completionSpecs }, scripts, { GO_STYLE }] = await Promise.all([import('./completion-spec.js'), import('./completion-scripts.js'), import('./argv.js')]);
  const specs = completionSpecs(run.program, GO_STYLE);
  const render = { bash: scripts.bashCompletion, zsh: scripts.zshCompletion, fish: scripts.fishCompletion }[shell as 'bash' | 'zsh' | 'fish'];
  run.io.stdout(render(specs));
  return ExitCode.ok;
}

/** `porter watch -e ENV [--max-events N] [--until-idle S]`: flags and config are checked before porter touches Docker. */
export async function watchAction(run: CommandRun): Promise<number> {
  const environment = String(run.opts.environment);
  const maxText = run.opts.maxEvents as string | undefined;
  if (maxText !== undefined && !/^[1-9]\d{0,8}$/.test(maxText)) throw new UsageError(`--max-events ${maxText}: give how many events to handle before ending, a whole number from 1, such as --max-events 5.`);
  const idleText = run.opts.untilIdle as string | undefined;
  const idleMs = idleText === undefined ? undefined : /^\d+(\.\d+)?$/.test(idleText) ? Math.round(Number(idleText) * 1000) : parseDuration(idleText);
  if (idleText !== undefined && (idleMs === undefined || idleMs <= 0 || idleMs > MAX_DURATION_MS)) {
    throw new UsageError(`--until-idle ${idleText}: give how long to wait without an event before ending, in seconds (30) or as a duration (90s, 5m), above 0 and at most 24h.`);
  }
  const service = await loadService(where(run));
  watchedEntries(service.config, environment);
  const ctx = await openSession({ ...where(run), emit: run.emit, signal: run.io.signal }, service);
  try {
    const status = await watchEnvironment(ctx, { environment, ...(maxText ? { maxEvents: Number(maxText) } : {}), ...(idleMs !== undefined ? { untilIdleMs: idleMs } : {}) });
    return status === 'passed' ? ExitCode.ok : ExitCode.failed;
  } finally {
    await ctx.close();
  }
}

/** `porter debug LIST/NAME [-e ENV] [--region R] [--shell[=sh]] [--keep]`: resolves to the hook's (or shell's) exit code. */
export async function debugAction(run: CommandRun): Promise<number> {
  const [{ debugHook }, { findRun, parseTarget }, { journalDir, readJournals }] = await Promise.all([
    import('../commands/debug.js'), import('../commands/debug-target.js'), import('../hooks/journal.js'),
  ]);
  // `porter debug --shell smoke/fail`: commander took the target for the shell's name.
  let shell = run.opts.shell as string | boolean | undefined;
  let text = run.args[0];
  if (text === undefined && typeof shell === 'string' && /[/[]/.test(shell)) [text, shell] = [shell, true];
  if (text === undefined) throw new UsageError('debug: name the hook to run again as LIST/NAME, for example `porter debug smoke/greet`.');
  const target = parseTarget(text);
  const shellName = shell === true ? 'sh' : typeof shell === 'string' ? shell : undefined;
  if (shellName && !run.io.terminal) {
    throw new UsageError(`debug ${text} --shell: an interactive shell needs a terminal, and porter's stdin or stdout is not one (a pipe, a CI job). Run it from a terminal, or without --shell to replay the hook's own command.`);
  }
  const service = await loadService(where(run));
  // An unknown -e is a usage error naming the known ones, as for every command.
  const environment = run.opts.environment ? findEnvironment(service.config, String(run.opts.environment)).name : undefined;
  const filter = { ...(environment ? { environment } : {}), ...(run.opts.region ? { region: String(run.opts.region) } : {}) };
  const journals = await readJournals(journalDir(join(service.repoDir, '.porter-tmp')));
  const found = findRun(target, filter, journals, service.config, VERSION);
  const ctx = await openSession({ ...where(run), emit: run.emit, signal: run.io.signal }, service);
  try {
    return await debugHook(ctx, { found, keep: Boolean(run.opts.keep), ...(shellName ? { shell: shellName } : {}), ...(run.io.terminal ? { terminal: run.io.terminal } : {}) });
  } finally {
    await ctx.close();
  }
}
