import type { ContainerConfig, EnvironmentConfig } from '../config/types.js';
import type { RunContext } from '../context.js';
import type { ServiceRequest, ServiceState } from '../docker/engine.js';
import { Label } from '../docker/labels.js';
import { StateError, UsageError } from '../errors.js';
import { WORKER_GRACE_MS } from './health.js';
import type { StackOutcome, StackRequest } from './provision-region.js';
import { registryOf } from './registry.js';
import { networkName, stackContainerName } from './stack-names.js';
import type { Manifest } from './state.js';
import { hardeningOf, stackEnv, stackLabels } from './stack-container.js';
import { swarmStackUrl, waitConverged } from './swarm-stacks.js';

const HEALTH_INTERVAL_MS = 1000;
const HEALTH_PROBE_TIMEOUT_MS = 2000;
const HEALTH_RETRIES = 3;

/**
 * The image each container of a Swarm region runs: the packed image as pushed to the environment's registry, by
 * digest. Without a registry, or with a payload packed before it was set, a usage or state error (exit 2).
 */
export function swarmImages(ctx: RunContext, env: EnvironmentConfig, manifest: Manifest): Map<string, string> {
  const refs = new Map<string, string>();
  for (const region of env.regions.filter((r) => r.orchestrator === 'swarm')) {
    const registry = registryOf(env, ctx.hostEnv);
    if (!registry) {
      throw new UsageError(`Region ${region.name} of ${env.name} has orchestrator: swarm, so its nodes pull the images from a registry, and none is set: add registry: (such as registry.example.com:5000/team) to environment ${env.name} in ${ctx.config.file}, or set DOCKER_REGISTRY, then run \`porter build pack\` again.`);
    }
    for (const c of region.containers) {
      const ref = manifest.images.find((i) => i.container === c.name)?.pushed?.find((p) => p.registry === registry)?.ref;
      if (!ref) throw new StateError(`The packed image of container ${c.name} was not pushed to ${registry}, which region ${region.name} of ${env.name} pulls from (it was packed before that registry was set). Run \`porter build pack\` again.`);
      refs.set(c.name, ref);
    }
  }
  return refs;
}

/** The command a task runs to tell it is healthy: the HTTP `health_check` on its own port, with wget or curl from the image. */
export function healthShell(c: ContainerConfig): string | undefined {
  if (c.topology !== 'inet' || !c.inetPort) return undefined;
  const url = `'http://127.0.0.1:${c.inetPort}${c.healthCheck.path.replaceAll("'", "'\\''")}'`;
  const method = c.healthCheck.method;
  if (method === 'GET') return `wget -q -O /dev/null ${url} || curl -fsS -o /dev/null ${url}`;
  if (method === 'HEAD') return `wget -q --spider ${url} || curl -fsS -I -o /dev/null ${url}`;
  return `curl -fsS -X ${method} -o /dev/null ${url}`;
}

/**
 * Starts one Swarm region's stack: the attachable overlay network, one service per container (the image by digest,
 * porter's labels, its replicas, a health check from `health_check`), then waits until every task runs healthy.
 * A stack that does not converge is removed, and the outcome carries the tasks' errors.
 */
