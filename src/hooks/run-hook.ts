import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { HookConfig } from '../config/types.js';
import type { RunContext } from '../context.js';
import { ImageNotFound, type LineSink } from '../docker/engine.js';
import { isAbort } from '../errors.js';
import type { HookResult } from '../events.js';
import { hookEnvironment, secretValues, standardVariables, type HookScope } from './environment.js';
import type { HookImages } from './hook-image.js';
import { createPieceMasker } from './piece-masker.js';
import { collectOutputs, prepareOutputDir, readEnvFile, repoRootMount, runContainer, type Attempt, OUTPUT_FILE_IN_CONTAINER } from './run-container.js';
import { TailBuffer } from './tail.js';
import type { RepoRootMount } from './journal-entry.js';

export { formatMs } from './run-container.js';

/** How many of a hook's last lines its result keeps. */
export const TAIL_LINES = 20;

type Ready = { ok: true; image: string; id: string; hash: string } | { ok: false; failure: Attempt };

/**
 * Runs one hook to its result: its image (prepared ahead), then up to 1 + `retries` container runs,
 * each killed at the hook's deadline. Output is masked before anything sees it; the failure tail is the
 * last attempt's. Rejects only for porter's or the user's errors (engine gone, bad config), never for the
 * hook's own failure; an interrupt is the result `cancelled`.
 */
export async function runHook(hook: HookConfig, scope: HookScope, images: HookImages, ctx: RunContext): Promise<HookResult> {
  const started = ctx.now();
  const base = { list: hook.list, hook: hook.id, ...(scope.region ? { region: scope.region } : {}), ...(scope.event ? { run: scope.event.run } : {}) };
  let tail = new TailBuffer(TAIL_LINES);
  const mask = (line: string): string => ctx.secrets.mask(line);
  let attempts = 1;
  // Every attempt's outputs, a later attempt's value winning: what later hooks will see.
  const outputs: Record<string, string> = {};
  let ready: Ready | undefined;
  // What the last attempt's container got, for the run journal (`porter debug` replays it).
  let ran: { env: Record<string, string>; received: Record<string, string> } | undefined;
  let mount: RepoRootMount | undefined;
  const onMount = (m: RepoRootMount): void => { mount = m; };
  const timeoutMs = hook.timeoutMs ?? ctx.config.hookTimeoutMs;
  const finish = (a: Attempt): HookResult => {
    const result = attemptResult(base, a, tail, ctx.now() - started, attempts, mask, outputs);
    ctx.journal?.record({
      hook, scope, result, startedAt: started, received: ran?.received ?? {}, repoRoot: mount ?? repoRootMount(hook, ctx.repoDir),
      ...(ready?.ok ? { image: { id: ready.id, hash: ready.hash } } : {}), ...(ran ? { env: ran.env } : {}), ...(timeoutMs !== undefined ? { timeoutMs } : {}),
    });
    ctx.emit({ type: 'hook-end', result });
    return result;
  };

  ctx.emit({ type: 'hook-start', ...base, attempt: 1 });
  ready = await prepareImage(hook, images, ctx);
  if (!ready.ok) return finish(ready.failure);
  const envFile = await readEnvFile(hook, ctx.repoDir);
  if ('failure' in envFile) return finish(envFile.failure);

  const outDir = join(ctx.tmpDir, 'run', ctx.runId, `${hook.list}-${hook.index}${scope.region ? `-${scope.region}` : ''}${scope.event ? `-${scope.event.run}` : ''}`);
  let refreshed = false;
  let last: Attempt = { status: 'failed' };
  try {
    for (let attempt = 1; attempt <= 1 + hook.retries; attempt++) {
      attempts = attempt;
      if (attempt > 1) ctx.emit({ type: 'hook-start', ...base, attempt });
      tail = new TailBuffer(TAIL_LINES);
      const standard = standardVariables({
        serviceName: ctx.config.serviceName, serviceVersion: ctx.serviceVersion, list: hook.list, scope,
        outputPath: OUTPUT_FILE_IN_CONTAINER, attempt,
      });
      const received: Record<string, string> = {};
      const passThrough = (key: string): string | undefined => {
        const output = ctx.outputs.get(key, scope.region);
        if (output === undefined) return ctx.hostEnv[key];
        received[key] = output;
        return output;
      };
      const env = hookEnvironment(standard, envFile.values, hook.environment, passThrough);
      ran = { env, received };
      ctx.secrets.add(secretValues(hook, env));
      const onLine = hookOutput(base, tail, ctx);
      await prepareOutputDir(outDir);
      try {
        last = await runContainer(hook, ready.image, env, outDir, timeoutMs, ctx, onLine, scope.hostNetwork, { onMount });
      } catch (err) {
        if (!(err instanceof ImageNotFound) || refreshed) throw err;
        // Another run of this service pruned the image after we found it: build it again, once.
        refreshed = true;
        images.forget(hook, ready.hash);
        ready = await prepareImage(hook, images, ctx);
        if (!ready.ok) return finish(ready.failure);
        last = await runContainer(hook, ready.image, env, outDir, timeoutMs, ctx, onLine, scope.hostNetwork, { onMount });
      }
      Object.assign(outputs, await collectOutputs(hook, scope, outDir, ctx));
      if (last.status === 'passed' || last.status === 'cancelled' || ctx.signal.aborted) break;
      if (last.status === 'timed-out' && !hook.retryOn.includes('timeout')) break;
      // The same image and config fail to start the same way: retried only when retry_on names it.
      if (last.stage === 'start' && !hook.retryOn.includes('start')) break;
    }
  } finally {
    // A hook may leave root-owned files there that a non-root porter cannot delete: `build clean` will.
    await rm(outDir, { recursive: true, force: true }).catch(() => undefined);
  }
  return finish(last);
}

