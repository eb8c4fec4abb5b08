import type { EnvironmentConfig } from '../config/types.js';
import type { RunContext } from '../context.js';
import type { ListStatus } from '../events.js';
import { allRegions } from './all-regions.js';
import { hookListRunner } from './hook-lists.js';
import { swapRegion } from './hot-swap-region.js';
import { swapSwarmRegion } from './hot-swap-swarm.js';
import type { StackRequest } from './provision-region.js';
import type { PublishAddress } from './publish.js';
import { regionScopes, type RegionTarget } from './regions.js';
import { runPhase } from './run-phase.js';
import { networkName } from './stack-names.js';
import { listStacks, type Stack } from './stacks.js';
import type { Manifest } from './state.js';
import type { SrcEnv } from './src-env-file.js';
import { listSwarmStacks, type SwarmStack } from './swarm-stacks.js';

export interface HotSwapRequest {
  env: EnvironmentConfig;
  targets: readonly RegionTarget[];
  manifest: Manifest;
  payloadFile: string;
  srcEnv: SrcEnv;
  /** The image each container of a Swarm region runs (swarmImages). */
  swarmImages: ReadonlyMap<string, string>;
  /** The promoted stack, the same in every region. */
  stackId: string;
  pickPort?: (address: PublishAddress) => Promise<number>;
}

/**
 * The stack a hot-swap environment's provision replaces in place: the promoted one, when every region has the same
 * one promoted. Otherwise (nothing promoted yet, regions that differ) provision starts a new stack as usual, and
 * says why.
 */
export async function stacksToSwap(ctx: RunContext, env: EnvironmentConfig, targets: readonly RegionTarget[]): Promise<string | undefined> {
  const say = (why: string): undefined => void ctx.emit({ type: 'message', level: 'info', text: `hot_swap: ${why}, so provision starts a new stack in ${env.name}.` });
  const promoted = await Promise.all(targets.map(async (t) => (await promotedStack(ctx, env, t))?.id));
  const [first] = promoted;
  if (first === undefined || promoted.some((id) => id === undefined)) return say('no stack is promoted yet');
  if (promoted.some((id) => id !== first)) return say(`the regions have different stacks promoted (${[...new Set(promoted)].join(', ')})`);
  return first;
}

async function promotedStack(ctx: RunContext, env: EnvironmentConfig, t: RegionTarget): Promise<Stack | SwarmStack | undefined> {
  const service = ctx.config.serviceName;
  const list = t.region.orchestrator === 'swarm' ? listSwarmStacks : listStacks;
  return (await list(t.engine, service, env.name, t.region.name, networkName(service, env.name))).find((s) => s.promoted);
}

/**
 * `porter build provision -e ENV` with `hot_swap: true` and a promoted stack: pre_hotswap → the promoted stack's
 * containers replaced in place in every region (swapRegion, swapSwarmRegion; same stack id) → post_hotswap. All regions
 * or none: when one fails, every region's old containers come back. A promote afterwards has nothing to do.
 */
export async function buildHotSwap(ctx: RunContext, req: HotSwapRequest): Promise<ListStatus> {
  const { env, targets, stackId } = req;
  ctx.emit({ type: 'message', level: 'info', text: `hot_swap: replacing the containers of stack ${stackId} in place in ${env.name}.` });
  return runPhase(
    {
      phase: 'provision',
      lists: { pre: 'pre_hotswap', post: 'post_hotswap' },
      environment: env.name,
      scopes: regionScopes(env),
      body: () => allRegions(ctx, {
        env, targets, stackId, version: req.manifest.version, step: 'hotswap',
        run: async (target, step) => {
          const stack = await promotedStack(ctx, env, target);
          const sreq: StackRequest = { env, target, stackId, manifest: req.manifest, payloadFile: req.payloadFile, srcEnv: req.srcEnv, step, ...(req.pickPort ? { pickPort: req.pickPort } : {}) };
          if (!stack || stack.id !== stackId) return { ok: false, message: `Stack ${stackId} in region ${target.region.name} is no longer promoted; nothing was swapped. Run \`porter build provision -e ${env.name}\` again.`, lines: [] };
          return 'services' in stack ? swapSwarmRegion(ctx, sreq, stack, req.swarmImages) : swapRegion(ctx, sreq, stack);
        },
      }),
    },
    hookListRunner(() => ctx),
    ctx.emit,
    ctx.now,
  );
}
