import { parseDuration } from './duration.js';
import { normalizeEventHooks } from './event-hooks.js';
import { normalizeRelPath } from './safe-path.js';
import { get, getString, getText, mapItems } from './tree.js';
import type { MapNode, TreeNode } from './tree.js';
import { SLACK_WEBHOOKS } from './types.js';
import type {
  BlackoutWindow, ContainerConfig, EnvEntry, EnvironmentConfig, HookConfig, PorterConfig, RegionConfig, RunCondition, SlackConfig, SrcEnvFile,
} from './types.js';

/** What normalising needs to know beyond the tree: whether the repo has a `Dockerfile.build` (the default container's builder). */
export interface NormalizeFacts {
  defaultBuilder: boolean;
}

/** The original's defaults for deployed containers (its CIS hardening): nobody's uid, read-only root, a pids limit. */
export const CONTAINER_DEFAULTS = { uid: 65534, readOnly: true, pidsLimit: 4096 } as const;

/**
 * Builds the `PorterConfig` from a tree that passed every check, filling in the defaults the
 * schema documents. `hooks` and `buildArgs` have no prototype, so a list named `constructor`
 * is just a list. Returns everything but `ignoredKeys`, which the loader found.
 */
export function normalizeConfig(root: MapNode, file: string, facts: NormalizeFacts = { defaultBuilder: false }): Omit<PorterConfig, 'ignoredKeys'> {
  const hooks: Record<string, HookConfig[]> = Object.create(null) as Record<string, HookConfig[]>;
  const hooksNode = get(root, 'hooks');
  if (hooksNode?.kind === 'map') {
    for (const list of hooksNode.entries) hooks[list.key] = mapItems(list.value).map((h, i) => normalizeHook(h, list.key, i));
  }
  const porterVersion = getText(root, 'porter_version');
  const hookTimeoutMs = duration(root, 'hook_timeout');
  const serviceName = getString(root, 'service_name') ?? '';
  const topContainers = get(root, 'containers');
  const slack = normalizeSlack(get(root, 'slack'));
  const repoTransfer = getString(root, 'repo_transfer') as PorterConfig['repoTransfer'];
  return {
    file,
    serviceName,
    dockerName: serviceName.toLowerCase(),
    ...(porterVersion !== undefined ? { porterVersion } : {}),
    ...(hookTimeoutMs !== undefined ? { hookTimeoutMs } : {}),
    ...(repoTransfer !== undefined ? { repoTransfer } : {}),
    hooks,
    environments: mapItems(get(root, 'environments')).map((env) => normalizeEnvironment(env, topContainers, facts)),
    events: normalizeEventHooks(root),
    ...(slack ? { slack } : {}),
  };
}

