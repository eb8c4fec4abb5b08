import type { EnvironmentConfig } from '../config/types.js';
import type { RunContext } from '../context.js';
import { startBodyStep } from './body-step.js';
import { removeOverlay } from './provision-swarm.js';
import type { RegionTarget } from './regions.js';
import { networkName } from './stack-names.js';
import { selectForPrune } from './stacks.js';
import { listSwarmStacks } from './swarm-stacks.js';

/**
 * Prune in a Swarm region: removes the services of the stacks that are not promoted, except the `keep` newest of
 * them, and the overlay network when no stack is left on it. The promoted stack is never touched. The images stay in
 * the registry, and on the nodes until their engines prune them: porter talks to the manager only.
 */
export async function pruneSwarmRegion(ctx: RunContext, env: EnvironmentConfig, target: RegionTarget, keep: number): Promise<void> {
  const service = ctx.config.serviceName;
  const network = networkName(service, env.name);
  const { engine, region } = target;
  const step = startBodyStep(ctx, 'prune', 'stacks', region.name);
  const chosen = selectForPrune(await listSwarmStacks(engine, service, env.name, region.name, network), keep);
  for (const stack of chosen.remove) {
    await Promise.all(stack.services.map((s) => engine.removeService(s.id)));
    step.log(`removed stack ${stack.id} (version ${stack.version}, ${stack.services.length} service${stack.services.length === 1 ? '' : 's'})`);
  }
  if (chosen.keep.length === 0 && (await removeOverlay(ctx, { target }, network, new Set(chosen.remove.flatMap((st) => st.services.map((x) => x.id)))))) step.log(`removed network ${network}`);
  step.log(`kept ${chosen.keep.length ? chosen.keep.map((s) => `${s.id}${s.promoted ? ' (promoted)' : ''}`).join(', ') : 'no stacks'}`);
  step.pass();
  ctx.emit({ type: 'message', level: 'info', text: `Pruned ${chosen.remove.length} stack${chosen.remove.length === 1 ? '' : 's'} in Swarm region ${region.name} of ${env.name}; ${chosen.keep.length} left.` });
}
