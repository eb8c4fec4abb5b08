import { findEnvironment } from '../config/find-environment.js';
import type { EnvironmentConfig, PorterConfig, RegionConfig } from '../config/types.js';
import type { RunContext } from '../context.js';
import type { DockerEngine } from '../docker/engine.js';
import { EngineError, UsageError } from '../errors.js';
import type { HookScope } from '../hooks/environment.js';
import { publishAddress, type PublishAddress } from './publish.js';
import type { ProvisionState } from './state.js';

/** A region of the environment with its engine, answering. */
export interface RegionTarget {
  region: RegionConfig;
  engine: DockerEngine;
  address: PublishAddress;
}

/**
 * The environment promote and prune act on: `-e`, else the one last provisioned from this workspace, else the
 * config's only one; otherwise a usage error (exit 2) listing them.
 */
export function chooseEnvironment(config: PorterConfig, flag: string | undefined, state: ProvisionState, command: string): EnvironmentConfig {
  if (flag) return findEnvironment(config, flag);
  const last = state.last ? config.environments.find((e) => e.name === state.last) : undefined;
  if (last) return last;
  const [only, ...others] = config.environments;
  if (only && others.length === 0) return only;
  if (!only) throw new UsageError(`porter build ${command}: ${config.file} defines no environments; add one under environments: first.`);
  throw new UsageError(`porter build ${command} needs -e ENV: nothing was provisioned from this workspace, and ${config.file} defines ${config.environments.map((e) => e.name).join(', ')}. Run \`porter build ${command} -e ${only.name}\`, for example.`);
}

/** Engine-orchestrated regions only: Swarm regions are a different phase implementation. */
export function checkEngineRegions(env: EnvironmentConfig, command: string): void {
  const swarm = env.regions.find((r) => r.orchestrator === 'swarm');
  if (swarm) throw new UsageError(`porter build ${command} -e ${env.name}: region ${swarm.name} has orchestrator: swarm, which this porter does not run yet. Use orchestrator: engine (the default) for it.`);
}

/** Every region's engine, pinged concurrently before anything is made; an unreachable one is exit 2 naming the region. */
export async function connectRegions(ctx: RunContext, env: EnvironmentConfig): Promise<RegionTarget[]> {
  return Promise.all(
    env.regions.map(async (region) => {
      const engine = ctx.engineFor(region.dockerHost);
      try {
        await engine.ping(ctx.signal);
      } catch (err) {
        if (err instanceof EngineError) throw new EngineError(`Region ${region.name} of ${env.name}: ${err.message}`, { cause: err });
        throw err;
      }
      return { region, engine, address: publishAddress(engine.host, ctx.hostEnv) };
    }),
  );
}

/** The scopes a phase's hook lists run in: one per region of the environment. */
export function regionScopes(env: EnvironmentConfig): HookScope[] {
  return env.regions.map((r) => ({ environment: env.name, region: r.name }));
}
