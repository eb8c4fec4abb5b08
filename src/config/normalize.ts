import { parseDuration } from './duration.js';
import { normalizeEventHooks } from './event-hooks.js';
import { normalizeRelPath } from './safe-path.js';
import { get, getString, getText, mapItems } from './tree.js';
import type { MapNode, TreeNode } from './tree.js';
import type { ContainerConfig, EnvEntry, EnvironmentConfig, HookConfig, PorterConfig, RegionConfig, RunCondition } from './types.js';

/**
 * Builds the `PorterConfig` from a tree that passed every check, filling in the defaults the
 * schema documents. `hooks` and `buildArgs` have no prototype, so a list named `constructor`
 * is just a list.
 */
export function normalizeConfig(root: MapNode, file: string): PorterConfig {
  const hooks: Record<string, HookConfig[]> = Object.create(null) as Record<string, HookConfig[]>;
  const hooksNode = get(root, 'hooks');
  if (hooksNode?.kind === 'map') {
    for (const list of hooksNode.entries) hooks[list.key] = mapItems(list.value).map((h, i) => normalizeHook(h, list.key, i));
  }
  const porterVersion = getText(root, 'porter_version');
  const hookTimeoutMs = duration(root, 'hook_timeout');
  return {
    file,
    serviceName: getString(root, 'service_name') ?? '',
    ...(porterVersion !== undefined ? { porterVersion } : {}),
    ...(hookTimeoutMs !== undefined ? { hookTimeoutMs } : {}),
    hooks,
    environments: mapItems(get(root, 'environments')).map(normalizeEnvironment),
    events: normalizeEventHooks(root),
  };
}

function normalizeHook(h: MapNode, list: string, index: number): HookConfig {
  const repo = getString(h, 'repo');
  const ref = getString(h, 'ref');
  const dockerfile = getString(h, 'dockerfile');
  const envFile = getString(h, 'env_file');
  const timeoutMs = duration(h, 'timeout');
  const buildArgs: Record<string, string> = Object.create(null) as Record<string, string>;
  const args = get(h, 'build_args');
  if (args?.kind === 'map') for (const e of args.entries) buildArgs[e.key] = scalarText(e.value) ?? '';
  return {
    list,
    index,
    id: getString(h, 'name') ?? `${list}[${index}]`,
    dockerfile: repo !== undefined ? normalizeRelPath(dockerfile ?? 'Dockerfile') : normalizeRelPath(dockerfile ?? ''),
    ...(repo !== undefined ? { repo } : {}),
    ...(ref !== undefined ? { ref } : {}),
    environment: environmentEntries(get(h, 'environment')),
    ...(envFile !== undefined ? { envFile: normalizeRelPath(envFile) } : {}),
    runCondition: (getString(h, 'run_condition') ?? 'pass') as RunCondition,
    runPolicy: getString(h, 'run_policy') === 'once' ? 'once' : 'always',
    concurrent: bool(h, 'concurrent') ?? false,
    ...(timeoutMs !== undefined ? { timeoutMs } : {}),
    retries: number(h, 'retries') ?? 0,
    retryOn: strings(get(h, 'retry_on')).filter((s): s is 'timeout' | 'start' => s === 'timeout' || s === 'start'),
    buildArgs,
    secrets: strings(get(h, 'secrets')),
    repoRoot: getString(h, 'repo_root') === 'ro' ? 'ro' : 'rw',
    line: h.line,
  };
}

/** Compose semantics: `KEY: value` and `- KEY=value` set a value; `KEY:` and `- KEY` pass it through (null). */
function environmentEntries(node: TreeNode | undefined): EnvEntry[] {
  if (node?.kind === 'map') return node.entries.map((e) => ({ key: e.key, value: scalarText(e.value) ?? null }));
  return strings(node).map((item) => {
    const eq = item.indexOf('=');
    return eq < 0 ? { key: item, value: null } : { key: item.slice(0, eq), value: item.slice(eq + 1) };
  });
}

function normalizeEnvironment(env: MapNode): EnvironmentConfig {
  const registry = getString(env, 'registry');
  return {
    name: getString(env, 'name') ?? '',
    ...(registry !== undefined ? { registry } : {}),
    regions: mapItems(get(env, 'regions')).map(normalizeRegion),
    line: env.line,
  };
}

function normalizeRegion(region: MapNode): RegionConfig {
  const dockerHost = getString(region, 'docker_host');
  return {
    name: getString(region, 'name') ?? '',
    ...(dockerHost !== undefined ? { dockerHost } : {}),
    orchestrator: getString(region, 'orchestrator') === 'swarm' ? 'swarm' : 'engine',
    endpointMode: getString(region, 'endpoint_mode') === 'vip' ? 'vip' : 'dnsrr',
    publishMode: getString(region, 'publish_mode') === 'ingress' ? 'ingress' : 'host',
    containers: mapItems(get(region, 'containers')).map(normalizeContainer),
    line: region.line,
  };
}

function normalizeContainer(c: MapNode): ContainerConfig {
  const inetPort = number(c, 'inet_port');
  const dockerfileBuild = getString(c, 'dockerfile_build');
  const health = get(c, 'health_check');
  const hc = health?.kind === 'map' ? health : undefined;
  // Without `topology`, a container that names an inet_port serves HTTP on it; any other is a worker.
  const topology = getString(c, 'topology') ?? (inetPort !== undefined ? 'inet' : 'worker');
  return {
    name: getString(c, 'name') ?? '',
    topology: topology === 'inet' ? 'inet' : 'worker',
    ...(inetPort !== undefined ? { inetPort } : {}),
    dockerfile: normalizeRelPath(getString(c, 'dockerfile') ?? 'Dockerfile'),
    ...(dockerfileBuild !== undefined ? { dockerfileBuild: normalizeRelPath(dockerfileBuild) } : {}),
    healthCheck: {
      method: (hc && getString(hc, 'method')) ?? 'GET',
      path: (hc && getString(hc, 'path')) ?? '/health',
      timeoutMs: (hc && duration(hc, 'timeout')) ?? 60_000,
    },
    replicas: number(c, 'replicas') ?? 1,
    line: c.line,
  };
}

function scalarText(node: TreeNode): string | undefined {
  if (node.kind !== 'scalar' || node.value === null) return undefined;
  return typeof node.value === 'string' ? node.value : node.text;
}

function strings(node: TreeNode | undefined): string[] {
  if (node?.kind !== 'seq') return [];
  return node.items.flatMap((i) => (i.kind === 'scalar' && typeof i.value === 'string' ? [i.value] : []));
}

function duration(map: MapNode, key: string): number | undefined {
  const text = getString(map, key);
  return text === undefined ? undefined : parseDuration(text);
}

function number(map: MapNode, key: string): number | undefined {
  const node = get(map, key);
  return node?.kind === 'scalar' && typeof node.value === 'number' ? node.value : undefined;
}

function bool(map: MapNode, key: string): boolean | undefined {
  const node = get(map, key);
  return node?.kind === 'scalar' && typeof node.value === 'boolean' ? node.value : undefined;
}
