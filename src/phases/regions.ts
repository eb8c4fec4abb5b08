import { findEnvironment } from '../config/find-environment.js';
import type { EnvironmentConfig, PorterConfig, RegionConfig } from '../config/types.js';
import type { RunContext } from '../context.js';
import { NotSwarmManager, type DockerEngine } from '../docker/engine.js';
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

/**
 * Every region's engine, pinged concurrently before anything is made; an unreachable one, or a Swarm region's engine
 * that is not a manager, is exit 2 naming the region.
 */
export async function connectRegions(ctx: RunContext, env: EnvironmentConfig): Promise<RegionTarget[]> {
  return Promise.all(
    env.regions.map(async (region) => {
      const engine = ctx.engineFor(region.dockerHost);
      try {
        await engine.ping(ctx.signal);
        if (region.orchestrator === 'swarm') await engine.requireSwarmManager();
      } catch (err) {
        if (err instanceof NotSwarmManager) {
          throw new EngineError(`Region ${region.name} of ${env.name} has orchestrator: swarm, but ${err.message}. Point docker_host of the region at a manager of the swarm (docker swarm init, or docker node promote), or use orchestrator: engine.`, { cause: err });
        }
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
