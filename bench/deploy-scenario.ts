/** (h): a deploy on an engine, `porter build provision` then `build promote` of examples/hello, against its floor. */
import { spawnSync } from 'node:child_process';
import { cp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import type { DeployFloorSpec } from './floor-deploy.js';
import type { BenchContext, Scenario } from './scenarios.js';
import { git, type Workspace } from './workspace.js';

const node = process.execPath;

/** How often the floor probes the health URL: what a hand-written deploy script would do. */
export const FLOOR_POLL_MS = 50;

interface HelloContainer {
  name: string;
  inet_port?: number;
  health_check?: { path?: string };
}

interface HelloConfig {
  service_name: string;
  hooks?: unknown;
  events?: unknown;
  environments: { name: string; regions: { containers: HelloContainer[] }[] }[];
}

/**
 * (h) Each run provisions a new stack of examples/hello and promotes it over the one before: the network exists
 * (made by the untimed first run), the image is loaded (packed once, untimed). The example's hooks are left out:
 * what is measured is the deploy itself, not a hook (the hook lists are (a)–(d)).
 */
export async function deployOnEngine(bench: BenchContext): Promise<Scenario> {
  const service = `${bench.ws.id}-h`;
  const floorService = `${bench.ws.id}-hf`;
  bench.ws.services.add(service).add(floorService);
  const repo = join(bench.ws.root, 'h');
  await cp(bench.example, repo, { recursive: true, filter: (src) => !src.includes('.porter-tmp') });
  const configFile = join(repo, '.porter', 'config');
  const config = parse(await readFile(configFile, 'utf8')) as HelloConfig;
  delete config.hooks;
  delete config.events;
  config.service_name = service;
  await writeFile(configFile, stringify(config));
  git(repo, 'init', '--quiet', '--initial-branch=main');
  git(repo, 'add', '--all');
  git(repo, 'commit', '--quiet', '-m', 'bench');
  const env = config.environments[0];
  const web = env?.regions[0]?.containers[0];
  if (!env || !web?.inet_port) throw new Error('bench (h): examples/hello has no inet container in its first environment');
  const packed = spawnSync(node, [bench.porterBin, '-C', repo, 'build', 'pack'], { env: bench.env, encoding: 'utf8' });
  if (packed.status !== 0) throw new Error(`bench (h): porter build pack failed:\n${packed.stdout}${packed.stderr}`);
  const spec: DeployFloorSpec = {
    service: floorService, image: await imageOf(bench.ws, service), containerPort: web.inet_port, healthPath: web.health_check?.path ?? '/',
    network: `${floorService}-net`, stateFile: join(bench.ws.root, 'h-floor-stack'), pollMs: FLOOR_POLL_MS,
  };
  const specFile = join(bench.ws.root, 'h-floor.json');
  await writeFile(specFile, JSON.stringify(spec, null, 2));
  const porter = `'${node}' '${bench.porterBin}' -C '${repo}' build`;
  const floor = `'${node}' '${join(bench.floorJs, '..', 'floor-deploy.js')}' '${specFile}'`;
  return {
    id: 'h', title: 'deploy of examples/hello on an engine: provision until healthy, then promote', target: 1.0,
    floorIs: `dockerode: container on the network, port published, GET /health every ${FLOOR_POLL_MS} ms until 2xx; then alias moved, old stack's dropped`,
    porter: { argv: ['/bin/sh', '-c', `${porter} provision -e ${env.name} && ${porter} promote -e ${env.name}`], env: bench.env },
    floor: { argv: ['/bin/sh', '-c', `${floor} provision && ${floor} promote`], env: bench.env },
    async afterRun(side) {
      // Two stacks at most: the one just promoted and the one it replaced; the next run demotes the newer.
      await keepNewestStacks(bench.ws, side === 'porter' ? service : floorService, 1);
    },
  };
}

/** The image porter packed for the service (its tag is porter's business: found by label). */
async function imageOf(ws: Workspace, service: string): Promise<string> {
  const images = await ws.docker.listImages({ filters: { label: [`porter.service=${service}`] } });
  const tag = images.flatMap((i) => i.RepoTags ?? []).find((t) => t !== '<none>:<none>');
  if (!tag) throw new Error(`bench (h): porter build pack left no image labelled porter.service=${service}`);
  return tag;
}

/** Removes every stack of `service` but the newest `keep` (by the `porter.stack` label). */
async function keepNewestStacks(ws: Workspace, service: string, keep: number): Promise<void> {
  const containers = await ws.docker.listContainers({ all: true, filters: { label: [`porter.service=${service}`, 'porter.stack'] } });
  // Both sides' stack ids end in a base-36 millisecond time of the same length: newest sorts last.
  const stacks = [...new Set(containers.map((c) => c.Labels['porter.stack'] ?? ''))].sort().reverse();
  const old = new Set(stacks.slice(keep));
  await Promise.all(containers.filter((c) => old.has(c.Labels['porter.stack'] ?? '')).map((c) => ws.docker.getContainer(c.Id).remove({ force: true, v: true })));
}
