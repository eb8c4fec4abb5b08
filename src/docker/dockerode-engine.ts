/** DockerEngine over dockerode: the only module that imports it, loaded on first use so `porter --help` stays fast. */
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import type Dockerode from 'dockerode';
import { EngineError } from '../errors.js';
import { abortError, throwIfAborted, watchAbort } from './abort.js';
import { createBuildReader } from './build-events.js';
import { withBuildKitHint } from './buildkit-hint.js';
import { packContext } from './build-context.js';
import { clientOptions } from './client-options.js';
import { normalizeDockerfile } from './context-files.js';
import { deferUnusedDockerodeModules } from './defer-unused-modules.js';
import { demuxLines } from './demux-lines.js';
import { eventOperations } from './dockerode-events.js';
import { stackOperations } from './dockerode-stacks.js';
import { cleanupOperations } from './dockerode-cleanup.js';
import { recordOperations } from './dockerode-records.js';
import { fileOperations } from './dockerode-files.js';
import { lockOperations } from './dockerode-lock.js';
import { interactiveOperations } from './dockerode-interactive.js';
import { swarmOperations } from './dockerode-swarm.js';
import { swapOperations } from './dockerode-swap.js';
import { volumeOperations } from './dockerode-volumes.js';
import { hostConfig, takeFiles } from './dockerode-run-files.js';
import { BuildFailure, ImageNotFound, StartFailure, type DockerEngine, type ImageSummary, type LineSink, type RegistryAuth } from './engine.js';
import { answerMessage, answerStatus } from './engine-answer.js';
import { engineCheck, rejectWhenGone } from './engine-gone.js';
import { withDockerContext } from './docker-context.js';
import { chooseDockerHost, parseDockerHost, type EngineEndpoint } from './engine-host.js';
import { engineCalls, isEngineConnectionError, toEngineError, unreachableError, wentAwayError } from './engine-errors.js';
import { labelFilters } from './labels.js';
import { isStartRefusal } from './start-refusal.js';
import { createLineSplitter } from './line-splitter.js';

export interface DockerEngineOptions {
  /** `docker_host` of the region in the config; wins over `env.DOCKER_HOST`. */
  dockerHost?: string;
  env: Record<string, string | undefined>;
  /** The registry logins every image build sends (X-Registry-Config), asked for when a build starts. */
  buildLogins?: () => Promise<Record<string, RegistryAuth>>;
}

const pingTimeoutMs = 10_000;
const stopGraceSeconds = 2;
const cleanupTimeoutMs = 15_000;
const running = 'a container was running';
const building = 'an image was building';

type PingWithSignal = (opts: { abortSignal: AbortSignal }) => Promise<unknown>;

async function connect(endpoint: EngineEndpoint | string, host: string, env: Record<string, string | undefined>, fresh = false): Promise<Dockerode> {
  if (typeof endpoint === 'string') {
    throw new EngineError(`Cannot use "${host}" as the Docker engine address: ${endpoint}. Fix docker_host in the config, or DOCKER_HOST.`);
  }
  const options = await clientOptions(endpoint, env, fresh);
  deferUnusedDockerodeModules();
  const { default: Docker } = await import('dockerode');
  try {
    return new Docker(options);
  } catch (err) {
    // docker-modem parses process.env.DOCKER_HOST (and reads DOCKER_CERT_PATH) in its constructor, even when unused.
    throw new EngineError(`Cannot set up a client for the Docker engine at ${host} (${(err as Error).message}). Check DOCKER_HOST and DOCKER_CERT_PATH in the environment.`, { cause: err });
  }
}

function assertAbsoluteBinds(binds: string[]): void {
  // A relative source is not a bind to the engine but a named volume it creates silently, and never removes.
  const relative = binds.find((bind) => !bind.startsWith('/'));
  if (relative !== undefined) throw new Error(`bind mount source must be an absolute path: ${relative}`);
}

async function quietly(work: () => Promise<unknown>): Promise<void> {
  try {
    await work();
  } catch {
    // Cleanup of something already gone (or an engine that went away): nothing more to do.
  }
}

