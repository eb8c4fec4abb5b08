import type { EnvironmentConfig, PorterConfig } from '../config/types.js';
import type { RunContext } from '../context.js';
import { PushFailure } from '../docker/engine.js';
import { clientConfigPath, type FoundAuth } from '../docker/registry-auth.js';
import type { BodyStep } from './body-step.js';
import type { PushedImage } from './state.js';

type HostEnv = Readonly<Record<string, string | undefined>>;

/**
 * The registry an environment's images are pushed to and pulled from: its `registry`, else the original porter's
 * `DOCKER_REGISTRY` (joined with `DOCKER_REPOSITORY` when set) from porter's environment; undefined without either.
 */
export function registryOf(env: EnvironmentConfig, hostEnv: HostEnv): string | undefined {
  if (env.registry) return env.registry.replace(/\/+$/, '');
  const registry = hostEnv.DOCKER_REGISTRY?.trim().replace(/\/+$/, '');
  if (!registry) return undefined;
  const repository = hostEnv.DOCKER_REPOSITORY?.trim().replace(/^\/+|\/+$/g, '');
  return repository ? `${registry}/${repository}` : registry;
}

/** Every registry `build pack` pushes to: one per environment that has one, each once, in config order. */
export function packRegistries(config: PorterConfig, hostEnv: HostEnv): string[] {
  return [...new Set(config.environments.flatMap((e) => registryOf(e, hostEnv) ?? []))];
}

/** A registry and the credentials porter uses with it (none: anonymously). */
export interface RegistryLogin {
  registry: string;
  found: FoundAuth | undefined;
}

/** The credentials of each registry; UsageError when the config or a helper is broken. */
export async function registryLogins(ctx: RunContext, registries: readonly string[]): Promise<RegistryLogin[]> {
  const logins: RegistryLogin[] = [];
  for (const registry of registries) logins.push({ registry, found: await ctx.registryLogin(registry) });
  return logins;
}

/** The repository of a container's image in a registry: `<registry>/<service>-<container>`. */
export function registryRepo(registry: string, service: string, container: string): string {
  return `${registry}/${service.toLowerCase()}-${container}`;
}

/**
 * Tags a packed image into every registry and pushes it there; the pushed references are by digest
 * (`<repo>@sha256:…`), what Swarm nodes pull. Undefined when a push failed, already reported on `step`.
 */
export async function pushToRegistries(ctx: RunContext, image: { container: string; id: string }, registries: readonly RegistryLogin[], step: BodyStep): Promise<PushedImage[] | undefined> {
  const pushed: PushedImage[] = [];
  for (const { registry, found } of registries) {
    const repo = registryRepo(registry, ctx.config.serviceName, image.container);
    try {
      await ctx.engine.tagImage(image.id, repo, ctx.serviceVersion);
      const digest = await ctx.engine.pushImage(repo, ctx.serviceVersion, found?.auth, (line) => step.log(`push: ${line}`), ctx.signal);
      pushed.push({ registry, ref: `${repo}@${digest}` });
      step.log(`pushed ${repo}:${ctx.serviceVersion} (${digest})`);
    } catch (err) {
      if (!(err instanceof PushFailure)) throw err;
      const login = found ? `with the credentials of ${found.from}` : `without credentials (${clientConfigPath(ctx.hostEnv)} has none for it; log in with docker login, or set DOCKER_CONFIG)`;
      step.fail(`pack ${image.container}: pushing ${repo}:${ctx.serviceVersion} to the registry ${registry} failed: ${err.message}. porter pushed ${login}. Check that the registry is reachable from the Docker engine at ${ctx.engine.host} (an http registry must be in the engine's insecure-registries) and accepts these pushes.`);
      return undefined;
    }
  }
  return pushed;
}