export async function startSwarmStack(ctx: RunContext, req: StackRequest, images: ReadonlyMap<string, string>): Promise<StackOutcome> {
  const { engine, region } = req.target;
  const service = ctx.config.serviceName;
  const network = networkName(service, req.env.name);
  // The nodes pull with the credentials pack pushed with; Swarm keeps them with each service.
  const registry = registryOf(req.env, ctx.hostEnv);
  const registryAuth = registry ? (await ctx.registryLogin(registry))?.auth : undefined;
  const created: ServiceState[] = [];
  let createdNetwork = false;
  const remove = async (): Promise<void> => {
    await Promise.all(created.map((s) => engine.removeService(s.id).catch(() => undefined)));
    if (createdNetwork) await removeOverlay(ctx, req, network, new Set(created.map((s) => s.id)));
  };
  try {
    createdNetwork = await engine.ensureOverlayNetwork(network, { [Label.service]: service, [Label.environment]: req.env.name });
    for (const config of region.containers) {
      const spec = { ...serviceRequest(ctx, req, config, images.get(config.name) ?? '', network), ...(registryAuth ? { registryAuth } : {}) };
      const id = await engine.createService(spec, ctx.signal);
      created.push({ id, name: spec.name, labels: spec.labels, replicas: spec.replicas, created: '', aliases: { [network]: [] }, ports: spec.publish });
      req.step.log(`created service ${spec.name} (${spec.replicas} replica${spec.replicas === 1 ? '' : 's'}, ${spec.image})`);
    }
    const timeoutMs = Math.max(...region.containers.map((c) => c.healthCheck.timeoutMs), 1000);
    const needsGrace = region.containers.some((c) => c.topology === 'worker');
    const outcome = await waitConverged({ engine, services: created, timeoutMs, ...(needsGrace ? { graceMs: WORKER_GRACE_MS } : {}) }, ctx.signal, ctx.now);
    if (!outcome.ok) {
      await remove();
      return { ok: false, message: `Stack ${req.stackId} in Swarm region ${region.name} did not converge: ${outcome.reason}. Its services were removed; the tasks' states and errors are below.`, lines: outcome.lines };
    }
    for (const s of created) {
      const nodes = [...new Set((outcome.tasks.get(s.id) ?? []).map((t) => t.node.hostname ? `${t.node.hostname} (${t.node.address})` : t.node.address))];
      req.step.log(`${s.name}: ${s.replicas} task${s.replicas === 1 ? '' : 's'} running on ${nodes.join(', ')}`);
    }
    const url = swarmStackUrl(created, outcome.tasks);
    return {
      ok: true, remove,
      record: {
        region: region.name, ...(region.dockerHost ? { dockerHost: region.dockerHost } : {}), stackId: req.stackId, ...(url ? { url } : {}),
        containers: created.map((s) => ({ name: s.name, id: s.id })),
      },
    };
  } catch (err) {
    await remove();
    throw err;
  }
}

/** The service porter asks Swarm for, for one container of a stack. */
export function serviceRequest(ctx: RunContext, req: StackRequest, config: ContainerConfig, image: string, network: string): ServiceRequest {
  const { region } = req.target;
  const service = ctx.config.serviceName;
  const shell = healthShell(config);
  return {
    name: stackContainerName(service, req.stackId, region.name, config.name, 1, 1),
    image,
    labels: stackLabels(ctx, req, config),
    env: stackEnv(ctx, req, config),
    hardening: hardeningOf(config),
    replicas: config.replicas,
    network,
    aliases: [],
    endpointMode: region.endpointMode ?? 'dnsrr',
    publish: config.topology === 'inet' && config.inetPort ? [{ containerPort: config.inetPort, mode: region.publishMode ?? 'host' }] : [],
    ...(shell ? { healthCheck: { shell, intervalMs: HEALTH_INTERVAL_MS, timeoutMs: HEALTH_PROBE_TIMEOUT_MS, retries: HEALTH_RETRIES, startPeriodMs: config.healthCheck.timeoutMs } } : {}),
  };
}

/**
 * An overlay network can be removed only once the removed services' tasks have left it: retried for a while, unless
 * another service of the service (not one of `removed`, which the manager may list a moment longer) still uses it.
 */
export async function removeOverlay(ctx: RunContext, req: Pick<StackRequest, 'target'>, network: string, removed: ReadonlySet<string>): Promise<boolean> {
  const deadline = ctx.now() + 30_000;
  for (;;) {
    const others = await req.target.engine.listServices({ [Label.service]: ctx.config.serviceName });
    if (others.some((s) => !removed.has(s.id) && s.aliases[network] !== undefined)) return false;
    if (await req.target.engine.removeNetwork(network).catch(() => false)) return true;
    if (ctx.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}