/** Connects to `dockerHost`, else `env.DOCKER_HOST`, else unix:///var/run/docker.sock; never throws itself. */
export function createDockerEngine(opts: DockerEngineOptions): DockerEngine {
  const context = withDockerContext(opts.dockerHost, opts.env);
  const env = 'env' in context ? context.env : opts.env;
  const chosen = chooseDockerHost(opts.dockerHost, env);
  const endpoint = parseDockerHost(chosen, env);
  const host = typeof endpoint === 'string' ? chosen : endpoint.host;
  // A docker context that cannot be used fails the first request, as an unreachable engine does.
  const open = (fresh?: boolean): Promise<Dockerode> =>
    'problem' in context ? Promise.reject(new EngineError(`Cannot find the Docker engine: ${context.problem}.`)) : connect(endpoint, host, env, fresh);
  let client: Promise<Dockerode> | undefined;
  const docker = (): Promise<Dockerode> => (client ??= open());
  // A stopping engine (SIGTERM) still answers on open connections: only a new one (no keep-alive) tells it is going.
  let fresh: Promise<Dockerode> | undefined;
  const checkEngine = engineCheck(async (abortSignal) => {
    const d = await (fresh ??= open(true));
    return (d.ping.bind(d) as unknown as PingWithSignal)({ abortSignal });
  });

  // Runs a short request; a connection failure becomes "cannot reach <host>".
  const call = engineCalls(docker, host);

  // Removals runToExit left running after it returned (removeInBackground); settle() waits for them.
  const removing = new Set<Promise<void>>();
  const track = (removal: Promise<void>): void => {
    removing.add(removal);
    void removal.finally(() => removing.delete(removal));
  };

  const removeContainer = (d: Dockerode, id: string, graceful: boolean): Promise<void> =>
    quietly(async () => {
      const container = d.getContainer(id);
      const abortSignal = AbortSignal.timeout(cleanupTimeoutMs);
      if (graceful) await quietly(() => container.stop({ t: stopGraceSeconds, abortSignal }));
      await container.remove({ force: true, v: true, abortSignal });
    });

  return {
    host,
    ...stackOperations(docker, host),
    ...swarmOperations(docker, host),
    ...swapOperations(docker, host),
    ...fileOperations(docker, host),
    ...lockOperations(docker, host),
    ...interactiveOperations(docker, host),
    ...cleanupOperations(docker, host),
    ...eventOperations(docker, host),
    ...recordOperations(docker, host),
    ...volumeOperations(docker, host, track),

    async ping(signal) {
      const d = await docker();
      // A hand-made AbortSignal.any: that one only exists from Node 20.3, and porter supports every Node 20.
      const controller = new AbortController();
      const forward = (): void => controller.abort();
      const timer = setTimeout(forward, pingTimeoutMs);
      signal?.addEventListener('abort', forward, { once: true });
      try {
        await (d.ping.bind(d) as unknown as PingWithSignal)({ abortSignal: controller.signal });
      } catch (err) {
        if (signal?.aborted) throw abortError(signal);
        // The ssh dialer's own words: a host key that does not check out, a login refused, no dial-stdio there.
        if (err instanceof EngineError) throw err;
        if (controller.signal.aborted) throw unreachableError(host, err, `no answer within ${pingTimeoutMs / 1000} s`);
        throw unreachableError(host, err, isEngineConnectionError(err) ? undefined : answerMessage(err));
      } finally {
        clearTimeout(timer);
        signal?.removeEventListener('abort', forward);
      }
    },

    findImages: (labels) =>
      call(async (d) => {
        const images = await d.listImages({ filters: labelFilters(labels) });
        return images.map((i): ImageSummary => ({
          id: i.Id,
          tags: (i.RepoTags ?? []).filter((t) => t !== '<none>:<none>'),
          labels: i.Labels ?? {},
        }));
      }),

    async buildImage(req, onLine: LineSink, signal) {
      throwIfAborted(signal);
      const logins = (await opts.buildLogins?.()) ?? {};
      const d = await docker();
      const context = await packContext(req.contextDir, req.dockerfile);
      const reader = createBuildReader((line) => onLine(line, 'stdout'));
      let response: Readable | undefined;
      const onAbort = (): void => {
        context.destroy();
        response?.destroy();
      };
      signal.addEventListener('abort', onAbort, { once: true });
      try {
        response = (await d.buildImage(context, {
          t: req.tag, dockerfile: normalizeDockerfile(req.dockerfile), labels: req.labels, buildargs: req.buildArgs,
          rm: true, forcerm: true, abortSignal: signal,
          // Identity tokens have no user and password, which dockerode's type insists on; the engine takes them.
          ...(Object.keys(logins).length > 0 ? { registryconfig: logins as Dockerode.RegistryConfig } : {}),
        })) as Readable;
        // docker-modem's followProgress calls a failed build a success; read every event ourselves.
        for await (const chunk of response) reader.write(chunk as Buffer);
        throwIfAborted(signal);
        const outcome = reader.end();
        if (outcome.error !== undefined) throw new BuildFailure(outcome.error);
        if (outcome.imageId) return outcome.imageId;
        if (outcome.builtShortId) return (await d.getImage(req.tag).inspect()).Id;
        throw wentAwayError(host, building, new Error('the build output ended without an image id'));
      } catch (err) {
        if (signal.aborted) {
          // The engine cancels a build whose client left; removing its RUN container ourselves makes it certain.
          const leftover = reader.runningContainer();
          if (leftover) await removeContainer(d, leftover, false);
          throw abortError(signal);
        }
        // A RUN step killed by an engine that is stopping fails the build too: not the Dockerfile's fault.
        const refused = err instanceof BuildFailure ? await checkEngine() : undefined;
        const dockerfilePath = join(req.contextDir, req.dockerfile);
        if (err instanceof BuildFailure) throw refused === undefined ? await withBuildKitHint(err, dockerfilePath) : wentAwayError(host, building, refused);
        const status = answerStatus(err);
        // Rejected before any output (bad instruction, missing Dockerfile): the builder's words, the hook's fault.
        if (status !== undefined && status >= 400) throw await withBuildKitHint(new BuildFailure(answerMessage(err)), dockerfilePath);
        throw toEngineError(err, host, response ? building : undefined) ?? err;
      } finally {
        signal.removeEventListener('abort', onAbort);
        context.destroy();
      }
    },

    async runToExit(req, onLine, signal) {
      throwIfAborted(signal);
      assertAbsoluteBinds(req.binds);
      const d = await docker();
      const stdout = createLineSplitter((line, partial) => onLine(line, 'stdout', partial));
      const stderr = createLineSplitter((line, partial) => onLine(line, 'stderr', partial));
      const aborted = watchAbort(signal);
      let container: Dockerode.Container | undefined;
      let attached: Readable | undefined;
      let removeLater = false;
      let kept = false;
      let started = false;
      let output: Promise<unknown> | undefined;
      const watch = new AbortController();
      try {
        container = await d.createContainer({
          Image: req.image, Env: req.env, Cmd: req.cmd, WorkingDir: req.workingDir, Labels: req.labels,
          name: req.name, Tty: false, OpenStdin: false, StdinOnce: false,
          AttachStdin: false, AttachStdout: true, AttachStderr: true,
          HostConfig: hostConfig(req),
        });
        if (req.putFiles) await container.putArchive(await req.putFiles.tar(), { path: req.putFiles.path, abortSignal: signal } as { path: string });
        throwIfAborted(signal);
        // Attach before start, or the first lines are written before anyone listens.
        attached = (await container.attach({ stream: true, stdout: true, stderr: true })) as unknown as Readable;
        output = demuxLines((...args) => d.modem.demuxStream(...args), attached, stdout, stderr, req.outputReady);
        output.catch(() => {});
        throwIfAborted(signal);
        await container.start();
        started = true;
        // Once the output has ended the container exited, or the engine died and the wait will never answer.
        const gone = output.then(() => rejectWhenGone(checkEngine, watch.signal));
        const [exit] = await Promise.race([Promise.all([container.wait({ abortSignal: watch.signal }), output]), aborted.promise, gone]);
        // Every line is in: the attach stream ended after the container exited.
        stdout.end();
        stderr.end();
        const code = (exit as { StatusCode?: unknown }).StatusCode;
        // A container the stopping engine killed exits non-zero (one that exited 0 did its work): ask a new connection.
        const refused = code === 0 ? undefined : await checkEngine();
        if (refused !== undefined) throw wentAwayError(host, running, refused);
        if (typeof code !== 'number') throw new Error(`the engine reported no exit code for container ${container.id}`);
        if (req.takeFiles) await takeFiles(container, req.takeFiles, signal);
        removeLater = req.removeInBackground === true;
        kept = req.keep === true;
        return { exitCode: code };
      } catch (err) {
        if (signal.aborted) throw abortError(signal);
        // Create answers 404 only for a missing image (removed since it was found: another run pruned it).
        if (!container && answerStatus(err) === 404) throw new ImageNotFound(req.image, { cause: err });
        // A typo in CMD, a script without its run bit, an unknown USER: the container's own failure, in the engine's words.
        if (!started && isStartRefusal(answerStatus(err), answerMessage(err))) throw new StartFailure(answerMessage(err));
        // A 5xx (a broken bridge network, a full disk) is the engine's own failure: a message, not a stack trace.
        if ((answerStatus(err) ?? 0) >= 500) {
          throw new EngineError(`The Docker engine at ${host} could not run a container from ${req.image}: ${answerMessage(err)}. This is the engine failing, not the hook; check dockerd's log.`, { cause: err });
        }
        throw toEngineError(err, host, container ? running : undefined) ?? err;
      } finally {
        watch.abort();
        aborted.dispose();
        if (container && output && signal.aborted) {
          // Stop while still attached, so what the hook prints in its grace period reaches the log.
          const stopping = container;
          await quietly(() => stopping.stop({ t: stopGraceSeconds, abortSignal: AbortSignal.timeout(cleanupTimeoutMs) }));
          await Promise.race([output.catch(() => undefined), new Promise((r) => setTimeout(r, 1000).unref())]);
          stdout.end();
          stderr.end();
        }
        attached?.destroy();
        // A kept container is the user's now (`porter debug --keep`): `build clean` removes it.
        if (container && removeLater && !kept) track(removeContainer(d, container.id, false));
        else if (container && !kept) await removeContainer(d, container.id, false);
      }
    },

    async settle() {
      while (removing.size > 0) await Promise.allSettled([...removing]);
    },
  };
}
