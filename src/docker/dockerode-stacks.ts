/**
 * The DockerEngine methods the build phases need (images as tars, detached containers, networks), over
 * dockerode. Part of the dockerode adapter: it only sees the client dockerode-engine.ts creates (a type import).
 */
import { once } from 'node:events';
import type { Readable, Writable } from 'node:stream';
import type Dockerode from 'dockerode';
import { EngineError } from '../errors.js';
import { abortError, throwIfAborted, watchAbort } from './abort.js';
import { freeAddress, isAddressTaken, isPinningRefused } from './dockerode-addresses.js';
import { answerMessage, answerStatus, isPortTaken, progressError } from './engine-answer.js';
import { PortInUse, StartFailure, type ContainerState, type DockerEngine, type ImageSummary, type StartRequest } from './engine.js';
import { engineCalls, toEngineError } from './engine-errors.js';
import { createFrameReader } from './frames.js';
import { containerHardening } from './hardening.js';
import { labelFilters } from './labels.js';
import { oneAtATime } from './one-at-a-time.js';
import { upperHalf } from './ipv4.js';
import { createLineSplitter } from './line-splitter.js';

export type StackOperations = Pick<DockerEngine,
  'inspectImage' | 'saveImages' | 'loadImages' | 'runToStream' | 'startContainer' | 'inspectContainer' |
  'listContainers' | 'containerLogs' | 'removeContainer' | 'ensureNetwork' | 'removeNetwork' | 'connectNetwork' | 'disconnectNetwork'>;

type GetImages = (opts: { names: string[]; abortSignal: AbortSignal }) => Promise<Readable>;
type LoadImage = (file: Readable, opts: { quiet: boolean; abortSignal: AbortSignal }) => Promise<Readable>;

const stopGraceSeconds = 2;
/** How many addresses a container start tries before giving up (each one taken by a concurrent start). */
const ADDRESS_TRIES = 5;
const cleanupTimeoutMs = 15_000;

function toState(info: Dockerode.ContainerInspectInfo): ContainerState {
  const networks: Record<string, string[]> = {};
  const addresses: Record<string, string> = {};
  for (const [name, endpoint] of Object.entries(info.NetworkSettings?.Networks ?? {})) {
    networks[name] = endpoint.Aliases ?? [];
    if (endpoint.IPAddress) addresses[name] = endpoint.IPAddress;
  }
  const ports: ContainerState['ports'] = {};
  for (const [key, bindings] of Object.entries(info.HostConfig?.PortBindings ?? {}) as [string, { HostIp?: string; HostPort?: string }[] | null][]) {
    const first = bindings?.[0];
    if (first?.HostPort) ports[Number.parseInt(key, 10)] = { hostIp: first.HostIp ?? '', hostPort: Number(first.HostPort) };
  }
  const health = info.State.Health?.Status;
  return {
    id: info.Id, name: info.Name.replace(/^\//, ''), image: info.Config.Image, labels: info.Config.Labels ?? {},
    created: info.Created, running: info.State.Running, status: info.State.Status, exitCode: info.State.ExitCode, networks, addresses, ports,
    ...(health === 'starting' || health === 'healthy' || health === 'unhealthy' ? { health } : {}),
  };
}

async function readAll(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks).toString('utf8');
}

/** Writes with backpressure: a builder's tar can be far larger than memory should hold. */
async function writeTo(out: Writable, chunk: Buffer): Promise<void> {
  if (!out.write(chunk)) await once(out, 'drain');
}

