import { createReadStream, createWriteStream } from 'node:fs';
import { copyFile, mkdir, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { RunContext } from '../context.js';
import { normalizeDockerfile } from '../docker/context-files.js';
import { BuildFailure } from '../docker/engine.js';
import { Label } from '../docker/labels.js';
import type { ImageSpec } from './images.js';

/** The context a builder produced, or why it could not (the service's failure: its builder's fault). */
export type BuilderOutcome = { ok: true; contextDir: string; cleanup(): Promise<void> } | { ok: false; message: string };

export interface BuilderInputs {
  spec: ImageSpec & { dockerfileBuild: string };
  buildArgs: Record<string, string>;
  env: string[];
  onLine(line: string, stream: 'stdout' | 'stderr'): void;
}

/**
 * porter's builder pattern: builds `dockerfile_build` (context: the repo root), runs it, and unpacks its stdout —
 * a tar stream — as the build context of `dockerfile`, into which the repo's `dockerfile` is copied (as the docker
 * CLI does for a context read from stdin). The builder image is removed afterwards, whatever happened.
 */
export async function runBuilder(ctx: RunContext, input: BuilderInputs): Promise<BuilderOutcome> {
  const { spec } = input;
  const service = ctx.config.serviceName;
  const labels = { [Label.service]: service, [Label.builder]: spec.container, [Label.run]: ctx.runId };
  const tag = `porter-builder-${ctx.config.dockerName}-${spec.container}:${ctx.runId}`;
  const work = join(ctx.tmpDir, 'build', ctx.runId, spec.container);
  const tarFile = `${work}.tar`;
  let done = false;
  try {
    await ctx.engine.buildImage({ contextDir: ctx.repoDir, dockerfile: spec.dockerfileBuild, tag, labels, buildArgs: input.buildArgs }, (line) => input.onLine(line, 'stdout'), ctx.signal);
    await mkdir(dirname(tarFile), { recursive: true });
    const out = createWriteStream(tarFile);
    let exitCode: number;
    try {
      ({ exitCode } = await ctx.engine.runToStream(
        { image: tag, env: input.env, binds: [], labels: { [Label.service]: service, [Label.run]: ctx.runId } },
        out, (line) => input.onLine(line, 'stderr'), ctx.signal,
      ));
    } catch (err) {
      out.destroy();
      throw err;
    }
    await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
    if (exitCode !== 0) return { ok: false, message: `The builder ${spec.dockerfileBuild} exited with code ${exitCode}; its stderr is below. Its stdout was to be the build context of ${spec.dockerfile}.` };
    await mkdir(work, { recursive: true });
    try {
      // tar-fs loads only here: a command without a builder never needs it.
      const tar = (await import('tar-fs')).default;
      await pipeline(createReadStream(tarFile), tar.extract(work));
    } catch (err) {
      return { ok: false, message: `The builder ${spec.dockerfileBuild} did not write a tar stream to stdout (${(err as Error).message}). porter's builder pattern uses its stdout as the build context of ${spec.dockerfile}: end it with something like \`tar -c -C /out .\`.` };
    }
    const dockerfile = normalizeDockerfile(spec.dockerfile);
    await mkdir(dirname(join(work, dockerfile)), { recursive: true });
    await copyFile(join(ctx.repoDir, spec.dockerfile), join(work, dockerfile));
    done = true;
    return { ok: true, contextDir: work, cleanup: () => rm(work, { recursive: true, force: true }) };
  } catch (err) {
    if (err instanceof BuildFailure) return { ok: false, message: `The builder ${spec.dockerfileBuild} failed to build: ${err.builderMessage.trim()}.` };
    throw err;
  } finally {
    await rm(tarFile, { force: true });
    if (!done) await rm(work, { recursive: true, force: true });
    await ctx.engine.removeImages(labels).catch(() => 0);
  }
}
