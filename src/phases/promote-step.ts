import type { RunContext } from '../context.js';
import { startBodyStep, type BodyStep } from './body-step.js';

/**
 * Opens a region's promote step; when the stack already holds the alias alone, the step passes as a no-op and
 * there is nothing to do (undefined), on an engine region and a Swarm region alike.
 */
export function openPromoteStep(ctx: RunContext, region: string, stackId: string, alreadyPromoted: boolean): BodyStep | undefined {
  const step = startBodyStep(ctx, 'promote', 'stack', region);
  if (!alreadyPromoted) return step;
  step.log(`stack ${stackId} is already promoted: nothing to change`);
  step.pass();
  return undefined;
}
