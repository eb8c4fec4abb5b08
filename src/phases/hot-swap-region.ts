import { setTimeout as sleep } from 'node:timers/promises';
import type { ContainerConfig } from '../config/types.js';
import type { RunContext } from '../context.js';
import type { ContainerState, DockerEngine } from '../docker/engine.js';
import { Label } from '../docker/labels.js';
import { removeUnusedImages } from './unused-images.js';
import { ensureImages, lastLines, stackRecord, startedHealth, startOne, type Started, type StackOutcome, type StackRequest } from './provision-region.js';
import { networkName, stackContainerName } from './stack-names.js';
import type { Stack } from './stacks.js';

/**
 * How long a container that lost the alias keeps serving before it stops: a client that resolved it just before still
 * gets its answer. Losing the alias is a disconnect and a reconnect at the same address; a SYN sent in between is
 * retried by TCP 1 s and 3 s after the first, so the drain outlasts the second retry (with 1 s, one request in a
 * CI run reached a container that had just stopped).
 */
const DRAIN_MS = 3500;

/** One container of the stack replaced: the old one set aside (stopped, renamed), the new one in its place. */
interface Swap {
  name: string;
  old?: ContainerState;
  next?: Started;
  /** The aliases the new container answers to, and those the old one did (given back when it is put back). */
  aliases: string[];
  oldAliases: string[];
}

/**
 * Replaces the containers of a region's promoted stack in place, one at a time: for a container that holds the alias,
 * a bridge container (the new image, a host port of its own) joins the alias and turns healthy first, then the old
 * one leaves the alias, drains and stops (set aside under another name), the new one starts under the old name on
 * the old host port, turns healthy, and the bridge goes. So the alias always has a healthy
 * container. When a new container does not get healthy, every old one is put back as it was.
 */
export async function swapRegion(ctx: RunContext, req: StackRequest, stack: Stack): Promise<StackOutcome> {
  const { engine, region, address } = req.target;
  const service = ctx.config.serviceName;
  const network = networkName(service, req.env.name);
  const inetRegion = region.containers.some((c) => c.topology === 'inet' && c.inetPort);
  const aliasesOf = (c: ContainerConfig): string[] => (stack.promoted && (!inetRegion || (c.topology === 'inet' && c.inetPort)) ? [service] : []);
  const swaps: Swap[] = [];
  const restore = async (): Promise<void> => {
    for (const s of [...swaps].reverse()) await putBack(engine, network, s);
  };
  try {
    await ensureImages(ctx, req);
    const names = new Set<string>();
    for (const config of region.containers) {
      for (let replica = 1; replica <= config.replicas; replica++) {
        const name = stackContainerName(service, req.stackId, region.name, config.name, replica, config.replicas);
        names.add(name);
        const old = stack.containers.find((c) => c.name === name);
        const swap: Swap = { name, aliases: aliasesOf(config), oldAliases: aliasesHeld(old, network, service), ...(old ? { old } : {}) };
        swaps.push(swap);
        const failure = await swapOne(ctx, req, config, swap, network);
        if (failure) {
          // swapOne put this one back already; the earlier ones go back now.
          swaps.pop();
          await restore();
          return { ok: false, message: `Hot swap of stack ${req.stackId} in region ${region.name}: ${failure.message} The old containers were put back.`, lines: failure.lines };
        }
        req.step.log(`swapped ${name}${swap.next?.hostPort ? ` on ${address.urlHost}:${swap.next.hostPort}` : ''}`);
      }
    }
    // Containers of the stack the config no longer has (fewer replicas, a container removed) are set aside too.
    for (const old of stack.containers.filter((c) => !names.has(c.name))) {
      const swap: Swap = { name: old.name, old, aliases: [], oldAliases: aliasesHeld(old, network, service) };
      swaps.push(swap);
      await setAside(ctx, engine, network, swap, false);
      req.step.log(`stopped ${old.name} (no longer in the config)`);
    }
  } catch (err) {
    await restore();
    throw err;
  }
  const record = stackRecord(req, swaps.flatMap((s) => (s.next ? [s.next] : [])));
  const commit = async (): Promise<void> => {
    await Promise.all(swaps.map((s) => (s.old ? engine.removeContainer(s.old.id).catch(() => undefined) : undefined)));
    // The old version's images go too once nothing runs them, as prune would have removed them with a stack.
    const versions = swaps.map((s) => s.old?.labels[Label.version] ?? '');
    for (const line of await removeUnusedImages(engine, service, versions, req.manifest.version).catch(() => [])) req.step.log(line);
  };
  // Undone when another region fails: the old containers come back.
  return { ok: true, record, remove: restore, commit };
}

