import { findEnvironment } from '../config/find-environment.js';
import type { EnvironmentConfig } from '../config/types.js';
import type { RunContext } from '../context.js';
import type { DockerEngine } from '../docker/engine.js';
import { Label } from '../docker/labels.js';
import type { ListStatus } from '../events.js';
import { startBodyStep } from './body-step.js';
import { forgetHistory } from './history.js';
import { hookListRunner } from './hook-lists.js';
import { removeOverlay } from './provision-swarm.js';
import { connectRegions, regionScopes, type RegionTarget } from './regions.js';
import { forgetRunOnce } from './run-once.js';
import { runPhase } from './run-phase.js';
import { networkName } from './stack-names.js';
import { listStacks } from './stacks.js';
import { listSwarmStacks } from './swarm-stacks.js';
import { removeUnusedImages } from './unused-images.js';

/**
 * `porter build teardown -e ENV`: pre_teardown → in every region, every stack of ENV (the promoted one too), its
 * network, the stacks' images no other environment's stack uses, the promotion history and the run-once marks →
 * post_teardown. Idempotent: with nothing left it passes. Hook images stay for `build clean`; on Swarm the services
 * and the overlay network go (images stay in the registry). When pre_teardown fails, nothing is touched.
 */
export async function buildTeardown(ctx: RunContext, envName: string): Promise<ListStatus> {
  const env = findEnvironment(ctx.config, envName);
  const targets = await connectRegions(ctx, env);
  return runPhase(
    {
      phase: 'teardown',
      environment: env.name,
      scopes: regionScopes(env),
      body: async () => {
        const removed = await Promise.all(targets.map((t) => teardownRegion(ctx, env, t)));
        // Images last, once every region's containers are gone: two regions may share an engine (and the images).
        const byEngine = new Map<DockerEngine, string[]>();
        targets.forEach((t, i) => byEngine.set(t.engine, [...(byEngine.get(t.engine) ?? []), ...(removed[i] ?? [])]));
        for (const [engine, versions] of byEngine) {
          for (const line of await removeUnusedImages(engine, ctx.config.serviceName, versions)) ctx.emit({ type: 'message', level: 'info', text: `${line} on ${engine.host}` });
        }
        ctx.emit({ type: 'message', level: 'info', text: `Tore down ${env.name}: no stack of ${ctx.config.serviceName} is left in ${targets.map((t) => t.region.name).join(', ')}.` });
        return { status: 'passed' };
      },
    },
    hookListRunner(() => ctx),
    ctx.emit,
    ctx.now,
  );
}

/** What teardown would remove in each region, one line each, from the engines' labels (`--dry-run`). */
export async function findTeardown(ctx: RunContext, envName: string): Promise<string[]> {
  const env = findEnvironment(ctx.config, envName);
  const service = ctx.config.serviceName;
  const network = networkName(service, env.name);
  const lines = await Promise.all((await connectRegions(ctx, env)).map(async (t) => {
    const stacks = t.region.orchestrator === 'swarm'
      ? (await listSwarmStacks(t.engine, service, env.name, t.region.name, network)).map((s) => ({ ...s, parts: `${s.services.length} service${s.services.length === 1 ? '' : 's'}` }))
      : (await listStacks(t.engine, service, env.name, t.region.name, network)).map((s) => ({ ...s, parts: `${s.containers.length} container${s.containers.length === 1 ? '' : 's'}` }));
    const records = await t.engine.listRecords({ [Label.record]: '', [Label.service]: service, [Label.environment]: env.name });
    return [
      ...stacks.map((s) => `region ${t.region.name}: stack ${s.id} (version ${s.version}, ${s.parts}${s.promoted ? ', promoted' : ''})`),
      ...(records.length ? [`region ${t.region.name}: ${records.length} record${records.length === 1 ? '' : 's'} (promotion history, run-once marks)`] : []),
    ];
  }));
  return [...new Set(lines.flat())];
}

/** Removes the region's stacks, network and records; returns the versions of the engine stacks removed (their images go after). */
async function teardownRegion(ctx: RunContext, env: EnvironmentConfig, target: RegionTarget): Promise<string[]> {
  const service = ctx.config.serviceName;
  const network = networkName(service, env.name);
  const { engine, region } = target;
  const step = startBodyStep(ctx, 'teardown', 'stacks', region.name);
  const versions: string[] = [];
  if (region.orchestrator === 'swarm') {
    const stacks = await listSwarmStacks(engine, service, env.name, region.name, network);
    for (const stack of stacks) {
      await Promise.all(stack.services.map((s) => engine.removeService(s.id)));
      step.log(`removed stack ${stack.id} (version ${stack.version}${stack.promoted ? ', promoted' : ''}, ${stack.services.length} service${stack.services.length === 1 ? '' : 's'})`);
    }
    if (await removeOverlay(ctx, { target }, network, new Set(stacks.flatMap((st) => st.services.map((x) => x.id))))) step.log(`removed network ${network}`);
  } else {
    const stacks = await listStacks(engine, service, env.name, region.name, network);
    for (const stack of stacks) {
      await Promise.all(stack.containers.map((c) => engine.removeContainer(c.id)));
      step.log(`removed stack ${stack.id} (version ${stack.version}${stack.promoted ? ', promoted' : ''}, ${stack.containers.length} container${stack.containers.length === 1 ? '' : 's'})`);
    }
    versions.push(...stacks.map((s) => s.version));
    if (await engine.removeNetwork(network)) step.log(`removed network ${network}`);
  }
  const [history, once] = await Promise.all([forgetHistory(engine, service, env.name), forgetRunOnce(engine, service, env.name)]);
  if (history + once > 0) step.log(`forgot ${history} promotion${history === 1 ? '' : 's'} and ${once} run-once mark${once === 1 ? '' : 's'}`);
  step.pass();
  return versions;
}
