import { stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { findEnvironment } from '../config/find-environment.js';
import type { Phase, PorterConfig } from '../config/types.js';
import type { RunContext } from '../context.js';
import { loadService, openSession } from '../commands/session.js';
import { ExitCode, UsageError } from '../errors.js';
import type { ListStatus } from '../events.js';
import { serviceVersion } from '../git/service-version.js';
import { buildPack } from '../phases/pack.js';
import { phasePlan, type PhasePlanInputs } from '../phases/plan-phase.js';
import { buildPromote } from '../phases/promote.js';
import { buildProvision } from '../phases/provision.js';
import { buildPrune } from '../phases/prune.js';
import { chooseEnvironment } from '../phases/regions.js';
import { readManifest, readProvisionState, StateFiles } from '../phases/state.js';
import { journalHeader } from './journal-header.js';
import { locked } from './lock-settings.js';
import type { CommandRun } from './program.js';
import { describePlan } from './render-plan.js';

type Service = { repoDir: string; config: PorterConfig };

const where = (run: CommandRun) => ({
  cwd: run.io.cwd, env: run.io.env, ...(run.io.outputReady ? { outputReady: run.io.outputReady } : {}),
  ...(run.opts.C ? { dir: run.opts.C } : {}),
  ...(run.opts.config ? { configPath: run.opts.config } : {}),
});

/** After pack, the phases read the config as it stood after pre_pack hooks (`.porter-tmp/config`), when there is one. */
async function loadPackedService(run: CommandRun): Promise<Service> {
  const repoDir = resolve(run.io.cwd, run.opts.C ?? '.');
  const packed = join('.porter-tmp', StateFiles.config);
  const exists = await stat(join(repoDir, packed)).then((s) => s.isFile(), () => false);
  return loadService({ ...where(run), ...(exists ? { configPath: packed } : {}) });
}

async function inSession(run: CommandRun, service: Service, phase: (ctx: RunContext) => Promise<ListStatus>): Promise<number> {
  const ctx = await openSession({ ...where(run), owner: run.io.owner, emit: run.emit, signal: run.io.signal, journal: journalHeader(run) }, service);
  try {
    return (await phase(ctx)) === 'passed' ? ExitCode.ok : ExitCode.failed;
  } finally {
    await ctx.close();
  }
}

function emitPlan(run: CommandRun, service: Service, phase: Phase, inputs: PhasePlanInputs): number {
  run.emit({ type: 'plan', plan: describePlan(service.config, phasePlan(service.config, phase, inputs)) });
  return ExitCode.ok;
}

/** `porter build pack`. */
export async function packAction(run: CommandRun): Promise<number> {
  const service = await loadService(where(run));
  if (run.opts.dryRun) return emitPlan(run, service, 'pack', { version: await serviceVersion(service.repoDir, run.io.env) });
  return inSession(run, service, buildPack);
}

/** `porter build provision -e ENV`. */
export async function provisionAction(run: CommandRun): Promise<number> {
  const service = await loadPackedService(run);
  const envName = String(run.opts.environment);
  const environment = findEnvironment(service.config, envName);
  if (run.opts.dryRun) {
    const manifest = await readManifest(join(service.repoDir, '.porter-tmp'));
    return emitPlan(run, service, 'provision', { environment, ...(manifest ? { version: manifest.version } : {}) });
  }
  return inSession(run, service, locked(run, environment, (ctx) => buildProvision(ctx, envName)));
}

/** `porter build promote [-e ENV] [--stack ID]`. */
export async function promoteAction(run: CommandRun): Promise<number> {
  const service = await loadPackedService(run);
  const envName = run.opts.environment as string | undefined;
  const stack = run.opts.stack as string | undefined;
  const environment = chooseEnvironment(service.config, envName, await readProvisionState(join(service.repoDir, '.porter-tmp')), 'promote');
  if (run.opts.dryRun) return emitPlan(run, service, 'promote', { environment, ...(stack ? { stack } : {}) });
  return inSession(run, service, locked(run, environment, (ctx) => buildPromote(ctx, environment.name, stack)));
}

/** `porter build prune [-e ENV] [--keep N]`. */
export async function pruneAction(run: CommandRun): Promise<number> {
  const keepText = String(run.opts.keep ?? '0');
  if (!/^\d+$/.test(keepText)) throw new UsageError(`--keep ${keepText}: give how many of the newest unpromoted stacks to keep, a whole number such as --keep 2 (default 0).`);
  const keep = Number(keepText);
  const service = await loadPackedService(run);
  const environment = chooseEnvironment(service.config, run.opts.environment as string | undefined, await readProvisionState(join(service.repoDir, '.porter-tmp')), 'prune');
  if (run.opts.dryRun) return emitPlan(run, service, 'prune', { environment, keep });
  return inSession(run, service, locked(run, environment, (ctx) => buildPrune(ctx, environment.name, keep)));
}