function aliasesHeld(c: ContainerState | undefined, network: string, service: string): string[] {
  return c?.networks[network]?.includes(service) ? [service] : [];
}

/** Swaps one container (see swapRegion); a failure to report, the old container already back in place. */
async function swapOne(ctx: RunContext, req: StackRequest, config: ContainerConfig, swap: Swap, network: string): Promise<{ message: string; lines: string[] } | undefined> {
  const { engine } = req.target;
  let bridge: Started | undefined;
  try {
    if (swap.old?.running && swap.aliases.length > 0) {
      // The alias only once it answers: a container in the alias while it starts would refuse a client's connection.
      const started = await startHealthy(ctx, req, config, `${swap.name}-hotswap`, network, { aliases: [] });
      if ('message' in started) return started;
      bridge = started;
      await setAliases(engine, network, started.id, swap.aliases);
    }
    if (swap.old) await setAside(ctx, engine, network, swap, bridge !== undefined);
    const hostPort = swap.old && config.inetPort ? swap.old.ports[config.inetPort]?.hostPort : undefined;
    const next = await startHealthy(ctx, req, config, swap.name, network, { aliases: [], ...(hostPort ? { hostPort } : {}) });
    if ('message' in next) {
      await putBack(engine, network, swap);
      return next;
    }
    swap.next = next;
    if (swap.aliases.length > 0) await setAliases(engine, network, next.id, swap.aliases);
    return undefined;
  } finally {
    if (bridge) {
      await setAliases(engine, network, bridge.id, []).catch(() => undefined);
      if (swap.next) await sleep(DRAIN_MS, undefined, { signal: ctx.signal }).catch(() => undefined);
      await engine.removeContainer(bridge.id).catch(() => undefined);
    }
  }
}

/** Starts a container and waits until it is healthy; when it does not get there, it is removed and the reason returned with its last lines. */
async function startHealthy(ctx: RunContext, req: StackRequest, config: ContainerConfig, name: string, network: string, opts: { hostPort?: number; aliases: string[] }): Promise<Started | { message: string; lines: string[] }> {
  const started = await startOne(ctx, req, config, name, network, opts);
  if ('failure' in started) return { message: `container ${name} could not start: ${started.failure}.`, lines: [] };
  const health = await startedHealth(ctx, req, started).catch(async (err: unknown) => {
    await req.target.engine.removeContainer(started.id).catch(() => undefined);
    throw err;
  });
  if (health.ok) return started;
  const lines = await lastLines(ctx, req, [started]);
  await req.target.engine.removeContainer(started.id);
  return { message: `container ${name} did not become healthy (${health.reason}).`, lines };
}

/** The old container leaves the alias, drains when another answers in its place, stops and takes a name of its own. */
async function setAside(ctx: RunContext, engine: DockerEngine, network: string, swap: Swap, drain: boolean): Promise<void> {
  const old = swap.old;
  if (!old) return;
  if (old.running && swap.oldAliases.length > 0) {
    await setAliases(engine, network, old.id, [], old.addresses[network]);
    if (drain) await sleep(DRAIN_MS, undefined, { signal: ctx.signal });
  }
  await engine.stopContainer(old.id);
  await engine.renameContainer(old.id, `${swap.name}-old-${ctx.runId}`);
}

/** Undoes a swap: the new container goes, the old one gets its name back, starts, and answers to the alias again. */
async function putBack(engine: DockerEngine, network: string, swap: Swap): Promise<void> {
  if (swap.next) await engine.removeContainer(swap.next.id).catch(() => undefined);
  swap.next = undefined;
  const old = swap.old;
  if (!old) return;
  const now = await engine.inspectContainer(old.id);
  if (!now) return;
  if (now.name !== swap.name) await engine.renameContainer(old.id, swap.name);
  if (!old.running) return;
  await engine.restartStopped(old.id);
  if (swap.oldAliases.length > 0) await setAliases(engine, network, old.id, swap.oldAliases, old.addresses[network]);
}

/** Re-attaches a container to `network` under `aliases`, at the address it has (or had). */
async function setAliases(engine: DockerEngine, network: string, id: string, aliases: string[], address?: string): Promise<void> {
  const ip = address ?? (await engine.inspectContainer(id))?.addresses[network];
  await engine.disconnectNetwork(network, id);
  await engine.connectNetwork(network, id, aliases, ip);
}
