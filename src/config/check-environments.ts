import { checkDuration } from './check-hooks.js';
import { repoPathProblem } from './safe-path.js';
import { entry, get, getString, keyPlace, mapItems } from './tree.js';
import type { CheckContext, MapNode, Place, TreeNode } from './tree.js';

/** The checks on `environments` that the schema cannot express: unique names, inet ports, safe Dockerfile paths. */
export async function checkEnvironments(root: MapNode, ctx: CheckContext): Promise<void> {
  const envs = mapItems(get(root, 'environments'));
  unique(envs, 'environment', 'environments', ctx);
  for (const env of envs) {
    const regions = mapItems(get(env, 'regions'));
    unique(regions, 'region', `the regions of ${getString(env, 'name') ?? env.path}`, ctx);
    for (const region of regions) {
      const containers = mapItems(get(region, 'containers'));
      checkContainerList(containers, region.path, ctx);
      checkSwarmKeys(region, ctx);
      for (const c of containers) await checkContainer(c, ctx);
    }
  }
  const top = mapItems(get(root, 'containers'));
  checkContainerList(top, 'containers', ctx);
  for (const c of top) await checkContainer(c, ctx);
}

/** Names are unique, and only a lone container may leave its name out (it is `primary`, as in the original). */
function checkContainerList(containers: MapNode[], where: string, ctx: CheckContext): void {
  unique(containers, 'container', `the containers of ${where}`, ctx);
  if (containers.length < 2) return;
  for (const c of containers) {
    if (!get(c, 'name')) ctx.report({ line: c.line, path: `${c.path}.name` }, 'is missing; with more than one container each needs a name (only a lone container may leave it out: it is then "primary").');
  }
}

/** endpoint_mode and publish_mode only mean something on a Swarm region, and the routing mesh needs a virtual IP. */
function checkSwarmKeys(region: MapNode, ctx: CheckContext): void {
  const swarm = getString(region, 'orchestrator') === 'swarm';
  for (const key of ['endpoint_mode', 'publish_mode']) {
    const node = get(region, key);
    if (node && !swarm) ctx.report(node, `is only for orchestrator: swarm; this region runs on one engine, so remove ${key} or set orchestrator: swarm.`);
  }
  const publish = get(region, 'publish_mode');
  if (swarm && publish && getString(region, 'publish_mode') === 'ingress' && getString(region, 'endpoint_mode') !== 'vip') {
    ctx.report(publish, 'ingress (the routing mesh) needs endpoint_mode: vip; Swarm refuses ingress ports with dnsrr. Use publish_mode: host, or set endpoint_mode: vip (which needs IPVS on every node).');
  }
}

async function checkContainer(c: MapNode, ctx: CheckContext): Promise<void> {
  const topology = getString(c, 'topology');
  const port = get(c, 'inet_port');
  if (topology === 'cron') {
    ctx.report(get(c, 'topology') ?? c, 'cron is not a topology porter runs: the original porter documented it but never implemented it. Use worker for a container that runs on its own schedule, or a user-defined hook list started by your scheduler (porter build hook -name NAME).');
  }
  if (topology === 'worker' && port) {
    ctx.report(port, 'is only for topology: inet; a worker receives no traffic, so remove inet_port or set topology: inet.');
  }
  for (const key of ['dockerfile', 'dockerfile_build']) {
    const node = get(c, key);
    if (node) await checkPath(node, ctx);
  }
  const health = get(c, 'health_check');
  const timeout = health?.kind === 'map' ? get(health, 'timeout') : undefined;
  if (timeout) checkDuration(timeout, ctx);
}

async function checkPath(node: TreeNode, ctx: CheckContext): Promise<void> {
  if (node.kind !== 'scalar' || typeof node.value !== 'string' || !ctx.clean(node.path)) return;
  const problem = await repoPathProblem(ctx.realRoot, node.value, 'Dockerfile', false);
  if (problem) ctx.report(node, problem);
}

/** Reports a second item with the same `name`, naming both lines. */
function unique(items: MapNode[], what: string, where: string, ctx: CheckContext): void {
  const seen = new Map<string, Place>();
  for (const item of items) {
    const name = entry(item, 'name');
    const text = getString(item, 'name');
    if (!name || text === undefined) continue;
    const first = seen.get(text);
    if (!first) {
      seen.set(text, { line: name.keyLine, path: item.path });
      continue;
    }
    ctx.report(keyPlace(name), `${what} "${text}" is already defined at ${first.path} (line ${first.line}); names must be unique among ${where}, so rename one of them (lines ${first.line} and ${name.keyLine}).`);
  }
}
