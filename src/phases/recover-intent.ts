import type { EnvironmentConfig, RegionConfig } from '../config/types.js';
import type { RunContext } from '../context.js';
import { StateError } from '../errors.js';
import type { Detached, LockIntent } from './lock-holder.js';
import { planRegion, promoteRegion } from './promote.js';
import { planSwarmRegion, promoteSwarmRegion } from './promote-swarm.js';
import { connectRegions, type RegionTarget } from './regions.js';
import { networkName } from './stack-names.js';
import { aliasHolders, listStacks } from './stacks.js';
import { listSwarmStacks } from './swarm-stacks.js';

/**
 * Finishes or undoes, in one region, what a porter killed while holding the environment's lock had recorded it was
 * doing (docs/guarantees.md, "Crashes"): a stack it was provisioning never became a candidate and is removed; an
 * alias switch is completed when its stack still runs, and otherwise reverted, so exactly one stack answers.
 * (A killed prune needs nothing: what it had not removed yet is unpromoted, and the next prune removes it.) Idempotent: a kill during this is finished by the next command the same way.
 */
export async function recoverIntent(ctx: RunContext, env: EnvironmentConfig, region: RegionConfig, intent: LockIntent): Promise<void> {
  const [target] = await connectRegions(ctx, { ...env, regions: [region] });
  if (!target) return;
  switch (intent.action) {
    case 'provision':
      return removeStack(ctx, env, target, intent.stackId);
    case 'promote':
      await reattach(ctx, env, target, intent.detached ?? []);
      return finishPromote(ctx, env, target, intent.stackId);
  }
}

async function removeStack(ctx: RunContext, env: EnvironmentConfig, target: RegionTarget, id: string): Promise<void> {
  const service = ctx.config.serviceName;
  const network = networkName(service, env.name);
  const { engine, region } = target;
  const swarm = region.orchestrator === 'swarm';
  const stacks = swarm ? await listSwarmStacks(engine, service, env.name, region.name, network) : await listStacks(engine, service, env.name, region.name, network);
  for (const stack of stacks.filter((s) => s.id === id && !s.promoted)) {
    if ('services' in stack) await Promise.all(stack.services.map((s) => engine.removeService(s.id)));
    else await Promise.all(stack.containers.map((c) => engine.removeContainer(c.id)));
    ctx.emit({ type: 'message', level: 'info', text: `Removed stack ${stack.id} in region ${region.name} of ${env.name}: the porter whose lock was taken over was provisioning it, and it never became healthy.` });
  }
}

/** Containers the killed promote had taken off the network go back first, at their addresses, before anything else moves. */
async function reattach(ctx: RunContext, env: EnvironmentConfig, target: RegionTarget, detached: readonly Detached[]): Promise<void> {
  const network = networkName(ctx.config.serviceName, env.name);
  for (const d of detached.filter((x) => x.region === target.region.name)) {
    const state = await target.engine.inspectContainer(d.id);
    if (!state || state.networks[network]) continue;
    await target.engine.connectNetwork(network, d.id, d.aliases, d.ipv4);
    ctx.emit({ type: 'message', level: 'info', text: `Reconnected ${state.name} to ${network}${d.ipv4 ? ` at ${d.ipv4}` : ''}: the killed promote had disconnected it.` });
  }
}

async function finishPromote(ctx: RunContext, env: EnvironmentConfig, target: RegionTarget, stackId: string): Promise<void> {
  try {
    if (target.region.orchestrator === 'swarm') {
      await promoteSwarmRegion(ctx, env, await planSwarmRegion(ctx, env, target, stackId), 'promote');
    } else {
      await promoteRegion(ctx, env, await planRegion(ctx, env, target, stackId));
    }
    ctx.emit({ type: 'message', level: 'info', text: `Completed the promotion of stack ${stackId} in region ${target.region.name} of ${env.name} that the porter whose lock was taken over had begun.` });
  } catch (err) {
    if (!(err instanceof StateError)) throw err;
    await revertPromote(ctx, env, target, stackId);
  }
}

/** The stack being promoted no longer runs: it gives the alias back when another stack still holds it. */
async function revertPromote(ctx: RunContext, env: EnvironmentConfig, target: RegionTarget, stackId: string): Promise<void> {
  if (target.region.orchestrator === 'swarm') return;
  const service = ctx.config.serviceName;
  const network = networkName(service, env.name);
  const stacks = await listStacks(target.engine, service, env.name, target.region.name, network);
  const broken = stacks.find((s) => s.id === stackId);
  if (!broken?.promoted || !stacks.some((s) => s.id !== stackId && s.promoted)) return;
  for (const c of aliasHolders(broken).filter((x) => x.networks[network]?.includes(service))) {
    await target.engine.disconnectNetwork(network, c.id);
    await target.engine.connectNetwork(network, c.id, [], c.addresses[network]);
  }
  ctx.emit({ type: 'message', level: 'info', text: `Reverted the promotion of stack ${stackId} in region ${target.region.name} of ${env.name} (it no longer runs): the previous stack keeps ${service}.` });
}
