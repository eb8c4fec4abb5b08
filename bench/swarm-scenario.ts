/**
 * (i): a promote on a single-node Swarm, `porter build promote` of examples/hello against its floor
 * (bench/floor-swarm.ts). The swarm is the test suite's lab (test/helpers/swarm-lab.ts) with one node: a dockerd of
 * the bench's own in its own network namespace, made a swarm manager, and a registry; the shared engine is never
 * made a swarm. The lab is TypeScript under test/, loaded through tsx at run time (the bench's own build covers bench/ only).
 */
import { cp, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import Docker from 'dockerode';
import { tsImport } from 'tsx/esm/api';
import { parse, stringify } from 'yaml';
import type { SwarmFloorSpec } from './floor-swarm.js';
import type { BenchContext, Scenario } from './scenarios.js';
import { git } from './workspace.js';

const node = process.execPath;

/** How often the floor polls an update: what a hand-written script would do. */
export const SWARM_FLOOR_POLL_MS = 50;

/** What the bench uses of test/helpers/swarm-lab.ts (declared here: the bench's build does not compile test/). */
interface Lab {
  managerHost: string;
  registry: string;
  teardown(): Promise<string[]>;
}
interface LabModule {
  swarmLabUnavailable(): Promise<string | undefined>;
  createSwarmLab(options: { nodes: 1 }): Promise<Lab>;
}
interface RegistryModule {
  REGISTRY_USER: string;
  REGISTRY_PASSWORD: string;
}

const helper = async <T>(name: string): Promise<T> => (await tsImport(`../../test/helpers/${name}.ts`, import.meta.url)) as T;

/**
 * Each run promotes a stack provisioned just before it (untimed, by porter) over the one the run before promoted;
 * after it (untimed) the stacks that lost the alias are removed. Both sides promote the same kind of stack: one
 * service of examples/hello's image, one replica, a HEALTHCHECK, porter's update config (start-first, 2 s monitor).
 */
export async function promoteOnSwarm(bench: BenchContext): Promise<Scenario> {
  const labs = await helper<LabModule>('swarm-lab');
  const why = await labs.swarmLabUnavailable();
  if (why) throw new Error(`bench (i): no single-node swarm here: ${why}`);
  const lab = await labs.createSwarmLab({ nodes: 1 });
  bench.onCleanup(async () => {
    const left = await lab.teardown();
    if (left.length) process.stderr.write(`bench (i): the swarm lab left behind: ${left.join('; ')}\n`);
  });
  const { REGISTRY_USER, REGISTRY_PASSWORD } = await helper<RegistryModule>('registry');
  const dockerConfig = join(bench.ws.root, 'i-docker-config');
  await writeFileIn(dockerConfig, 'config.json', `${JSON.stringify({ auths: { [`http://${lab.registry}`]: { auth: Buffer.from(`${REGISTRY_USER}:${REGISTRY_PASSWORD}`).toString('base64') } } })}\n`);
  const env = { ...bench.env, DOCKER_HOST: lab.managerHost, DOCKER_CONFIG: dockerConfig };

  const service = `${bench.ws.id}-i`;
  const repo = join(bench.ws.root, 'i');
  await cp(bench.example, repo, { recursive: true, filter: (src) => !src.includes('.porter-tmp') });
  const configFile = join(repo, '.porter', 'config');
  const config = parse(await readFile(configFile, 'utf8')) as { service_name: string; hooks?: unknown; events?: unknown; environments: unknown[] };
  delete config.hooks;
  delete config.events;
  config.service_name = service;
  config.environments = [{
    name: 'Stage', registry: lab.registry,
    regions: [{ name: 'swarm', orchestrator: 'swarm', containers: [{ name: 'web', topology: 'inet', inet_port: 8080, replicas: 1, health_check: { method: 'GET', path: '/health', timeout: '30s' } }] }],
  }];
  await writeFile(configFile, stringify(config));
  git(repo, 'init', '--quiet', '--initial-branch=main');
  git(repo, 'add', '--all');
  git(repo, 'commit', '--quiet', '-m', 'bench');
  const porter = (...args: string[]): ReturnType<typeof spawnSync> => spawnSync(node, [bench.porterBin, '-C', repo, 'build', ...args], { env, encoding: 'utf8' });
  const packed = porter('pack');
  if (packed.status !== 0) throw new Error(`bench (i): porter build pack failed:\n${String(packed.stdout)}${String(packed.stderr)}`);

  const docker = new Docker({ socketPath: lab.managerHost.replace(/^unix:\/\//, '') });
  const network = `porter-${service}-Stage`;
  const spec: SwarmFloorSpec = { socketPath: lab.managerHost.replace(/^unix:\/\//, ''), service, network, pollMs: SWARM_FLOOR_POLL_MS };
  const specFile = join(bench.ws.root, 'i-floor.json');
  await writeFile(specFile, JSON.stringify(spec, null, 2));
  return {
    id: 'i', title: 'promote of examples/hello on a single-node Swarm', target: 1.0,
    floorIs: `dockerode: one service update per service (alias added, then the old stack's removed), each polled every ${SWARM_FLOOR_POLL_MS} ms until completed with its replicas running`,
    porter: { argv: [node, bench.porterBin, '-C', repo, 'build', 'promote', '-e', 'Stage'], env },
    floor: { argv: [node, join(bench.floorJs, '..', 'floor-swarm.js'), specFile], env },
    async beforeRun() {
      const provisioned = porter('provision', '-e', 'Stage');
      if (provisioned.status !== 0) throw new Error(`bench (i): porter build provision failed:\n${String(provisioned.stdout)}${String(provisioned.stderr)}`);
    },
    async afterRun() {
      await removeUnpromoted(docker, service, network);
    },
  };
}

async function writeFileIn(dir: string, name: string, text: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, name), text);
}

/** Removes the service's Swarm services that do not carry the alias (the stack the run just replaced). */
async function removeUnpromoted(docker: Docker, service: string, network: string): Promise<void> {
  const networkId = ((await docker.getNetwork(network).inspect()) as { Id: string }).Id;
  const services = await docker.listServices({ filters: { label: [`porter.service=${service}`] } });
  const unpromoted = services.filter((s) => !(s.Spec?.TaskTemplate as Docker.ContainerTaskSpec | undefined)?.Networks?.some((n) => n.Target === networkId && (n.Aliases ?? []).includes(service)));
  await Promise.all(unpromoted.map((s) => docker.getService(s.ID).remove()));
}
