import type { RunContext } from '../context.js';
import { StateError } from '../errors.js';
import { startBodyStep, type BodyStep } from './body-step.js';

/**
 * Opens a region's promote step; when the stack already holds the alias alone, the step passes as a no-op and
 * there is nothing to do (undefined), on an engine region and a Swarm region alike.
 */
export function openPromoteStep(ctx: RunContext, phase: 'promote' | 'rollback', region: string, stackId: string, alreadyPromoted: boolean): BodyStep | undefined {
  const step = startBodyStep(ctx, phase, 'stack', region);
  if (!alreadyPromoted) return step;
  step.log(`stack ${stackId} is already promoted: nothing to change`);
  step.pass();
  return undefined;
}

/**
 * The stack asked for, from a region's stacks (newest first); else a state error (exit 2) listing what is there.
 * `where` names the region as the message should: `region eu` or `Swarm region eu`.
 */
export function findStackToPromote<S extends { id: string; promoted: boolean }>(stacks: readonly S[], wanted: string, service: string, where: string, envName: string): S {
  const stack = stacks.find((s) => s.id === wanted);
  if (stack) return stack;
  const known = stacks.length ? `Stacks there, newest first: ${stacks.map((s) => `${s.id}${s.promoted ? ' (promoted)' : ''}`).join(', ')}.` : 'It has no stacks.';
  throw new StateError(`There is no stack ${wanted} of ${service} in ${where} of ${envName} (pruned, or never provisioned there). ${known} Run \`porter build provision -e ${envName}\` to make a new one.`);
}
