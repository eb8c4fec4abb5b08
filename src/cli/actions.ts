import { buildHook, checkUserList, scopesFor } from '../commands/build-hook.js';
import { cleanService } from '../commands/clean.js';
import { loadService, openSession } from '../commands/session.js';
import { ExitCode } from '../errors.js';
import type { CommandRun } from './program.js';
import { renderPlan } from './render-plan.js';

const where = (run: CommandRun) => ({
  cwd: run.io.cwd, env: run.io.env,
  ...(run.opts.C ? { dir: run.opts.C } : {}),
  ...(run.opts.config ? { configPath: run.opts.config } : {}),
});

/** `porter build hook -name X [-e ENV]`. */
export async function hookAction(run: CommandRun): Promise<number> {
  const name = String(run.opts.name);
  const envName = run.opts.environment as string | undefined;
  const service = await loadService(where(run));
  checkUserList(service.config, name);
  if (run.opts.dryRun) {
    run.io.stdout(renderPlan(service.config, [{ list: name, scopes: scopesFor(service.config, envName) }]));
    return ExitCode.ok;
  }
  const ctx = await openSession({ ...where(run), emit: run.emit, signal: run.io.signal }, service);
  try {
    return (await buildHook(ctx, name, envName)) === 'passed' ? ExitCode.ok : ExitCode.failed;
  } finally {
    await ctx.close();
  }
}

/** `porter build clean`. */
export async function cleanAction(run: CommandRun): Promise<number> {
  const service = await loadService(where(run));
  const ctx = await openSession({ ...where(run), emit: run.emit, signal: run.io.signal }, service);
  await cleanService(ctx);
  return ExitCode.ok;
}

/** `porter config validate`: loading is validating; a ConfigError carries every problem. */
export async function validateAction(run: CommandRun): Promise<number> {
  const { config } = await loadService(where(run));
  const lists = Object.keys(config.hooks).length;
  run.io.stdout(`${config.file}: valid (service ${config.serviceName}, ${lists} hook list${lists === 1 ? '' : 's'}, ${config.environments.length} environment${config.environments.length === 1 ? '' : 's'})\n`);
  return ExitCode.ok;
}
