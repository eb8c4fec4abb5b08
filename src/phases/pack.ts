import { createWriteStream } from 'node:fs';
import { readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { loadConfig } from '../config/load.js';
import type { RunContext } from '../context.js';
import { BuildFailure } from '../docker/engine.js';
import { Label } from '../docker/labels.js';
import type { ListStatus } from '../events.js';
import type { BodyStep } from './body-step.js';
import { startBodyStep } from './body-step.js';
import { runBuilder } from './builder.js';
import { UsageError } from '../errors.js';
import { argsWithoutValue, buildArgsFor } from './dockerfile-args.js';
import { hookListRunner } from './hook-lists.js';
import { packedImages, type ImageSpec } from './images.js';
import { packRegistries, pushToRegistries, registryLogins } from './registry.js';
import { runPhase, type BodyOutcome } from './run-phase.js';
import { StateFiles, writeJson, type Manifest, type PackedImage } from './state.js';

/**
 * `porter build pack`: a new pipeline (hook outputs of the last one are forgotten), then pre_pack → build every
 * container image and save the payload → post_pack. The body and post_pack use the config as pre_pack left it.
 */
export async function buildPack(ctx: RunContext): Promise<ListStatus> {
  packedImages(ctx.config, ctx.serviceVersion);
  await ctx.outputs.reset();
  let current = ctx;
  return runPhase(
    {
      phase: 'pack',
      scopes: [{}],
      body: async () => {
        current = { ...ctx, config: await loadConfig({ repoDir: ctx.repoDir, configPath: ctx.config.file, env: { ...ctx.hostEnv } }) };
        return packBody(current);
      },
    },
    hookListRunner(() => current),
    ctx.emit,
    ctx.now,
  );
}

async function packBody(ctx: RunContext): Promise<BodyOutcome> {
  const specs = packedImages(ctx.config, ctx.serviceVersion);
  const file = (name: string): string => join(ctx.tmpDir, name);
  // A failed pack must not leave the last payload looking current.
  await Promise.all([StateFiles.manifest, StateFiles.payload, StateFiles.config].map((f) => rm(file(f), { force: true })));
  await checkBuildArgs(ctx, specs);
  const images: PackedImage[] = [];
  const registries = await registryLogins(ctx, packRegistries(ctx.config, ctx.hostEnv));
  for (const spec of specs) {
    const step = startBodyStep(ctx, 'pack', spec.container);
    const id = await buildImage(ctx, spec, step);
    if (id === undefined) return { status: 'failed' };
    const inetPort = spec.needsPort ? await exposedPort(ctx, spec, step) : undefined;
    if (inetPort === null) return { status: 'failed' };
    const pushed = await pushToRegistries(ctx, { container: spec.container, id }, registries, step);
    if (pushed === undefined) return { status: 'failed' };
    images.push({ container: spec.container, tag: spec.tag, id, ...(inetPort ? { inetPort } : {}), ...(pushed.length > 0 ? { pushed } : {}) });
    step.pass();
  }
  if (images.length > 0) {
    const payload = file(StateFiles.payload);
    await pipeline(await ctx.engine.saveImages(images.map((i) => i.tag), ctx.signal), createWriteStream(`${payload}.tmp`));
    await rename(`${payload}.tmp`, payload);
  }
  await writeFile(file(StateFiles.config), await readFile(resolve(ctx.repoDir, ctx.config.file)));
  const manifest: Manifest = { service: ctx.config.serviceName, version: ctx.serviceVersion, created: new Date(ctx.now()).toISOString(), images };
  await writeJson(file(StateFiles.manifest), manifest);
  const what = images.length > 0 ? `${images.map((i) => i.tag).join(', ')} into ${file(StateFiles.payload)}` : 'no container images (the config names none)';
  ctx.emit({ type: 'message', level: 'info', text: `Packed ${what}.` });
  return { status: 'passed' };
}

/**
 * `validate_build_args_exist`: every `ARG` of the container's Dockerfiles (and its builder's) without a default
 * needs a value in porter's environment. Checked for all containers before anything is built (exit 2, each named).
 */
async function checkBuildArgs(ctx: RunContext, specs: ImageSpec[]): Promise<void> {
  const missing: string[] = [];
  for (const spec of specs.filter((s) => s.validateBuildArgs)) {
    for (const file of [spec.dockerfileBuild, spec.dockerfile]) {
      if (!file) continue;
      const text = await readFile(join(ctx.repoDir, file), 'utf8').catch(() => '');
      const args = argsWithoutValue(text, ctx.hostEnv);
      if (args.length > 0) missing.push(`${file} of container ${spec.container}: ${args.join(', ')}`);
    }
  }
  if (missing.length > 0) {
    throw new UsageError(`validate_build_args_exist: these build args have no value (no default in the Dockerfile, not set in porter's environment): ${missing.join('; ')}. Set them in the environment porter runs in, or give the ARG a default.`);
  }
}

/** The single port an inet container's image EXPOSEs (the original's default for `inet_port`); null when there is not exactly one, reported on `step`. */
async function exposedPort(ctx: RunContext, spec: ImageSpec, step: BodyStep): Promise<number | null> {
  const ports = (await ctx.engine.inspectImage(spec.tag))?.exposedPorts ?? [];
  if (ports.length === 1 && ports[0] !== undefined) return ports[0];
  const found = ports.length === 0 ? 'EXPOSEs no port' : `EXPOSEs ${ports.length} ports (${ports.join(', ')})`;
  step.fail(`pack ${spec.container}: the container is inet without inet_port, and its image ${found}; give inet_port in ${ctx.config.file}, EXPOSE exactly one port in ${spec.dockerfile}, or set topology: worker if it serves no HTTP (a region's lone container is inet unless it says otherwise, as in the original porter).`);
  return null;
}

/** Builds one image (through its builder when it has one); undefined when it failed, already reported on `step`. */
async function buildImage(ctx: RunContext, spec: ImageSpec, step: BodyStep): Promise<string | undefined> {
  const env = { ...ctx.hostEnv, PORTER_SERVICE_NAME: ctx.config.serviceName, PORTER_SERVICE_VERSION: ctx.serviceVersion };
  const argsOf = async (dockerfile: string, dir = ctx.repoDir): Promise<Record<string, string>> => buildArgsFor(await readFile(join(dir, dockerfile), 'utf8').catch(() => ''), env);
  for (const file of [spec.dockerfile, spec.dockerfileBuild]) {
    if (file && !(await stat(join(ctx.repoDir, file)).then((s) => s.isFile(), () => false))) {
      step.fail(`pack ${spec.container}: there is no Dockerfile at ${file} in ${ctx.repoDir}; fix dockerfile${file === spec.dockerfile ? '' : '_build'} of container ${spec.container} in ${ctx.config.file}.`);
      return undefined;
    }
  }
  let contextDir = ctx.repoDir;
  let cleanup = async (): Promise<void> => undefined;
  if (spec.dockerfileBuild) {
    const built = await runBuilder(ctx, {
      spec: { ...spec, dockerfileBuild: spec.dockerfileBuild },
      buildArgs: await argsOf(spec.dockerfileBuild),
      env: [`PORTER_SERVICE_NAME=${env.PORTER_SERVICE_NAME}`, `PORTER_SERVICE_VERSION=${env.PORTER_SERVICE_VERSION}`],
      onLine: (line, stream) => step.log(`builder: ${line}`, stream),
    });
    if (!built.ok) {
      step.fail(`pack ${spec.container}: ${built.message}`);
      return undefined;
    }
    ({ contextDir, cleanup } = built);
  }
  try {
    const labels = { [Label.service]: ctx.config.serviceName, [Label.container]: spec.container, [Label.version]: ctx.serviceVersion };
    const buildArgs = await argsOf(spec.dockerfile, contextDir);
    return await ctx.engine.buildImage({ contextDir, dockerfile: spec.dockerfile, tag: spec.tag, labels, buildArgs }, (line) => step.log(line), ctx.signal);
  } catch (err) {
    if (!(err instanceof BuildFailure)) throw err;
    step.fail(`pack ${spec.container}: ${spec.dockerfile} failed to build: ${err.builderMessage.trim()}. The service's Dockerfile failed, not porter; its last lines are below.`);
    return undefined;
  } finally {
    await cleanup();
  }
}
