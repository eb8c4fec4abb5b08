import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { findEnvironment } from '../config/find-environment.js';
import type { ContainerConfig, EnvironmentConfig } from '../config/types.js';
import type { RunContext } from '../context.js';
import { StateError } from '../errors.js';
import type { ListStatus } from '../events.js';
import { allRegions } from './all-regions.js';
import { buildHotSwap, stacksToSwap } from './hot-swap.js';
import { hookListRunner } from './hook-lists.js';
import type { PublishAddress } from './publish.js';
import { connectRegions, regionScopes } from './regions.js';
import { runPhase } from './run-phase.js';
import { newStackId } from './stack-names.js';
import { runSrcEnvFiles } from './src-env-file.js';
import { startStack } from './provision-region.js';
import { startSwarmStack, swarmImages } from './provision-swarm.js';
import { runOncePolicy } from './run-once.js';
import { requireManifest, StateFiles, type Manifest } from './state.js';

export interface ProvisionOptions {
  /** Host port chooser (tests offer a taken port first); default: a free one. */
  pickPort?: (address: PublishAddress) => Promise<number>;
}

/**
 * `porter build provision -e ENV`: pre_provision → a new stack in every region, concurrently, healthy or removed →
 * post_provision with PORTER_STACK_ID and PORTER_STACK_URL. All regions or none (allRegions). With `hot_swap: true`
 * and a promoted stack, its containers are replaced in place instead (buildHotSwap).
 */
export async function buildProvision(ctx: RunContext, envName: string, opts: ProvisionOptions = {}): Promise<ListStatus> {
  const named = findEnvironment(ctx.config, envName);
  const manifest = await requireManifest(ctx.tmpDir, `porter build provision -e ${named.name}`);
  const env = withPackedPorts(named, manifest);
  const payloadFile = join(ctx.tmpDir, StateFiles.payload);
  await checkPayload(ctx, manifest, env.regions.flatMap((r) => r.containers.map((c) => c.name)), payloadFile);
  const swarmRefs = swarmImages(ctx, env, manifest);
  const targets = await connectRegions(ctx, env);
  // Before any hook or container: a failing program is exit 2 with nothing started.
  const srcEnv = await runSrcEnvFiles(ctx, env);
  const promoted = env.hotSwap ? await stacksToSwap(ctx, env, targets) : undefined;
  if (promoted) return buildHotSwap(ctx, { env, targets, manifest, payloadFile, srcEnv, swarmImages: swarmRefs, stackId: promoted, ...(opts.pickPort ? { pickPort: opts.pickPort } : {}) });
  const stackId = newStackId(manifest.version, ctx.now());
  const once = await runOncePolicy(ctx, env.name, targets.map((t) => t.engine));
  const status = await runPhase(
    {
      phase: 'provision',
      environment: env.name,
      scopes: regionScopes(env),
      body: async () => {
        // Recorded before any container exists: if porter is killed now, the next holder of the lock removes the stack.
        await ctx.envLock?.note({ action: 'provision', stackId });
        return allRegions(ctx, {
          env, targets, stackId, version: manifest.version, step: 'stack',
          run: (target, step) => {
            const req = { env, target, stackId, manifest, payloadFile, srcEnv, step, ...(opts.pickPort ? { pickPort: opts.pickPort } : {}) };
            return target.region.orchestrator === 'swarm' ? startSwarmStack(ctx, req, swarmRefs) : startStack(ctx, req);
          },
        });
      },
    },
    hookListRunner(() => ctx, once.options),
    ctx.emit,
    ctx.now,
  );
  if (status === 'passed') await once.record();
  return status;
}

/** The environment with each inet container that has no `inet_port` given the port its packed image EXPOSEs. */
export function withPackedPorts(env: EnvironmentConfig, manifest: Manifest): EnvironmentConfig {
  const portOf = (c: ContainerConfig): number | undefined => manifest.images.find((i) => i.container === c.name)?.inetPort;
  return {
    ...env,
    regions: env.regions.map((r) => ({
      ...r,
      containers: r.containers.map((c) => {
        const inetPort = c.topology === 'inet' && c.inetPort === undefined ? portOf(c) : undefined;
        return inetPort === undefined ? c : { ...c, inetPort };
      }),
    })),
  };
}

/** Provision needs every container's image in the manifest, and the payload file to load into engines that lack them. */
async function checkPayload(ctx: RunContext, manifest: Manifest, containers: string[], payloadFile: string): Promise<void> {
  const missing = [...new Set(containers)].filter((c) => !manifest.images.some((i) => i.container === c));
  if (missing.length > 0) {
    throw new StateError(`The packed payload has no image for container${missing.length > 1 ? 's' : ''} ${missing.join(', ')} (packed at version ${manifest.version}). Run \`porter build pack\` again.`);
  }
  if (manifest.service !== ctx.config.serviceName) {
    throw new StateError(`The payload in ${ctx.tmpDir} is of service ${manifest.service}, not ${ctx.config.serviceName}. Run \`porter build pack\` again.`);
  }
  if (manifest.images.length > 0 && !(await stat(payloadFile).then((s) => s.isFile(), () => false))) {
    throw new StateError(`${payloadFile} is missing (it was deleted since \`porter build pack\`). Run \`porter build pack\` again.`);
  }
}
