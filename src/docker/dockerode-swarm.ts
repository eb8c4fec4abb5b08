/**
 * The DockerEngine methods Swarm regions need (registry push, overlay networks, services and their tasks), over
 * dockerode. Part of the dockerode adapter: it only sees the client dockerode-engine.ts creates (a type import).
 */
import type Dockerode from 'dockerode';
import { StateError } from '../errors.js';
import { answerMessage, answerStatus } from './engine-answer.js';
import { NotSwarmManager, PushFailure, type DockerEngine, type RegistryAuth, type ServiceRequest, type ServiceState, type TaskState } from './engine.js';
import { engineCalls } from './engine-errors.js';
import { serviceHardening } from './hardening.js';
import { labelFilters } from './labels.js';

export type SwarmOperations = Pick<DockerEngine,
  'tagImage' | 'pushImage' | 'requireSwarmManager' | 'ensureOverlayNetwork' | 'createService' | 'listServices' |
  'serviceTasks' | 'setServiceAliases' | 'removeService' | 'updateService' | 'rollbackService'>;

const ns = (ms: number): number => ms * 1_000_000;

interface PushEvent {
  status?: string;
  progressDetail?: { current?: number };
  aux?: { Digest?: string };
  error?: string;
  errorDetail?: { message?: string };
}

interface RawTask {
  ID: string;
  NodeID?: string;
  DesiredState?: string;
  CreatedAt?: string;
  Slot?: number;
  Status?: { State?: string; Err?: string; Message?: string; Timestamp?: string; ContainerStatus?: { ExitCode?: number }; PortStatus?: { Ports?: { TargetPort?: number; PublishedPort?: number }[] } };
}

interface RawNode {
  ID: string;
  Status?: { Addr?: string };
  Description?: { Hostname?: string };
}

/** Reads a push's JSON-lines progress: the digest from its `aux` event, or the registry's error. */
async function readPush(stream: NodeJS.ReadableStream, onLine: (line: string) => void): Promise<string> {
  let text = '';
  let digest = '';
  const handle = (line: string): void => {
    if (!line.trim()) return;
    let event: PushEvent;
    try {
      event = JSON.parse(line) as PushEvent;
    } catch {
      return;
    }
    const error = event.errorDetail?.message ?? event.error;
    if (error) throw new PushFailure(error);
    if (event.aux?.Digest) digest = event.aux.Digest;
    else if (event.status && event.progressDetail?.current === undefined) onLine(event.status);
  };
  for await (const chunk of stream) {
    text += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    const lines = text.split('\n');
    text = lines.pop() ?? '';
    lines.forEach(handle);
  }
  handle(text);
  if (!digest) throw new PushFailure('the engine reported no digest for the pushed image');
  return digest;
}

/** A service's spec as porter asks for it; `parallelism` tasks replaced at a time by an update (0: all). */
function serviceSpec(req: ServiceRequest, networkTarget: string, parallelism: number): Dockerode.ServiceSpec {
  const hc = req.healthCheck;
  const hardened = serviceHardening(req.hardening);
  return {
    Name: req.name,
    Labels: req.labels,
    TaskTemplate: {
      ContainerSpec: {
        Image: req.image, Env: req.env, Labels: req.labels, ...hardened.containerSpec,
        ...(hc ? { HealthCheck: { Test: ['CMD-SHELL', hc.shell], Interval: ns(hc.intervalMs), Timeout: ns(hc.timeoutMs), Retries: hc.retries, StartPeriod: ns(hc.startPeriodMs) } } : {}),
      },
      Resources: { Limits: { Pids: hardened.pidsLimit } },
      RestartPolicy: { Condition: 'on-failure', Delay: ns(1000), MaxAttempts: 3 },
      Networks: [{ Target: networkTarget, Aliases: req.aliases }],
    },
    Mode: { Replicated: { Replicas: req.replicas } },
    // New tasks start, and must be healthy, before old ones stop: an alias change never leaves the service empty.
    UpdateConfig: { Parallelism: parallelism, Order: 'start-first', FailureAction: 'pause', Monitor: ns(2000) },
    EndpointSpec: { Mode: req.endpointMode, Ports: req.publish.map((p) => ({ Protocol: 'tcp' as const, TargetPort: p.containerPort, PublishMode: p.mode })) },
  };
}