function normalizeSlack(node: TreeNode | undefined): SlackConfig | undefined {
  if (node?.kind !== 'map') return undefined;
  const slack: SlackConfig = {};
  for (const key of SLACK_WEBHOOKS) {
    const url = getString(node, key);
    if (url) slack[key] = url;
  }
  return Object.keys(slack).length > 0 ? slack : undefined;
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

function normalizeEnvironment(env: MapNode, topContainers: TreeNode | undefined, facts: NormalizeFacts): EnvironmentConfig {
  const registry = getString(env, 'registry');
  const instanceCount = number(env, 'instance_count');
  return {
    name: getString(env, 'name') ?? '',
    ...(registry !== undefined ? { registry } : {}),
    regions: mapItems(get(env, 'regions')).map((r) => normalizeRegion(r, { instanceCount, topContainers, facts })),
    hotSwap: bool(env, 'hot_swap') ?? false,
    blackoutWindows: mapItems(get(env, 'blackout_windows')).map(normalizeWindow),
    line: env.line,
  };
}

/** The times as text, whatever YAML made of them (a timestamp, a number): the check parses them when it runs. */
function normalizeWindow(w: MapNode): BlackoutWindow {
  return { startTime: getText(w, 'start_time') ?? '', endTime: getText(w, 'end_time') ?? '', line: w.line };
}

/**
 * A region's containers: its own, else the top-level list, else the original's default — one `primary`
 * inet container from `Dockerfile` (with `Dockerfile.build` as builder when the repo has one). An empty
 * list written out (`containers: []`) means no containers.
 */
function normalizeRegion(region: MapNode, from: { instanceCount: number | undefined; topContainers: TreeNode | undefined; facts: NormalizeFacts }): RegionConfig {
  const dockerHost = getString(region, 'docker_host');
  const replicas = number(region, 'instance_count') ?? from.instanceCount;
  // `containers: []` written out means none (a region only hooks run in); left out, the original's defaults apply.
  const own = get(region, 'containers');
  const listed = mapItems(own?.kind === 'seq' ? own : from.topContainers);
  const explicitNone = own?.kind === 'seq' || (from.topContainers?.kind === 'seq' && from.topContainers.items.length === 0);
  const containers = listed.length > 0 || explicitNone
    ? listed.map((c) => normalizeContainer(c, { replicas, lone: listed.length === 1 }))
    : [defaultContainer(region, replicas, from.facts)];
  return {
    name: getString(region, 'name') ?? '',
    ...(dockerHost !== undefined ? { dockerHost } : {}),
    orchestrator: getString(region, 'orchestrator') === 'swarm' ? 'swarm' : 'engine',
    endpointMode: getString(region, 'endpoint_mode') === 'vip' ? 'vip' : 'dnsrr',
    publishMode: getString(region, 'publish_mode') === 'ingress' ? 'ingress' : 'host',
    containers,
    line: region.line,
  };
}

function defaultContainer(region: MapNode, replicas: number | undefined, facts: NormalizeFacts): ContainerConfig {
  return {
    name: 'primary',
    topology: 'inet',
    dockerfile: 'Dockerfile',
    ...(facts.defaultBuilder ? { dockerfileBuild: 'Dockerfile.build' } : {}),
    healthCheck: { method: 'GET', path: '/health', timeoutMs: 60_000 },
    replicas: replicas ?? 1,
    ...CONTAINER_DEFAULTS,
    capAdd: [],
    validateBuildArgsExist: false,
    line: region.line,
  };
}

function normalizeContainer(c: MapNode, region: { replicas: number | undefined; lone: boolean }): ContainerConfig {
  const inetPort = number(c, 'inet_port');
  const dockerfileBuild = getString(c, 'dockerfile_build');
  const health = get(c, 'health_check');
  const hc = health?.kind === 'map' ? health : undefined;
  // Without `topology`, a container that names an inet_port serves HTTP on it, and so does a region's lone container (the original's rule); any other is a worker.
  const topology = getString(c, 'topology') ?? (inetPort !== undefined || region.lone ? 'inet' : 'worker');
  const srcEnvFile = normalizeSrcEnvFile(get(c, 'src_env_file'));
  return {
    name: getString(c, 'name') ?? 'primary',
    topology: topology === 'inet' ? 'inet' : 'worker',
    ...(inetPort !== undefined ? { inetPort } : {}),
    dockerfile: normalizeRelPath(getString(c, 'dockerfile') ?? 'Dockerfile'),
    ...(dockerfileBuild !== undefined ? { dockerfileBuild: normalizeRelPath(dockerfileBuild) } : {}),
    healthCheck: {
      method: (hc && getString(hc, 'method')) ?? 'GET',
      path: (hc && getString(hc, 'path')) ?? '/health',
      timeoutMs: (hc && duration(hc, 'timeout')) ?? 60_000,
    },
    replicas: number(c, 'replicas') ?? region.replicas ?? 1,
    uid: number(c, 'uid') ?? CONTAINER_DEFAULTS.uid,
    readOnly: bool(c, 'read_only') ?? CONTAINER_DEFAULTS.readOnly,
    pidsLimit: number(c, 'pids_limit') ?? CONTAINER_DEFAULTS.pidsLimit,
    capAdd: strings(get(c, 'cap_add')).map((cap) => cap.replace(/^CAP_/, '')),
    ...(srcEnvFile ? { srcEnvFile } : {}),
    validateBuildArgsExist: bool(c, 'validate_build_args_exist') ?? false,
    line: c.line,
  };
}

/** The exec form only: a `src_env_file` with nothing but `s3_*` keys (ignored on Docker) gives the container no environment. */
function normalizeSrcEnvFile(node: TreeNode | undefined): SrcEnvFile | undefined {
  if (node?.kind !== 'map') return undefined;
  const execName = getString(node, 'exec_name');
  if (execName === undefined) return undefined;
  const args = get(node, 'exec_args');
  const execArgs = args?.kind === 'seq' ? args.items.flatMap((i) => (i.kind === 'scalar' && i.value !== null ? [i.text] : [])) : [];
  return { execName, execArgs, line: node.line };
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
