import type { EnvironmentConfig } from '../config/types.js';
import type { RunContext } from '../context.js';
import type { HookScope } from '../hooks/environment.js';
import { startBodyStep, type BodyStep } from './body-step.js';
import type { StackOutcome } from './provision-region.js';
import type { RegionTarget } from './regions.js';
import { regionScopes } from './regions.js';
import type { BodyOutcome } from './run-phase.js';
import { recordProvision } from './state.js';

/** What a provision body does to the environment: the stack id it leaves, the version it runs, and the step name. */
export interface RegionWork {
  env: EnvironmentConfig;
  targets: readonly RegionTarget[];
  stackId: string;
  version: string;
  /** The name of each region's reported step (`stack`, `hotswap`). */
  step: string;
  /** The region's part: a healthy stack (or swap) it can undo, or a failure to report. */
  run(target: RegionTarget, step: BodyStep): Promise<StackOutcome>;
}

/**
 * Every region's part at once, all or none: when one fails, the others' are undone, so `.porter-tmp/provision.json`
 * never names a half-provisioned environment. When all pass, each is committed, the stack recorded and announced,
 * and post_ hooks get each region's stack id and URL.
 */
export async function allRegions(ctx: RunContext, work: RegionWork): Promise<BodyOutcome> {
  const { env, targets, stackId } = work;
  const steps = targets.map((t) => startBodyStep(ctx, 'provision', work.step, t.region.name));
  const settled = await Promise.allSettled(targets.map((target, i) => work.run(target, steps[i]!)));
  const ok = settled.flatMap((s) => (s.status === 'fulfilled' && s.value.ok ? [s.value] : []));
  if (ok.length < settled.length) {
    await Promise.all(ok.map((o) => o.remove()));
    // Undone everywhere: nothing is left for the next holder of the environment lock to finish or undo.
    if (!settled.some((s) => s.status === 'rejected')) await ctx.envLock?.note(undefined);
    settled.forEach((s, i) => reportFailure(s, steps[i]!, targets.length > 1));
    const thrown = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (thrown) throw thrown.reason;
    return { status: 'failed', postScopes: regionScopes(env) };
  }
  await Promise.all(ok.map((o) => o.commit?.()));
  steps.forEach((s) => s.pass());
  const records = ok.map((o) => o.record);
  // Healthy everywhere: from here a kill leaves an unrecorded stack that prune removes, never a removed recorded one.
  await ctx.envLock?.note(undefined);
  await recordProvision(ctx.tmpDir, { environment: env.name, stackId, version: work.version, created: new Date(ctx.now()).toISOString(), regions: records });
  for (const r of records) ctx.emit({ type: 'message', level: 'info', text: `Stack ${stackId} is up in region ${r.region} of ${env.name}${r.url ? `: ${r.url}` : ''}` });
  const postScopes: HookScope[] = records.map((r, i) => ({ environment: env.name, region: r.region, stackId, ...(r.url ? { stackUrl: r.url, hostNetwork: targets[i]?.address.local ?? false } : {}) }));
  return { status: 'passed', postScopes };
}

function reportFailure(s: PromiseSettledResult<StackOutcome>, step: BodyStep, several: boolean): void {
  if (s.status === 'rejected') {
    step.cancel(s.reason instanceof Error ? s.reason.message : String(s.reason));
  } else if (!s.value.ok) {
    step.fail(s.value.message, s.value.lines);
  } else if (several) {
    step.cancel('Undone again: another region of the environment failed, and porter provisions all regions or none.');
  }
}