/** The Swarm operations of the adapter; `docker` is the lazily connected client of dockerode-engine.ts. */
export function swarmOperations(docker: () => Promise<Dockerode>, host: string): SwarmOperations {
  const call = engineCalls(docker, host);
  const networkNames = async (d: Dockerode): Promise<Map<string, string>> =>
    new Map((await d.listNetworks()).map((n) => [n.Id, n.Name]));
  const networkId = async (d: Dockerode, name: string): Promise<string> => ((await d.getNetwork(name).inspect()) as { Id: string }).Id;

  return {
    tagImage: (image, repo, tag) => call(async (d) => void (await d.getImage(image).tag({ repo, tag }))),

    pushImage: (repo, tag, auth, onLine, signal) =>
      call(async (d) => {
        let stream: NodeJS.ReadableStream;
        try {
          // The engine insists on an X-Registry-Auth header; an empty one means "no credentials".
          stream = await d.getImage(repo).push({ tag, authconfig: auth ?? {}, abortSignal: signal });
        } catch (err) {
          if (answerStatus(err) !== undefined) throw new PushFailure(answerMessage(err));
          throw err;
        }
        return readPush(stream, onLine);
      }),

    requireSwarmManager: () =>
      call(async (d) => {
        const info = (await d.info()) as { Swarm?: { LocalNodeState?: string; ControlAvailable?: boolean } };
        const state = info.Swarm?.LocalNodeState ?? 'inactive';
        if (state === 'active' && info.Swarm?.ControlAvailable) return;
        const why = state === 'active' ? 'is a Swarm worker, not a manager' : `is not in an active swarm (its swarm state is ${state})`;
        throw new NotSwarmManager(state, `the Docker engine at ${host} ${why}`);
      }),

    ensureOverlayNetwork: (name, labels) =>
      call(async (d) => {
        try {
          const existing = (await d.getNetwork(name).inspect()) as { Driver?: string; Attachable?: boolean };
          // A swarm network just created can be listed a moment without its driver: only another driver is refused.
          if (existing.Driver && existing.Driver !== 'overlay') {
            throw new StateError(`The network ${name} on the Docker engine at ${host} is a ${existing.Driver} network, not the attachable overlay porter needs; remove it (docker network rm ${name}) and provision again.`);
          }
          return false;
        } catch (err) {
          if (answerStatus(err) !== 404) throw err;
        }
        try {
          await d.createNetwork({ Name: name, Driver: 'overlay', Attachable: true, CheckDuplicate: true, Labels: labels });
          return true;
        } catch (err) {
          if (answerStatus(err) === 409) return false;
          throw err;
        }
      }),

    createService: (req: ServiceRequest, signal) =>
      call(async (d) => {
        const spec = { ...serviceSpec(req, await networkId(d, req.network), 0), abortSignal: signal };
        // The credentials go first: given the spec alone, dockerode would send the whole spec as X-Registry-Auth.
        const service = await d.createService(req.registryAuth ?? {}, spec);
        return (service as unknown as { id?: string; ID?: string }).id ?? (service as unknown as { ID: string }).ID;
      }),

    updateService: (serviceId, req) =>
      call(async (d) => {
        const service = d.getService(serviceId);
        const info = (await service.inspect()) as Dockerode.Service;
        // One task at a time, each new one healthy before its old one stops.
        const update = { _query: { version: info.Version?.Index ?? 0 }, _body: serviceSpec(req, await networkId(d, req.network), 1) };
        const withAuth = service.update.bind(service) as unknown as (auth: RegistryAuth, options: object) => Promise<unknown>;
        await (req.registryAuth ? withAuth(req.registryAuth, update) : service.update(update));
      }),

    rollbackService: (serviceId) =>
      call(async (d) => {
        const service = d.getService(serviceId);
        const info = (await service.inspect()) as Dockerode.Service;
        // The engine ignores the body with rollback=previous and restores the spec before the last update.
        await service.update({ _query: { version: info.Version?.Index ?? 0, rollback: 'previous' }, _body: info.Spec ?? {} });
      }),

    listServices: (labels) =>
      call(async (d) => {
        const [services, names] = await Promise.all([d.listServices({ filters: labelFilters(labels) }), networkNames(d)]);
        return services.map((s): ServiceState => {
          const spec = s.Spec;
          const template = spec?.TaskTemplate as Dockerode.ContainerTaskSpec | undefined;
          const aliases: Record<string, string[]> = {};
          for (const n of [...(template?.Networks ?? []), ...(spec?.Networks ?? [])]) {
            if (n.Target) aliases[names.get(n.Target) ?? n.Target] = n.Aliases ?? [];
          }
          return {
            id: s.ID, name: spec?.Name ?? s.ID, labels: spec?.Labels ?? {}, replicas: spec?.Mode?.Replicated?.Replicas ?? 0,
            created: s.CreatedAt ?? '', aliases,
            ports: (s.Endpoint?.Ports ?? spec?.EndpointSpec?.Ports ?? []).flatMap((p) => (p.TargetPort ? [{
              containerPort: p.TargetPort, mode: p.PublishMode === 'ingress' ? 'ingress' as const : 'host' as const, ...(p.PublishedPort ? { publishedPort: p.PublishedPort } : {}),
            }] : [])),
            ...(s.UpdateStatus?.State ? { update: { state: s.UpdateStatus.State, message: s.UpdateStatus.Message ?? '' } } : {}),
          };
        });
      }),

    serviceTasks: (serviceId) =>
      call(async (d) => {
        const [tasks, nodes] = await Promise.all([
          d.listTasks({ filters: { service: [serviceId] } }) as Promise<RawTask[]>,
          d.listNodes() as Promise<RawNode[]>,
        ]);
        const byId = new Map(nodes.map((n) => [n.ID, n]));
        return tasks.map((t): TaskState => {
          const node = byId.get(t.NodeID ?? '');
          const ports: Record<number, number> = {};
          for (const p of t.Status?.PortStatus?.Ports ?? []) if (p.TargetPort && p.PublishedPort) ports[p.TargetPort] = p.PublishedPort;
          return {
            id: t.ID, node: { id: t.NodeID ?? '', address: node?.Status?.Addr ?? '', hostname: node?.Description?.Hostname ?? '' },
            state: t.Status?.State ?? 'new', desired: t.DesiredState ?? '', message: t.Status?.Message ?? '',
            ...(t.Status?.Err ? { error: t.Status.Err } : {}), ports, created: t.CreatedAt ?? '',
            ...(t.Slot !== undefined ? { slot: t.Slot } : {}), ...(t.Status?.Timestamp ? { updated: t.Status.Timestamp } : {}),
            ...(typeof t.Status?.ContainerStatus?.ExitCode === 'number' ? { exitCode: t.Status.ContainerStatus.ExitCode } : {}),
          };
        });
      }),

    setServiceAliases: (serviceId, network, aliases, auth) =>
      call(async (d) => {
        const service = d.getService(serviceId);
        const info = (await service.inspect()) as Dockerode.Service;
        const spec = info.Spec ?? {};
        const template = (spec.TaskTemplate ?? {}) as Dockerode.ContainerTaskSpec;
        const id = await networkId(d, network);
        const current = template.Networks ?? [];
        const others = current.filter((n) => n.Target !== id && n.Target !== network);
        const same = current.find((n) => n.Target === id || n.Target === network);
        if (same && [...(same.Aliases ?? [])].sort().join() === [...aliases].sort().join()) return;
        const next = { ...spec, TaskTemplate: { ...template, Networks: [...others, { ...same, Target: id, Aliases: aliases }] } };
        const update = { _query: { version: info.Version?.Index ?? 0 }, _body: next };
        // Without a login, the one-argument form sends no X-Registry-Auth, and Swarm keeps the service's own.
        // dockerode takes (auth, options) too, which its type leaves out.
        const withAuth = service.update.bind(service) as unknown as (auth: RegistryAuth, options: object) => Promise<unknown>;
        await (auth ? withAuth(auth, update) : service.update(update));
      }),

    removeService: (serviceId) =>
      call(async (d) => {
        try {
          await d.getService(serviceId).remove();
        } catch (err) {
          if (answerStatus(err) !== 404) throw err;
        }
      }),
  };
}
