import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { findEnvironment } from '../config/find-environment.js';
import type { RunContext } from '../context.js';
import { StateError } from '../errors.js';
import type { ListStatus } from '../events.js';
import type { HookScope } from '../hooks/environment.js';
import { startBodyStep } from './body-step.js';
import { hookListRunner } from './hook-lists.js';
import type { PublishAddress } from './publish.js';
import { connectRegions, regionScopes } from './regions.js';
import { runPhase } from './run-phase.js';
import { newStackId } from './stack-names.js';
import { startStack, type StackOutcome } from './provision-region.js';
import { startSwarmStack, swarmImages } from './provision-swarm.js';
import { recordProvision, requireManifest, StateFiles, type Manifest } from './state.js';

export interface ProvisionOptions {
  /** Host port chooser (tests offer a taken port first); default: a free one. */
  pickPort?: (address: PublishAddress) => Promise<number>;
}

/**
 * `porter build provision -e ENV`: pre_provision → a new stack in every region, concurrently, healthy or removed →
 * post_provision with PORTER_STACK_ID and PORTER_STACK_URL. All regions or none: when one fails, the others'
 * new stacks are removed too, so `.porter-tmp/provision.json` never names a half-provisioned environment.
 */
export async function buildProvision(ctx: RunContext, envName: string, opts: ProvisionOptions = {}): Promise<ListStatus> {
  const env = findEnvironment(ctx.config, envName);
  const manifest = await requireManifest(ctx.tmpDir, `porter build provision -e ${env.name}`);
  const payloadFile = join(ctx.tmpDir, StateFiles.payload);
  await checkPayload(ctx, manifest, env.regions.flatMap((r) => r.containers.map((c) => c.name)), payloadFile);
  const swarmRefs = swarmImages(ctx, env, manifest);
  const targets = await connectRegions(ctx, env);
  const stackId = newStackId(manifest.version, ctx.now());
  return runPhase(
    {
      phase: 'provision',
      environment: env.name,
      scopes: regionScopes(env),
      body: async () => {
        // Recorded before any container exists: if porter is killed now, the next holder of the lock removes the stack.
        await ctx.envLock?.note({ action: 'provision', stackId });
        const steps = targets.map((t) => startBodyStep(ctx, 'provision', 'stack', t.region.name));
        const settled = await Promise.allSettled(targets.map((target, i) => {
          const req = { env, target, stackId, manifest, payloadFile, step: steps[i]!, ...(opts.pickPort ? { pickPort: opts.pickPort } : {}) };
          return target.region.orchestrator === 'swarm' ? startSwarmStack(ctx, req, swarmRefs) : startStack(ctx, req);
        }));
        const ok = settled.flatMap((s) => (s.status === 'fulfilled' && s.value.ok ? [s.value] : []));
        if (ok.length < settled.length) {
          await Promise.all(ok.map((o) => o.remove()));
          if (!settled.some((s) => s.status === 'rejected')) await ctx.envLock?.note(undefined);
          settled.forEach((s, i) => reportFailure(s, steps[i]!, targets.length > 1));
          const thrown = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
          if (thrown) throw thrown.reason;
          return { status: 'failed', postScopes: regionScopes(env) };
        }
        steps.forEach((s) => s.pass());
        const records = ok.map((o) => o.record);
        // Healthy everywhere: from here a kill leaves an unrecorded stack that prune removes, never a removed recorded one.
        await ctx.envLock?.note(undefined);
        await recordProvision(ctx.tmpDir, { environment: env.name, stackId, version: manifest.version, created: new Date(ctx.now()).toISOString(), regions: records });
        for (const r of records) ctx.emit({ type: 'message', level: 'info', text: `Stack ${stackId} is up in region ${r.region} of ${env.name}${r.url ? `: ${r.url}` : ''}` });
        const postScopes: HookScope[] = records.map((r, i) => ({ environment: env.name, region: r.region, stackId, ...(r.url ? { stackUrl: r.url, hostNetwork: targets[i]?.address.local ?? false } : {}) }));
        return { status: 'passed', postScopes };
      },
    },
    hookListRunner(() => ctx),
    ctx.emit,
    ctx.now,
  );
}

function reportFailure(s: PromiseSettledResult<StackOutcome>, step: ReturnType<typeof startBodyStep>, several: boolean): void {
  if (s.status === 'rejected') {
    step.cancel(s.reason instanceof Error ? s.reason.message : String(s.reason));
  } else if (!s.value.ok) {
    step.fail(s.value.message, s.value.lines);
  } else if (several) {
    step.cancel('Removed again: another region of the environment failed, and porter provisions all regions or none.');
  }
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
