import type { EnvironmentConfig } from '../config/types.js';
import type { RunContext } from '../context.js';
import { StateError } from '../errors.js';
import type { ListStatus } from '../events.js';
import type { HookScope } from '../hooks/environment.js';
import { checkBlackout } from './blackout.js';
import { hookListRunner } from './hook-lists.js';
import { chooseEnvironment, connectRegions, type RegionTarget } from './regions.js';
import { planSwarmRegion, promoteSwarmRegion } from './promote-swarm.js';
import { runPhase } from './run-phase.js';
import { networkName } from './stack-names.js';
import { aliasHolders, listStacks, stackUrl, type Stack } from './stacks.js';
import { readProvisionState } from './state.js';
import type { Detached } from './lock-holder.js';
import { findStackToPromote, openPromoteStep } from './promote-step.js';
import { recordPromotion } from './history.js';
import { containersHealth, regionStacks } from './region-stacks.js';

export interface RegionPromotion {
  target: RegionTarget;
  stack: Stack;
  /** Other stacks that still hold the alias. */
  previous: Stack[];
}

/**
 * `porter build promote [-e ENV] [--stack ID]`: per region, the stack's inet containers get the alias `<service>`
 * on the environment network before the previous stack loses it, so clients there see no failed request. The
 * alias on the engine is the record: a later job, or prune, finds the promoted stack by it. Promoting the
 * promoted stack again changes nothing; `--stack` names an older one. Without `--stack`: the stack this workspace
 * provisioned last, else (a fresh clone, another CI job) the newest healthy stack of the checked-out version.
 */
export async function buildPromote(ctx: RunContext, envName: string | undefined, stackId: string | undefined): Promise<ListStatus> {
  const state = await readProvisionState(ctx.tmpDir);
  const env = chooseEnvironment(ctx.config, envName, state, 'promote');
  const targets = await connectRegions(ctx, env);
  const wanted = stackId ?? state.environments[env.name]?.stackId ?? (await newestHealthyStack(ctx, env, targets));
  return promoteStacks(ctx, env, targets, () => wanted, 'promote');
}

/** The newest stack of the checked-out version that is healthy in every region; else exit 2 saying to provision. */
async function newestHealthyStack(ctx: RunContext, env: EnvironmentConfig, targets: readonly RegionTarget[]): Promise<string> {
  const version = ctx.serviceVersion;
  const perRegion = await Promise.all(targets.map((t) => regionStacks(t, ctx.config.serviceName, env.name)));
  const everywhere = (perRegion[0] ?? []).filter((s) => s.version === version && perRegion.every((stacks) => stacks.some((x) => x.id === s.id && x.health === 'healthy')));
  if (everywhere[0]) return everywhere[0].id;
  const others = [...new Set(perRegion.flat().map((s) => `${s.id} (version ${s.version}, ${s.health})`))];
  throw new StateError(`There is no healthy stack of version ${version} in every region of ${env.name} to promote${others.length ? `; the stacks there are ${others.join(', ')}` : ''}. Run \`porter build provision -e ${env.name}\` first (or name a stack with --stack ID).`);
}

/**
 * Promote's body for promote and rollback alike: per region, the stack `wantedIn(region)` gets the alias, each move
 * recorded in the region's promotion history (`by`); the phase's hook lists are `pre_<by>` and `post_<by>`.
 */
