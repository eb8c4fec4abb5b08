import { createReadStream } from 'node:fs';
import type { ContainerConfig, EnvironmentConfig } from '../config/types.js';
import type { RunContext } from '../context.js';
import { PortInUse, StartFailure } from '../docker/engine.js';
import { Label } from '../docker/labels.js';
import { StateError } from '../errors.js';
import type { BodyStep } from './body-step.js';
import { waitHealthy, type Health } from './health.js';
import { hardeningOf, stackEnv, stackLabels } from './stack-container.js';
import { pickHostPort, type PublishAddress } from './publish.js';
import type { RegionTarget } from './regions.js';
import { networkName, stackContainerName } from './stack-names.js';
import type { SrcEnv } from './src-env-file.js';
import type { Manifest, ProvisionedRegion } from './state.js';

const PORT_TRIES = 5;
const LOG_LINES = 20;

export interface StackRequest {
  env: EnvironmentConfig;
  target: RegionTarget;
  stackId: string;
  manifest: Manifest;
  payloadFile: string;
  step: BodyStep;
  /** What the containers' `src_env_file` programs printed (secrets), by container name. */
  srcEnv: SrcEnv;
  /** Host port chooser; tests pass one that offers a taken port first. */
  pickPort?: (address: PublishAddress) => Promise<number>;
}

/**
 * A started, healthy stack (or one swapped in place); `remove` undoes it (all-or-nothing across regions), `commit`
 * clears what was kept for that once every region passed.
 */
export type StackOutcome =
  | { ok: true; record: ProvisionedRegion; remove(): Promise<void>; commit?(): Promise<void> }
  | { ok: false; message: string; lines: string[] };

/** A stack container porter started. */
export interface Started {
  config: ContainerConfig;
  name: string;
  id: string;
  hostPort?: number;
}

/**
 * Starts one region's stack: the payload loaded when the engine lacks the images, the environment network, every
 * container (inet ones published on a host port porter picks), then waits until all are healthy. A stack that
 * does not get there is removed with its containers' last lines; on any throw (engine gone, interrupt) too.
 */
export async function startStack(ctx: RunContext, req: StackRequest): Promise<StackOutcome> {
  const { engine, region, address } = req.target;
  const service = ctx.config.serviceName;
  const network = networkName(service, req.env.name);
  const started: Started[] = [];
  let createdNetwork = false;
  const remove = async (): Promise<void> => {
    await Promise.all(started.map((s) => engine.removeContainer(s.id).catch(() => undefined)));
    if (createdNetwork) await engine.removeNetwork(network).catch(() => false);
  };
  try {
    // The images and the network do not depend on each other; both settle before anything is cleaned up.
    const [images, made] = await Promise.allSettled([
      ensureImages(ctx, req),
      engine.ensureNetwork(network, { [Label.service]: service, [Label.environment]: req.env.name }),
    ]);
    createdNetwork = made.status === 'fulfilled' && made.value;
    if (images.status === 'rejected') throw images.reason;
    if (made.status === 'rejected') throw made.reason;
    for (const config of region.containers) {
      for (let replica = 1; replica <= config.replicas; replica++) {
        const name = stackContainerName(service, req.stackId, region.name, config.name, replica, config.replicas);
        const outcome = await startOne(ctx, req, config, name, network);
        if ('failure' in outcome) {
          await remove();
          return { ok: false, message: `Stack ${req.stackId} in region ${region.name}: container ${name} could not start: ${outcome.failure}. Nothing of the stack was left running.`, lines: [] };
        }
        started.push(outcome);
        req.step.log(`started ${name}${outcome.hostPort ? ` on ${address.urlHost}:${outcome.hostPort}` : ''}`);
      }
    }
    const checks = await Promise.all(started.map(async (s) => ({ s, health: await startedHealth(ctx, req, s) })));
    const sick = checks.filter((c) => !c.health.ok);
    if (sick.length > 0) {
      const lines = await lastLines(ctx, req, started);
      await remove();
      const why = sick.map((c) => `${c.s.name}: ${c.health.ok ? '' : c.health.reason}`).join('; ');
      return { ok: false, message: `Stack ${req.stackId} in region ${region.name} did not become healthy (${why}). It was removed; the last lines of its containers are below.`, lines };
    }
  } catch (err) {
    await remove();
    throw err;
  }
  const record = stackRecord(req, started);
  return { ok: true, record, remove };
}

