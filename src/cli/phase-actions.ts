import { stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { findEnvironment } from '../config/find-environment.js';
import { RUN_ONCE_LISTS, type Phase, type PorterConfig } from '../config/types.js';
import type { RunContext } from '../context.js';
import { loadService, openSession } from '../commands/session.js';
import { ExitCode, UsageError } from '../errors.js';
import type { ListStatus, PorterEvent } from '../events.js';
import { slackNotifier } from '../phases/slack.js';
import { serviceVersion } from '../git/service-version.js';
import { checkBlackout } from '../phases/blackout.js';
import { unrunListsNote } from '../config/ignored-keys.js';
import { buildPack } from '../phases/pack.js';
import { phasePlan, type PhasePlanInputs } from '../phases/plan-phase.js';
import { buildPromote } from '../phases/promote.js';
import { buildProvision } from '../phases/provision.js';
import { buildPrune } from '../phases/prune.js';
import { buildRollback, rollbackTargets } from '../phases/rollback.js';
import { buildStatus } from '../phases/status.js';
import { buildTeardown, findTeardown } from '../phases/teardown.js';
import { chooseEnvironment, connectRegions } from '../phases/regions.js';
import { readRunOnce } from '../phases/run-once.js';
import { readManifest, readProvisionState, StateFiles } from '../phases/state.js';
import { journalHeader } from './journal-header.js';
import { locked } from './lock-settings.js';
import type { CommandRun } from './program.js';
import { describePlan } from './render-plan.js';

type Service = { repoDir: string; config: PorterConfig };

const where = (run: CommandRun) => ({
  cwd: run.io.cwd, env: run.io.env, emit: run.emit, ...(run.io.outputReady ? { outputReady: run.io.outputReady } : {}),
  ...(run.opts.C ? { dir: run.opts.C } : {}),
  ...(run.opts.config ? { configPath: run.opts.config } : {}),
  ...(run.opts.repoTransfer ? { repoTransfer: run.opts.repoTransfer } : {}),
});

/** After pack, the phases read the config as it stood after pre_pack hooks (`.porter-tmp/config`), when there is one. */
async function loadPackedService(run: CommandRun): Promise<Service> {
  const repoDir = resolve(run.io.cwd, run.opts.C ?? '.');
  const packed = join('.porter-tmp', StateFiles.config);
  const exists = await stat(join(repoDir, packed)).then((s) => s.isFile(), () => false);
  return loadService({ ...where(run), ...(exists ? { configPath: packed } : {}) });
}

/** Before anything else a command does to an environment: exit 1 inside one of its blackout windows. */
function blackoutGate(run: CommandRun, service: Service, envName: string): Promise<void> {
  return checkBlackout({ repoDir: service.repoDir, config: service.config, envName, env: run.io.env, nowMs: Date.now() });
}

/** Runs a phase in a session; its result is posted to the config's `slack:` webhook for it, if any. */
async function inSession(run: CommandRun, service: Service, phase: (ctx: RunContext) => Promise<ListStatus>): Promise<number> {
  let version = '';
  const slack = slackNotifier(service.config, () => version, run.emit, run.io.signal);
  const emit = (event: PorterEvent): void => {
    run.emit(event);
    slack.observe(event);
  };
  const ctx = await openSession({ ...where(run), owner: run.io.owner, emit, signal: run.io.signal, journal: journalHeader(run) }, service);
  version = ctx.serviceVersion;
  try {
    return (await phase(ctx)) === 'passed' ? ExitCode.ok : ExitCode.failed;
  } finally {
    await slack.settle();
    await ctx.close();
  }
}

function emitPlan(run: CommandRun, service: Service, phase: Phase, inputs: PhasePlanInputs, onceRan?: ReadonlySet<string>): number {
  const note = unrunListsNote(service.config);
  if (note) run.emit({ type: 'message', level: 'info', text: note });
  run.emit({ type: 'plan', plan: describePlan(service.config, phasePlan(service.config, phase, inputs), onceRan) });
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
  await blackoutGate(run, service, environment.name);
  if (run.opts.dryRun) {
    const manifest = await readManifest(join(service.repoDir, '.porter-tmp'));
    const inputs = { environment, ...(manifest ? { version: manifest.version } : {}) };
    const once = RUN_ONCE_LISTS.some((l) => service.config.hooks[l]?.some((h) => h.runPolicy === 'once'));
    if (!once) return emitPlan(run, service, 'provision', inputs);
    // Whether each once hook already ran is in the engines: read them (never changed) for the plan.
    return inSession(run, service, async (ctx) => {
      const engines = (await connectRegions(ctx, environment)).map((t) => t.engine);
      emitPlan(run, service, 'provision', inputs, await readRunOnce(engines, service.config.serviceName, environment.name));
      return 'passed';
    });
  }
  return inSession(run, service, locked(run, environment, (ctx) => buildProvision(ctx, envName)));
}

/** `porter build promote [-e ENV] [--stack ID]`. */
export async function promoteAction(run: CommandRun): Promise<number> {
  const service = await loadPackedService(run);
  const envName = run.opts.environment as string | undefined;
  const stack = run.opts.stack as string | undefined;
  const environment = chooseEnvironment(service.config, envName, await readProvisionState(join(service.repoDir, '.porter-tmp')), 'promote');
  await blackoutGate(run, service, environment.name);
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
  await blackoutGate(run, service, environment.name);
  if (run.opts.dryRun) return emitPlan(run, service, 'prune', { environment, keep });
  return inSession(run, service, locked(run, environment, (ctx) => buildPrune(ctx, environment.name, keep)));
}

/** `porter build rollback -e ENV [--to STACK]`. */
export async function rollbackAction(run: CommandRun): Promise<number> {
  const service = await loadPackedService(run);
  const environment = findEnvironment(service.config, String(run.opts.environment));
  await blackoutGate(run, service, environment.name);
  const to = run.opts.to as string | undefined;
  if (!run.opts.dryRun) return inSession(run, service, locked(run, environment, (ctx) => buildRollback(ctx, environment.name, to)));
  // Where each region would go is in the engines' promotion history: read it (never changed) for the plan.
  return inSession(run, service, async (ctx) => {
    const wanted = await rollbackTargets(ctx, environment, await connectRegions(ctx, environment), to);
    const stacks = [...new Set(wanted.values())];
    const stack = stacks.length === 1 ? stacks[0] ?? '' : [...wanted].map(([region, id]) => `${id} in ${region}`).join(', ');
    emitPlan(run, service, 'rollback', { environment, stack });
    return 'passed';
  });
}

/** `porter build teardown -e ENV`; its --dry-run reads the engines (never changes them) to list what would go. */
export async function teardownAction(run: CommandRun): Promise<number> {
  const service = await loadPackedService(run);
  const environment = findEnvironment(service.config, String(run.opts.environment));
  await blackoutGate(run, service, environment.name);
  if (run.opts.dryRun) {
    return inSession(run, service, async (ctx) => {
      emitPlan(run, service, 'teardown', { environment, removals: await findTeardown(ctx, environment.name) });
      return 'passed';
    });
  }
  return inSession(run, service, locked(run, environment, (ctx) => buildTeardown(ctx, environment.name)));
}

/** `porter build status -e ENV`. */
export async function statusAction(run: CommandRun): Promise<number> {
  const service = await loadPackedService(run);
  const environment = findEnvironment(service.config, String(run.opts.environment));
  return inSession(run, service, async (ctx) => {
    run.emit({ type: 'status', service: service.config.serviceName, environment: environment.name, regions: await buildStatus(ctx, environment.name) });
    return 'passed';
  });
}
