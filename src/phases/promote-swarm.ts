import type { EnvironmentConfig } from '../config/types.js';
import type { RunContext } from '../context.js';
import type { RegistryAuth } from '../docker/engine.js';
import { StateError } from '../errors.js';
import type { RegionTarget } from './regions.js';
import { networkName } from './stack-names.js';
import { aliasServices, currentTaskIds, listSwarmStacks, swarmStackUrl, waitConverged, type SwarmStack } from './swarm-stacks.js';
import { findStackToPromote, openPromoteStep } from './promote-step.js';
import { registryOf } from './registry.js';
import { recordPromotion } from './history.js';

/** How long promote waits for a service's rolling update (new tasks healthy, old ones gone). */
const UPDATE_TIMEOUT_MS = 120_000;

export interface SwarmPromotion {
  target: RegionTarget;
  stack: SwarmStack;
  previous: SwarmStack[];
  url?: string;
  /** The registry's login now, handed to Swarm with each update (a short-lived token refreshed); none: Swarm keeps the one it has. */
  auth?: RegistryAuth;
}

/** The stack to promote in a Swarm region, running every replica; else a state error (exit 2) naming what is there. */
export async function planSwarmRegion(ctx: RunContext, env: EnvironmentConfig, target: RegionTarget, wanted: string): Promise<SwarmPromotion> {
  const service = ctx.config.serviceName;
  const stacks = await listSwarmStacks(target.engine, service, env.name, target.region.name, networkName(service, env.name));
  const stack = findStackToPromote(stacks, wanted, service, `Swarm region ${target.region.name}`, env.name);
  const tasks = new Map(await Promise.all(stack.services.map(async (s) => [s.id, (await target.engine.serviceTasks(s.id)).filter((t) => t.desired === 'running')] as const)));
  for (const s of stack.services) {
    const running = (tasks.get(s.id) ?? []).filter((t) => t.state === 'running').length;
    if (running < s.replicas) {
      throw new StateError(`Stack ${stack.id} in Swarm region ${target.region.name} of ${env.name} is not running: service ${s.name} has ${running} of ${s.replicas} tasks running, so porter will not send traffic to it. Run \`porter build provision -e ${env.name}\` for a new stack.`);
    }
  }
  const url = swarmStackUrl(stack.services, tasks);
  const registry = registryOf(env, ctx.hostEnv);
  const auth = registry ? (await ctx.registryLogin(registry))?.auth : undefined;
  return { target, stack, previous: stacks.filter((s) => s.id !== stack.id && s.promoted), ...(url ? { url } : {}), ...(auth ? { auth } : {}) };
}

/**
 * Moves the alias `<service>` on the overlay network to the stack: its services get the alias first (a start-first
 * rolling update: the new tasks are healthy and in DNS before the old ones stop), then the previous stack's lose it
 * (Swarm takes a task out of DNS, waits for the cluster to agree, and only then stops it). No moment without the
 * alias, no request sent to a stopped task. porter waits for the new stack's update to complete with its new tasks
 * running (Swarm's monitor period included), and for the old stack's only until its tasks are replaced; never for
 * replaced tasks to stop: that is Swarm's stop grace period, which nothing here depends on. False when an update did
 * not converge, reported on the step.
 */
export async function promoteSwarmRegion(ctx: RunContext, env: EnvironmentConfig, p: SwarmPromotion, by: 'promote' | 'rollback'): Promise<boolean> {
  const service = ctx.config.serviceName;
  const network = networkName(service, env.name);
  const { engine, region } = p.target;
  const step = openPromoteStep(ctx, by, region.name, p.stack.id, p.stack.promoted && p.previous.length === 0);
  if (!step) return true;
  const move = async (stack: SwarmStack, aliases: string[]): Promise<boolean> => {
    const services = aliasServices(stack).filter((s) => (s.aliases[network] ?? []).includes(service) !== aliases.includes(service));
    if (services.length === 0) return true;
    const before = await currentTaskIds(engine, services);
    for (const s of services) await engine.setServiceAliases(s.id, network, aliases, p.auth);
    // `replaced`: an alias change replaces every task, and right after the update call the manager may not have
    // started it yet (no update status, the old tasks still running), which would pass for converged.
    // The stack gaining the alias is watched through Swarm's monitor period before the old one loses it; the old
    // one's update need only have replaced its tasks (they are out of DNS): its monitor protects no request.
    const gaining = aliases.includes(service);
    const done = await waitConverged({ engine, services, timeoutMs: UPDATE_TIMEOUT_MS, before, replaced: true, skipReplacedStop: true, awaitMonitor: gaining }, ctx.signal, ctx.now);
    if (done.ok) return true;
    step.fail(`Promoting stack ${p.stack.id} in Swarm region ${region.name} of ${env.name} stopped: updating ${services.map((s) => s.name).join(', ')} ${done.reason}. ${aliases.length ? `The previous stack still answers to ${service}.` : `Stack ${p.stack.id} answers to ${service}; the old stack may answer too until its update is resumed or it is pruned.`}`, done.lines);
    return false;
  };
  if (!(await move(p.stack, [service]))) return false;
  step.log(`${service} on ${network} now reaches stack ${p.stack.id}`);
  for (const old of p.previous) {
    if (!(await move(old, []))) return false;
    step.log(`stack ${old.id} no longer answers to ${service}`);
  }
  await recordPromotion(engine, service, env.name, region.name, { stack: p.stack.id, at: new Date(ctx.now()).toISOString(), by, ...(p.previous[0] ? { previous: p.previous[0].id } : {}) });
  step.pass();
  ctx.emit({ type: 'message', level: 'info', text: `${by === 'rollback' ? 'Rolled back to' : 'Promoted'} stack ${p.stack.id} in Swarm region ${region.name} of ${env.name}${p.previous.length ? ` (was ${p.previous.map((s) => s.id).join(', ')})` : ''}.` });
  return true;
}