/** The phase operations of the adapter; `docker` is the lazily connected client of dockerode-engine.ts. */
export function stackOperations(docker: () => Promise<Dockerode>, host: string): StackOperations {
  const call = engineCalls(docker, host);
  const forceRemove = async (d: Dockerode, id: string, graceful: boolean): Promise<void> => {
    const container = d.getContainer(id);
    const abortSignal = AbortSignal.timeout(cleanupTimeoutMs);
    if (graceful) await container.stop({ t: stopGraceSeconds, abortSignal }).catch(() => undefined);
    try {
      await container.remove({ force: true, v: true, abortSignal });
    } catch (err) {
      if (answerStatus(err) !== 404 && answerStatus(err) !== 409) throw err;
    }
  };
  const inspect = async (d: Dockerode, id: string): Promise<ContainerState | undefined> => {
    try {
      return toState(await d.getContainer(id).inspect());
    } catch (err) {
      if (answerStatus(err) === 404) return undefined;
      throw err;
    }
  };

  /** create → start, pinned to `ipv4` when given; when `retryable`, a refused address is returned as such instead of thrown. */
  const startOnce = async (d: Dockerode, req: StartRequest, ipv4: string | undefined, signal: AbortSignal, retryable: boolean): Promise<string | 'address-taken' | 'pinning-refused'> => {
    throwIfAborted(signal);
    const exposed: Record<string, object> = {};
    const bindings: Record<string, { HostIp: string; HostPort: string }[]> = {};
    for (const p of req.publish) {
      exposed[`${p.containerPort}/tcp`] = {};
      bindings[`${p.containerPort}/tcp`] = [{ HostIp: p.hostIp, HostPort: String(p.hostPort) }];
    }
    const hardened = containerHardening(req.hardening);
    let container: Dockerode.Container;
    try {
      container = await d.createContainer({
        Image: req.image, name: req.name, Labels: req.labels, Env: req.env, Tty: false, ExposedPorts: exposed, User: hardened.User,
        HostConfig: { ...hardened.HostConfig, NetworkMode: req.network, PortBindings: bindings },
        NetworkingConfig: { EndpointsConfig: { [req.network]: { Aliases: req.aliases, ...(ipv4 ? { IPAMConfig: { IPv4Address: ipv4 } } : {}) } } },
      });
    } catch (err) {
      if (answerStatus(err) === 404 || answerStatus(err) === 409) throw new StartFailure(answerMessage(err));
      throw err;
    }
    try {
      throwIfAborted(signal);
      await container.start();
      return container.id;
    } catch (err) {
      await forceRemove(d, container.id, false).catch(() => undefined);
      if (signal.aborted) throw abortError(signal);
      if (ipv4 && isPinningRefused(err)) return 'pinning-refused';
      if (ipv4 && retryable && isAddressTaken(err)) return 'address-taken';
      const message = answerMessage(err);
      const taken = req.publish.find((p) => message.includes(`:${p.hostPort}`));
      if (isPortTaken(message)) throw new PortInUse(taken?.hostPort ?? 0, message);
      if (answerStatus(err) !== undefined) throw new StartFailure(message);
      throw err;
    }
  };

  return {
    inspectImage: (ref) =>
      call(async (d) => {
        try {
          const info = await d.getImage(ref).inspect();
          const exposedPorts = Object.keys(info.Config?.ExposedPorts ?? {}).flatMap((p) => (/^\d+(\/tcp)?$/.test(p) ? [Number.parseInt(p, 10)] : []));
          return { id: info.Id, tags: info.RepoTags ?? [], labels: info.Config?.Labels ?? {}, exposedPorts } satisfies ImageSummary;
        } catch (err) {
          if (answerStatus(err) === 404) return undefined;
          throw err;
        }
      }),

    saveImages: (refs, signal) =>
      // dockerode has getImages (GET /images/get?names=...) but its typings lack it.
      call((d) => (d as unknown as { getImages: GetImages }).getImages({ names: refs, abortSignal: signal })),

    loadImages: (tar, signal) =>
      call(async (d) => {
        const answer = await (d.loadImage.bind(d) as unknown as LoadImage)(tar, { quiet: true, abortSignal: signal });
        const error = progressError(await readAll(answer));
        if (error) throw new EngineError(`The Docker engine at ${host} refused the payload: ${error}. Run \`porter build pack\` again to make a new one.`);
      }, 'images were loading'),

    async runToStream(req, stdout, onStderr, signal) {
      throwIfAborted(signal);
      const d = await docker();
      const stderr = createLineSplitter(onStderr);
      const aborted = watchAbort(signal);
      let container: Dockerode.Container | undefined;
      let attached: Readable | undefined;
      try {
        container = await d.createContainer({
          Image: req.image, Env: req.env, Cmd: req.cmd, WorkingDir: req.workingDir, Labels: req.labels, name: req.name,
          Tty: false, OpenStdin: false, AttachStdout: true, AttachStderr: true, HostConfig: { Binds: req.binds },
        });
        // Attach before start, or the first bytes are written before anyone listens.
        attached = (await container.attach({ stream: true, stdout: true, stderr: true })) as unknown as Readable;
        const stream = attached;
        const copy = (async () => {
          const frames = createFrameReader();
          for await (const chunk of stream) {
            for (const frame of frames.push(chunk as Buffer)) {
              if (frame.stream === 2) stderr.write(frame.payload);
              else await writeTo(stdout, frame.payload);
            }
          }
        })();
        copy.catch(() => {});
        await container.start();
        const [exit] = await Promise.race([Promise.all([container.wait(), copy]), aborted.promise]);
        stderr.end();
        const code = (exit as { StatusCode?: unknown }).StatusCode;
        if (typeof code !== 'number') throw new Error(`the engine reported no exit code for container ${container.id}`);
        return { exitCode: code };
      } catch (err) {
        if (signal.aborted) throw abortError(signal);
        throw toEngineError(err, host, container ? 'a container was running' : undefined) ?? err;
      } finally {
        aborted.dispose();
        attached?.destroy();
        if (container) await forceRemove(d, container.id, signal.aborted).catch(() => undefined);
      }
    },

    startContainer: (req, signal) =>
      call(async (d) => {
        // Each container keeps an address of its own (ipv4.ts); one taken meanwhile by another start means picking again.
        const avoid = new Set<string>();
        let pin = true;
        for (let attempt = 1; ; attempt++) {
          const ipv4 = pin ? await freeAddress(d, req.network, avoid) : undefined;
          const started = await startOnce(d, req, ipv4, signal, attempt < ADDRESS_TRIES);
          if (started === 'pinning-refused') pin = false;
          else if (started === 'address-taken') avoid.add(ipv4 ?? '');
          else return started;
        }
      }),

    inspectContainer: (id) => call((d) => inspect(d, id)),

    listContainers: (labels) =>
      call(async (d) => {
        const found = await d.listContainers({ all: true, filters: labelFilters(labels) });
        const states = await Promise.all(found.map((c) => inspect(d, c.Id)));
        return states.filter((s): s is ContainerState => s !== undefined);
      }),

    containerLogs: (id, lines) =>
      call(async (d) => {
        let raw: unknown;
        try {
          raw = await d.getContainer(id).logs({ stdout: true, stderr: true, tail: lines, follow: false });
        } catch (err) {
          if (answerStatus(err) === 404) return [];
          throw err;
        }
        const bytes = Buffer.isBuffer(raw) ? raw : Buffer.from(String(raw));
        const out: string[] = [];
        const split = createLineSplitter((line) => out.push(line));
        for (const frame of createFrameReader().push(bytes)) split.write(frame.payload);
        split.end();
        return out.slice(-lines);
      }),

    removeContainer: (id) => call((d) => forceRemove(d, id, true)),

    ensureNetwork: (name, labels) => oneAtATime(`${host}\0${name}`, () =>
      call(async (d) => {
        try {
          await d.getNetwork(name).inspect();
          return false;
        } catch (err) {
          if (answerStatus(err) !== 404) throw err;
        }
        try {
          // The engine picks a free subnet; recreating the network with it pinned lets a reconnect ask for the same
          // address ("user specified IP address is supported only ... with user configured subnets").
          const probe = await d.createNetwork({ Name: name, Driver: 'bridge', CheckDuplicate: true, Labels: labels });
          const ipam = (await probe.inspect()).IPAM?.Config?.[0];
          await probe.remove();
          // The engine hands out only the upper half; porter pins stack containers in the lower one (ipv4.ts).
          const range = ipam?.Subnet ? upperHalf(ipam.Subnet) : undefined;
          const config = ipam?.Subnet ? [{ Subnet: ipam.Subnet, ...(ipam.Gateway ? { Gateway: ipam.Gateway } : {}), ...(range ? { IPRange: range } : {}) }] : [];
          await d.createNetwork({ Name: name, Driver: 'bridge', CheckDuplicate: true, Labels: labels, IPAM: { Driver: 'default', Config: config } });
          return true;
        } catch (err) {
          // Another porter on the same engine created it a moment ago.
          if (answerStatus(err) === 409) return false;
          throw err;
        }
      })),

    removeNetwork: (name) =>
      call(async (d) => {
        try {
          await d.getNetwork(name).remove();
          return true;
        } catch (err) {
          const status = answerStatus(err);
          if (status === 404 || status === 403 || status === 409) return false;
          throw err;
        }
      }),

    connectNetwork: (network, containerId, aliases, ipv4) =>
      call(async (d) => {
        const connect = (ip?: string): Promise<unknown> =>
          d.getNetwork(network).connect({ Container: containerId, EndpointConfig: { Aliases: aliases, ...(ip ? { IPAMConfig: { IPv4Address: ip } } : {}) } });
        try {
          await connect(ipv4);
        } catch (err) {
          // The address was taken meanwhile, or the network's subnet is not fixed (made by an older porter): any address will do.
          if (!ipv4 || answerStatus(err) === 404) throw err;
          await connect();
        }
      }),

    disconnectNetwork: (network, containerId) =>
      call(async (d) => {
        try {
          await d.getNetwork(network).disconnect({ Container: containerId, Force: false });
        } catch (err) {
          if (answerStatus(err) === 404 || /is not connected/i.test(answerMessage(err))) return;
          throw err;
        }
      }),
  };
}