/** The result of a hook whose last attempt ended as `a`: its lines (or the build's), message and outputs masked. */
export function attemptResult(
  base: { list: string; hook: string; region?: string }, a: Attempt, tail: TailBuffer, durationMs: number, attempts: number,
  mask: (text: string) => string, outputs: Record<string, string> = {},
): HookResult {
  const written = Object.entries(outputs);
  return {
    ...base, status: a.status, tail: (a.tail ?? tail.lines()).map(mask), durationMs, attempts,
    ...(a.exitCode !== undefined ? { exitCode: a.exitCode } : {}),
    ...(a.message ? { message: mask(a.message) } : {}),
    ...(a.status !== 'passed' ? { stage: a.stage ?? 'run' } : {}),
    ...(written.length > 0 ? { outputs: Object.fromEntries(written.map(([k, v]) => [k, mask(v)])) } : {}),
  };
}

/** Where a hook's output goes: masked per stream (a secret cut across two pieces of an over-long line still whole), kept in its tail, emitted as its log. */
export function hookOutput(base: { list: string; hook: string; region?: string }, tail: TailBuffer, ctx: RunContext): LineSink {
  const maskers = { stdout: createPieceMasker(ctx.secrets), stderr: createPieceMasker(ctx.secrets) };
  return (line, stream, partial = false) => {
    const masked = maskers[stream](line, partial);
    if (masked === undefined) return;
    tail.push(masked);
    ctx.emit({ type: 'hook-log', ...base, stream, line: masked });
  };
}

/** The hook's image, or the failure to report instead (clone or build failed, or the run was interrupted meanwhile). */
async function prepareImage(hook: HookConfig, images: HookImages, ctx: RunContext): Promise<Ready> {
  try {
    const prepared = await images.get(hook);
    if (prepared.ok) return prepared;
    return { ok: false, failure: { status: 'failed', stage: prepared.stage, message: prepared.message, tail: prepared.tail } };
  } catch (err) {
    if (!isAbort(err, ctx.signal)) throw err;
    return { ok: false, failure: { status: 'cancelled', stage: 'build', message: `${hook.list} ${hook.id} was interrupted before it ran.`, tail: [] } };
  }
}