export async function promoteStacks(ctx: RunContext, env: EnvironmentConfig, targets: readonly RegionTarget[], wantedIn: (region: string) => string, by: 'promote' | 'rollback'): Promise<ListStatus> {
  const plans = await Promise.all(targets.filter((t) => t.region.orchestrator !== 'swarm').map((t) => planRegion(ctx, env, t, wantedIn(t.region.name))));
  const swarmPlans = await Promise.all(targets.filter((t) => t.region.orchestrator === 'swarm').map((t) => planSwarmRegion(ctx, env, t, wantedIn(t.region.name))));
  const scopes: HookScope[] = [...plans.map((p) => ({ p, url: stackUrl(p.stack, p.target.address) })), ...swarmPlans.map((p) => ({ p, url: p.url }))].map(({ p, url }) =>
    ({ environment: env.name, region: p.target.region.name, stackId: p.stack.id, ...(url ? { stackUrl: url, hostNetwork: p.target.address.local } : {}) }));
  return runPhase(
    {
      phase: by,
      environment: env.name,
      scopes,
      body: async () => {
        // pre_promote hooks may have run long: a window that opened meanwhile still stops the switch.
        await checkBlackout({ repoDir: ctx.repoDir, config: ctx.config, envName: env.name, env: ctx.hostEnv, nowMs: ctx.now(), fresh: true });
        // Recorded before the first alias moves: a kill mid-switch is completed (or reverted) by the next holder of the lock.
        const wanted = wantedIn(targets[0]?.region.name ?? '');
        const detached: Detached[] = [];
        const beforeDetach = async (d: Detached): Promise<void> => {
          detached.push(d);
          await ctx.envLock?.note({ action: 'promote', stackId: wanted, detached: [...detached] });
        };
        await ctx.envLock?.note({ action: 'promote', stackId: wanted });
        const [, swarmOk] = await Promise.all([
          Promise.all(plans.map((p) => promoteRegion(ctx, env, p, by, beforeDetach))),
          Promise.all(swarmPlans.map((p) => promoteSwarmRegion(ctx, env, p, by))),
        ]);
        await ctx.envLock?.note(undefined);
        return { status: swarmOk.every(Boolean) ? 'passed' : 'failed' };
      },
    },
    hookListRunner(() => ctx),
    ctx.emit,
    ctx.now,
  );
}

export async function planRegion(ctx: RunContext, env: EnvironmentConfig, target: RegionTarget, wanted: string): Promise<RegionPromotion> {
  const service = ctx.config.serviceName;
  const stacks = await listStacks(target.engine, service, env.name, target.region.name, networkName(service, env.name));
  const stack = findStackToPromote(stacks, wanted, service, `region ${target.region.name}`, env.name);
  const { health, reason } = containersHealth(stack.containers);
  if (health !== 'healthy') {
    throw new StateError(`Stack ${stack.id} in region ${target.region.name} of ${env.name} is not healthy (${reason ?? health}), so porter will not send traffic to it. Run \`porter build provision -e ${env.name}\` for a new stack.`);
  }
  return { target, stack, previous: stacks.filter((s) => s.id !== stack.id && s.promoted) };
}

/**
 * Moves the alias in one region. Each container is disconnected and reconnected at its address; `beforeDetach` is
 * told first (promote records it in the lock), so a porter killed between the two calls has the container put back at
 * that address by the next command: a client's retried SYN then reaches it.
 */
export async function promoteRegion(ctx: RunContext, env: EnvironmentConfig, p: RegionPromotion, by: 'promote' | 'rollback' = 'promote', beforeDetach?: (d: Detached) => Promise<void>): Promise<void> {
  const service = ctx.config.serviceName;
  const network = networkName(service, env.name);
  const { engine, region } = p.target;
  const step = openPromoteStep(ctx, by, region.name, p.stack.id, p.stack.promoted && p.previous.length === 0);
  if (!step) return;
  // First the new stack answers to the alias too, then the old one stops: there is never a moment without it.
  for (const c of aliasHolders(p.stack)) {
    if (c.networks[network]?.includes(service)) continue;
    await beforeDetach?.({ region: region.name, id: c.id, aliases: [service], ...(c.addresses[network] ? { ipv4: c.addresses[network] } : {}) });
    await engine.disconnectNetwork(network, c.id);
    await engine.connectNetwork(network, c.id, [service], c.addresses[network]);
  }
  step.log(`${service} on ${network} now reaches stack ${p.stack.id}`);
  for (const old of p.previous) {
    for (const c of old.containers.filter((x) => x.networks[network]?.includes(service))) {
      // Back at the same address a moment later: a client that resolved it just before gets its SYN answered on retry.
      await beforeDetach?.({ region: region.name, id: c.id, aliases: [], ...(c.addresses[network] ? { ipv4: c.addresses[network] } : {}) });
      await engine.disconnectNetwork(network, c.id);
      await engine.connectNetwork(network, c.id, [], c.addresses[network]);
    }
    step.log(`stack ${old.id} no longer answers to ${service}`);
  }
  await recordPromotion(engine, service, env.name, region.name, { stack: p.stack.id, at: new Date(ctx.now()).toISOString(), by, ...(p.previous[0] ? { previous: p.previous[0].id } : {}) });
  step.pass();
  ctx.emit({ type: 'message', level: 'info', text: `${by === 'rollback' ? 'Rolled back to' : 'Promoted'} stack ${p.stack.id} in region ${region.name} of ${env.name}${p.previous.length ? ` (was ${p.previous.map((s) => s.id).join(', ')})` : ''}.` });
}
