import { createReadStream } from 'node:fs';
import type { ContainerConfig, EnvironmentConfig } from '../config/types.js';
import type { RunContext } from '../context.js';
import { PortInUse, StartFailure } from '../docker/engine.js';
import { Label } from '../docker/labels.js';
import { StateError } from '../errors.js';
import type { BodyStep } from './body-step.js';
import { waitHealthy } from './health.js';
import { pickHostPort, type PublishAddress } from './publish.js';
import type { RegionTarget } from './regions.js';
import { networkName, stackContainerName } from './stack-names.js';
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
  /** Host port chooser; tests pass one that offers a taken port first. */
  pickPort?: (address: PublishAddress) => Promise<number>;
}

/** A started, healthy stack; `remove` takes it down again (all-or-nothing across regions). */
export type StackOutcome =
  | { ok: true; record: ProvisionedRegion; remove(): Promise<void> }
  | { ok: false; message: string; lines: string[] };

interface Started {
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
    const checks = await Promise.all(started.map(async (s) => ({ s, health: await waitHealthy({
      engine, containerId: s.id, timeoutMs: s.config.healthCheck.timeoutMs,
      ...(s.hostPort ? { http: { url: `http://${address.urlHost}:${s.hostPort}${s.config.healthCheck.path}`, method: s.config.healthCheck.method } } : {}),
    }, ctx.signal, ctx.now) })));
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
  const url = (s: Started): string | undefined => (s.hostPort ? `http://${address.urlHost}:${s.hostPort}` : undefined);
  const containers = started.map((s) => ({ name: s.name, id: s.id, ...(url(s) ? { url: url(s) } : {}) }));
  const stackUrl = started.map(url).find((u) => u !== undefined);
  const record: ProvisionedRegion = {
    region: region.name, ...(region.dockerHost ? { dockerHost: region.dockerHost } : {}), stackId: req.stackId,
    ...(stackUrl ? { url: stackUrl } : {}), containers,
  };
  return { ok: true, record, remove };
}

async function ensureImages(ctx: RunContext, req: StackRequest): Promise<void> {
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

async function startOne(ctx: RunContext, req: StackRequest, config: ContainerConfig, name: string, network: string): Promise<Started | { failure: string }> {
  const { engine, region, address } = req.target;
  const image = req.manifest.images.find((i) => i.container === config.name);
  if (!image) throw new StateError(`The payload has no image for container ${config.name}. Run \`porter build pack\` again.`);
  const service = ctx.config.serviceName;
  const labels = {
    [Label.service]: service, [Label.environment]: req.env.name, [Label.region]: region.name,
    [Label.version]: req.manifest.version, [Label.stack]: req.stackId, [Label.container]: config.name,
  };
  const env = [
    `PORTER_SERVICE_NAME=${service}`, `PORTER_SERVICE_VERSION=${req.manifest.version}`, `PORTER_ENVIRONMENT=${req.env.name}`,
    `PORTER_REGION=${region.name}`, `PORTER_STACK_ID=${req.stackId}`,
  ];
  let lastTaken = '';
  for (let attempt = 1; attempt <= PORT_TRIES; attempt++) {
    const hostPort = config.topology === 'inet' && config.inetPort ? await (req.pickPort ?? pickHostPort)(address) : undefined;
    const publish = hostPort && config.inetPort ? [{ containerPort: config.inetPort, hostIp: address.bindIp, hostPort }] : [];
    try {
      const id = await engine.startContainer({ image: image.tag, name, labels, env, network, aliases: [], publish }, ctx.signal);
      return { config, name, id, ...(hostPort ? { hostPort } : {}) };
    } catch (err) {
      if (err instanceof StartFailure) return { failure: err.message };
      if (!(err instanceof PortInUse)) throw err;
      lastTaken = err.message;
      req.step.log(`host port ${hostPort ?? ''} is taken; trying another`);
    }
  }
  return { failure: `no free host port after ${PORT_TRIES} tries (last: ${lastTaken})` };
}

async function lastLines(ctx: RunContext, req: StackRequest, started: readonly Started[]): Promise<string[]> {
  const per = await Promise.all(started.map(async (s) => (await req.target.engine.containerLogs(s.id, LOG_LINES).catch(() => [])).map((l) => `${s.config.name}: ${l}`)));
  const lines = per.flat();
  return lines.length > 0 ? lines : ['(the containers wrote nothing)'];
}
