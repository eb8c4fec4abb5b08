/** The floor of `porter build pack`, read off the service's config: its pack hooks, then its container images. */
import { dirname, join } from 'node:path';
import { parse } from 'yaml';
import type { FloorSpec } from './floor.js';

interface RawHook {
  dockerfile?: string;
  repo?: string;
  repo_root?: string;
}

interface RawConfig {
  hooks?: Record<string, RawHook[]>;
  environments?: { regions?: { containers?: { name: string; dockerfile?: string; dockerfile_build?: string }[] }[] }[];
}

/**
 * pre_pack and post_pack hooks (run in order, as in scenario (a)), then one build per distinct container with
 * the repo root as context and PORTER_SERVICE_VERSION as build arg, then one `docker save` of them all into
 * `payload`. Plugins and builder images are not modelled: such a config is refused rather than measured wrong.
 */
export function packFloorSpec(configText: string, repoDir: string, service: string, version: string, payload: string): FloorSpec {
  const config = parse(configText) as RawConfig;
  const hooks = [...(config.hooks?.pre_pack ?? []), ...(config.hooks?.post_pack ?? [])];
  if (hooks.some((h) => h.repo)) throw new Error('bench (f): the floor does not model plugin hooks');
  const containers = new Map<string, string>();
  for (const env of config.environments ?? []) {
    for (const region of env.regions ?? []) {
      for (const c of region.containers ?? []) {
        if (c.dockerfile_build) throw new Error('bench (f): the floor does not model dockerfile_build');
        containers.set(c.name, c.dockerfile ?? 'Dockerfile');
      }
    }
  }
  const floorHooks = hooks.map((h, i) => ({ contextDir: join(repoDir, dirname(h.dockerfile ?? '')), dockerfile: 'Dockerfile', tag: `${service}-floor-hook${i}` }));
  return {
    mode: 'sequence', repoDir, payload,
    labels: { 'porter.service': service, 'bench.side': 'floor' },
    hooks: floorHooks,
    readOnly: floorHooks.filter((_, i) => hooks[i]?.repo_root === 'ro').map((h) => h.tag),
    images: [...containers].map(([name, dockerfile]) => ({
      contextDir: repoDir, dockerfile, tag: `${service}-floor-${name}:${version}`, buildArgs: { PORTER_SERVICE_VERSION: version },
    })),
  };
}
