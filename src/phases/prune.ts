import type { EnvironmentConfig } from '../config/types.js';
import type { RunContext } from '../context.js';
import type { DockerEngine } from '../docker/engine.js';
import { Label } from '../docker/labels.js';
import type { ListStatus } from '../events.js';
import { startBodyStep } from './body-step.js';
import { hookListRunner } from './hook-lists.js';
import { chooseEnvironment, connectRegions, regionScopes, type RegionTarget } from './regions.js';
import { pruneSwarmRegion } from './prune-swarm.js';
import { runPhase } from './run-phase.js';
import { networkName } from './stack-names.js';
import { listStacks, selectForPrune } from './stacks.js';
import { readManifest, readProvisionState } from './state.js';

/**
 * `porter build prune [-e ENV] [--keep N]`: per region, removes the environment's stacks that are not promoted,
 * except the N newest of them, with the images no remaining container of the service uses (never the images of
 * the current payload). The promoted stack is never touched; the network goes when no stack is left on it.
 */
export async function buildPrune(ctx: RunContext, envName: string | undefined, keep: number): Promise<ListStatus> {
  const env = chooseEnvironment(ctx.config, envName, await readProvisionState(ctx.tmpDir), 'prune');
  const targets = await connectRegions(ctx, env);
  const packed = (await readManifest(ctx.tmpDir))?.version;
  return runPhase(
    {
      phase: 'prune',
      environment: env.name,
      scopes: regionScopes(env),
      body: async () => {
        await Promise.all(targets.map((t) => (t.region.orchestrator === 'swarm' ? pruneSwarmRegion(ctx, env, t, keep) : pruneRegion(ctx, env, t, keep, packed))));
        return { status: 'passed' };
      },
    },
    hookListRunner(() => ctx),
    ctx.emit,
    ctx.now,
  );
}

async function pruneRegion(ctx: RunContext, env: EnvironmentConfig, target: RegionTarget, keep: number, packed: string | undefined): Promise<void> {
  const service = ctx.config.serviceName;
  const network = networkName(service, env.name);
  const { engine, region } = target;
  const step = startBodyStep(ctx, 'prune', 'stacks', region.name);
  const stacks = await listStacks(engine, service, env.name, region.name, network);
  const chosen = selectForPrune(stacks, keep);
  for (const stack of chosen.remove) {
    await Promise.all(stack.containers.map((c) => engine.removeContainer(c.id)));
    step.log(`removed stack ${stack.id} (version ${stack.version}, ${stack.containers.length} container${stack.containers.length === 1 ? '' : 's'})`);
  }
  await removeUnusedImages(engine, service, chosen.remove.map((s) => s.version), packed, (line) => step.log(line));
  if (chosen.keep.length === 0 && (await engine.removeNetwork(network))) step.log(`removed network ${network}`);
  step.log(`kept ${chosen.keep.length ? chosen.keep.map((s) => `${s.id}${s.promoted ? ' (promoted)' : ''}`).join(', ') : 'no stacks'}`);
  step.pass();
  ctx.emit({ type: 'message', level: 'info', text: `Pruned ${chosen.remove.length} stack${chosen.remove.length === 1 ? '' : 's'} in region ${region.name} of ${env.name}; ${chosen.keep.length} left.` });
}

/** Removes the service's images of these versions that no container of the service uses any more (never `packed`'s). */
export async function removeUnusedImages(engine: DockerEngine, service: string, versions: readonly string[], packed: string | undefined, log: (line: string) => void): Promise<void> {
  const remaining = await engine.listContainers({ [Label.service]: service, [Label.version]: '' });
  const inUse = new Set(remaining.map((c) => c.labels[Label.version]));
  for (const version of new Set(versions)) {
    if (inUse.has(version) || version === packed || !version) continue;
    const removed = await engine.removeImages({ [Label.service]: service, [Label.version]: version, [Label.container]: '' });
    if (removed > 0) log(`removed ${removed} image${removed === 1 ? '' : 's'} of version ${version}`);
  }
}
