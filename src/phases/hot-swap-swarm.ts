import type { RunContext } from '../context.js';
import type { ServiceState, TaskState } from '../docker/engine.js';
import { Label } from '../docker/labels.js';
import { WORKER_GRACE_MS } from './health.js';
import type { StackOutcome, StackRequest } from './provision-region.js';
import { serviceRequest } from './provision-swarm.js';
import { registryOf } from './registry.js';
import { networkName } from './stack-names.js';
import { currentTaskIds, swarmStackUrl, waitConverged, type SwarmStack } from './swarm-stacks.js';

/** Beyond the health checks' own time, what a service's rolling update may take (scheduling, pulls). */
const UPDATE_SLACK_MS = 60_000;

/**
 * Swaps a Swarm region's promoted stack in place: each service, one after the other, gets the new image and
 * environment by a rolling update (one task at a time, each new task healthy before its old one stops; its aliases
 * kept, so the alias never lacks a healthy task). When an update does not converge, every service updated so far
 * is rolled back to its previous spec and the outcome carries the tasks' errors.
 */
export async function swapSwarmRegion(ctx: RunContext, req: StackRequest, stack: SwarmStack, images: ReadonlyMap<string, string>): Promise<StackOutcome> {
  const { engine, region } = req.target;
  const network = networkName(ctx.config.serviceName, req.env.name);
  const registry = registryOf(req.env, ctx.hostEnv);
  const registryAuth = registry ? (await ctx.registryLogin(registry))?.auth : undefined;
  const updated: ServiceState[] = [];
  const tasks = new Map<string, TaskState[]>();
  const rollBack = async (): Promise<void> => {
    const before = await currentTaskIds(engine, updated).catch(() => new Set<string>());
    for (const s of [...updated].reverse()) await engine.rollbackService(s.id).catch(() => undefined);
    const timeoutMs = Math.max(...region.containers.map((c) => c.healthCheck.timeoutMs * c.replicas)) + UPDATE_SLACK_MS;
    await waitConverged({ engine, services: updated, timeoutMs, before }, ctx.signal, ctx.now).catch(() => undefined);
  };
  try {
    for (const config of region.containers) {
      const current = stack.services.find((s) => s.labels[Label.container] === config.name);
      if (!current) {
        await rollBack();
        return { ok: false, message: `Hot swap of stack ${req.stackId} in Swarm region ${region.name}: the stack has no service for container ${config.name} (added since it was provisioned). Nothing was changed; provision a new stack with hot_swap: false, then promote it.`, lines: [] };
      }
      const spec = { ...serviceRequest(ctx, req, config, images.get(config.name) ?? '', network), aliases: current.aliases[network] ?? [], ...(registryAuth ? { registryAuth } : {}) };
      const before = await currentTaskIds(engine, [current]);
      await engine.updateService(current.id, spec);
      // Only a service porter updated is rolled back: another's previous spec may be older than this stack's.
      updated.push(current);
      const next = { ...current, replicas: spec.replicas };
      const done = await waitConverged({
        engine, services: [next], before, replaced: true, timeoutMs: config.healthCheck.timeoutMs * config.replicas + UPDATE_SLACK_MS,
        ...(config.topology === 'worker' ? { graceMs: WORKER_GRACE_MS } : {}),
      }, ctx.signal, ctx.now);
      if (!done.ok) {
        await rollBack();
        return { ok: false, message: `Hot swap of stack ${req.stackId} in Swarm region ${region.name}: updating ${current.name} ${done.reason}. Every service was rolled back to its previous version.`, lines: done.lines };
      }
      tasks.set(current.id, done.tasks.get(current.id) ?? []);
      req.step.log(`updated ${current.name} (${spec.replicas} task${spec.replicas === 1 ? '' : 's'}, ${spec.image})`);
    }
  } catch (err) {
    await rollBack();
    throw err;
  }
  const url = swarmStackUrl(updated, tasks);
  return {
    ok: true, remove: rollBack,
    record: {
      region: region.name, ...(region.dockerHost ? { dockerHost: region.dockerHost } : {}), stackId: req.stackId, ...(url ? { url } : {}),
      containers: updated.map((s) => ({ name: s.name, id: s.id })),
    },
  };
}