/** What `.porter-tmp/provision.json` says of a region's stack: its containers, and the first published one as its URL. */
export function stackRecord(req: StackRequest, started: readonly Started[]): ProvisionedRegion {
  const { region, address } = req.target;
  const url = (s: Started): string | undefined => (s.hostPort ? `http://${address.urlHost}:${s.hostPort}` : undefined);
  const containers = started.map((s) => ({ name: s.name, id: s.id, ...(url(s) ? { url: url(s) } : {}) }));
  const stackUrl = started.map(url).find((u) => u !== undefined);
  return {
    region: region.name, ...(region.dockerHost ? { dockerHost: region.dockerHost } : {}), stackId: req.stackId,
    ...(stackUrl ? { url: stackUrl } : {}), containers,
  };
}

/** Loads the payload into the region's engine unless it has every image of the region already. */
export async function ensureImages(ctx: RunContext, req: StackRequest): Promise<void> {
  const { engine, region } = req.target;
  const wanted = region.containers.map((c) => req.manifest.images.find((i) => i.container === c.name));
  const present = await Promise.all(wanted.map(async (i) => i !== undefined && (await engine.inspectImage(i.tag))?.id === i.id));
  if (present.every(Boolean)) return;
  req.step.log(`loading ${req.payloadFile} into the engine at ${engine.host}`);
  await engine.loadImages(createReadStream(req.payloadFile), ctx.signal);
  for (const image of wanted) {
    if (image && (await engine.inspectImage(image.tag))?.id !== image.id) {
      throw new StateError(`${req.payloadFile} did not give the engine at ${engine.host} the image ${image.tag} (${image.id}). Run \`porter build pack\` again.`);
    }
  }
}

/** Waits until a started container is healthy (see waitHealthy): inet ones through their published port. */
export function startedHealth(ctx: RunContext, req: StackRequest, s: Started): Promise<Health> {
  const { engine, address } = req.target;
  return waitHealthy({
    engine, containerId: s.id, timeoutMs: s.config.healthCheck.timeoutMs,
    ...(s.hostPort ? { http: { url: `http://${address.urlHost}:${s.hostPort}${s.config.healthCheck.path}`, method: s.config.healthCheck.method } } : {}),
  }, ctx.signal, ctx.now);
}

/**
 * Starts one container of the stack on `network`: an inet one published on a host port porter picks (another when
 * it is taken), or on `opts.hostPort` (one try); with `opts.aliases` on the network. A failure to start is returned.
 */
export async function startOne(ctx: RunContext, req: StackRequest, config: ContainerConfig, name: string, network: string, opts: { hostPort?: number; aliases?: string[] } = {}): Promise<Started | { failure: string }> {
  const { engine, region, address } = req.target;
  const image = req.manifest.images.find((i) => i.container === config.name);
  if (!image) throw new StateError(`The payload has no image for container ${config.name}. Run \`porter build pack\` again.`);
  const labels = stackLabels(ctx, req, config);
  const env = stackEnv(ctx, req, config);
  const hardening = hardeningOf(config);
  let lastTaken = '';
  const tries = opts.hostPort ? 1 : PORT_TRIES;
  for (let attempt = 1; attempt <= tries; attempt++) {
    const hostPort = config.topology === 'inet' && config.inetPort ? opts.hostPort ?? await (req.pickPort ?? pickHostPort)(address) : undefined;
    const publish = hostPort && config.inetPort ? [{ containerPort: config.inetPort, hostIp: address.bindIp, hostPort }] : [];
    try {
      const id = await engine.startContainer({ image: image.tag, name, labels, env, network, aliases: opts.aliases ?? [], publish, hardening }, ctx.signal);
      return { config, name, id, ...(hostPort ? { hostPort } : {}) };
    } catch (err) {
      if (err instanceof StartFailure) return { failure: err.message };
      if (!(err instanceof PortInUse)) throw err;
      lastTaken = err.message;
      req.step.log(`host port ${hostPort ?? ''} is taken; trying another`);
    }
  }
  return { failure: tries === 1 ? `its host port is taken (${lastTaken})` : `no free host port after ${PORT_TRIES} tries (last: ${lastTaken})` };
}

export async function lastLines(ctx: RunContext, req: StackRequest, started: readonly Started[]): Promise<string[]> {
  const per = await Promise.all(started.map(async (s) => (await req.target.engine.containerLogs(s.id, LOG_LINES).catch(() => [])).map((l) => `${s.config.name}: ${l}`)));
  const lines = per.flat();
  return lines.length > 0 ? lines : ['(the containers wrote nothing)'];
}
