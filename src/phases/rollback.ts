import type { EnvironmentConfig } from '../config/types.js';
import type { RunContext } from '../context.js';
import { StateError } from '../errors.js';
import type { ListStatus } from '../events.js';
import { readHistory, rollbackTarget } from './history.js';
import { promoteStacks } from './promote.js';
import { regionStacks } from './region-stacks.js';
import { connectRegions, type RegionTarget } from './regions.js';
import { findEnvironment } from '../config/find-environment.js';

/**
 * `porter build rollback -e ENV [--to STACK]`: pre_rollback → per region, the stack promoted before the current one
 * (from the promotion history in the engine, so any machine can roll back), or STACK, gets the alias back the way
 * promote moves it (no failed request) → post_rollback. The rollback is itself a history entry: a second rollback
 * goes forward again, as Helm's does. Nothing to roll back to, or a target that is gone or unhealthy: exit 2.
 */
export async function buildRollback(ctx: RunContext, envName: string, to: string | undefined): Promise<ListStatus> {
  const env = findEnvironment(ctx.config, envName);
  const targets = await connectRegions(ctx, env);
  const wanted = await rollbackTargets(ctx, env, targets, to);
  return promoteStacks(ctx, env, targets, (region) => wanted.get(region) ?? '', 'rollback');
}

/** The stack each region would roll back to (`--dry-run` shows them); the same exit-2 errors as the rollback itself. */
export async function rollbackTargets(ctx: RunContext, env: EnvironmentConfig, targets: readonly RegionTarget[], to: string | undefined): Promise<Map<string, string>> {
  return new Map(await Promise.all(targets.map(async (t) => [t.region.name, await rollbackTo(ctx, env, t, to)] as const)));
}

/** The stack a region rolls back to: STACK, else the history's; checked to exist and be healthy. */
async function rollbackTo(ctx: RunContext, env: EnvironmentConfig, target: RegionTarget, to: string | undefined): Promise<string> {
  const service = ctx.config.serviceName;
  const where = `region ${target.region.name} of ${env.name}`;
  const [stacks, history] = await Promise.all([regionStacks(target, service, env.name), readHistory(target.engine, service, env.name, target.region.name)]);
  const current = stacks.find((s) => s.promoted)?.id;
  const wanted = to ?? rollbackTarget(history, current);
  if (!wanted) {
    const past = history.length ? `its only promotion is of stack ${history.at(-1)?.stack}` : 'nothing was ever promoted there';
    throw new StateError(`There is nothing to roll back to in ${where}: ${past}. Roll back after a second \`porter build promote -e ${env.name}\`, or name a stack with --to STACK (\`porter build status -e ${env.name}\` lists them).`);
  }
  const stack = stacks.find((s) => s.id === wanted);
  if (!stack) {
    const known = stacks.length ? `Stacks there now: ${stacks.map((s) => `${s.id}${s.promoted ? ' (promoted)' : ''}`).join(', ')}.` : 'It has no stacks.';
    throw new StateError(`Cannot roll back ${where} to stack ${wanted}: it is gone (pruned or torn down). ${known} Name another with --to STACK, or provision and promote a new one.`);
  }
  if (stack.health !== 'healthy') {
    throw new StateError(`Cannot roll back ${where} to stack ${wanted}: it is not healthy (${stack.reason ?? stack.health}), so porter will not send traffic to it. Name another with --to STACK (\`porter build status -e ${env.name}\` lists them).`);
  }
  return wanted;
}
