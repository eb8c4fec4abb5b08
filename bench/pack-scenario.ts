/** (f): `porter build pack` of examples/hello, and its floor read off the service's config. */
import { cp, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { parse } from 'yaml';
import type { FloorSpec } from './floor.js';
import type { BenchContext, Scenario } from './scenarios.js';
import { git } from './workspace.js';

const node = process.execPath;

/** (f) `porter build pack` of a copy of examples/hello (renamed t-bench-...), against its floor. */
export async function packHello(bench: BenchContext): Promise<Scenario> {
  const service = `${bench.ws.id}-f`;
  bench.ws.services.add(service);
  const repo = join(bench.ws.root, 'f');
  await cp(bench.example, repo, { recursive: true, filter: (src) => !src.includes('.porter-tmp') });
  const configFile = join(repo, '.porter', 'config');
  await writeFile(configFile, (await readFile(configFile, 'utf8')).replace(/^service_name:.*$/m, `service_name: ${service}`));
  git(repo, 'init', '--quiet', '--initial-branch=main');
  git(repo, 'add', '--all');
  git(repo, 'commit', '--quiet', '-m', 'bench');
  const spec = packFloorSpec(await readFile(configFile, 'utf8'), repo, service, git(repo, 'rev-parse', '--short', 'HEAD'), join(bench.ws.root, 'f-floor-payload.tar'));
  const specFile = join(bench.ws.root, 'f-floor.json');
  await writeFile(specFile, JSON.stringify(spec, null, 2));
  return {
    id: 'f', title: 'pack of examples/hello', floorIs: 'dockerode: pre_/post_pack hooks as in (a), build the service image (cached), save it to a tar', target: undefined, repsFactor: 3,
    // As scripts/example does: the example's post_provision plugin is this repository at its checked-out commit.
    porter: { argv: [node, bench.porterBin, '-C', repo, 'build', 'pack'], env: { ...bench.env, ...pluginEnv(bench.example) } },
    floor: { argv: [node, bench.floorJs, specFile], env: bench.env },
    async check() {
      const size = async (file: string): Promise<number> => (await stat(file).catch(() => undefined))?.size ?? 0;
      const [porterTar, floorTar] = [await size(join(repo, '.porter-tmp', 'payload.tar')), await size(spec.payload ?? '')];
      const note = `payload tar: porter ${(porterTar / 2 ** 20).toFixed(1)} MB, floor ${(floorTar / 2 ** 20).toFixed(1)} MB`;
      return porterTar > 0 && floorTar > 0 ? { note } : { problem: 'a payload tar is missing', note };
    },
  };
}

/** PORTER_PLUGINS_REPO and _REF as scripts/example sets them (pack validates the whole config, post_provision too). */
function pluginEnv(example: string): Record<string, string> {
  const root = git(example, 'rev-parse', '--show-toplevel');
  return { PORTER_PLUGINS_REPO: `file://${root}`, PORTER_PLUGINS_REF: git(root, 'rev-parse', 'HEAD') };
}

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
