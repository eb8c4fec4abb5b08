import pLimit from 'p-limit';
import type { HookConfig } from '../config/types.js';
import type { RunContext } from '../context.js';
import { hashContext } from '../docker/build-context.js';
import { parseStep } from '../docker/build-events.js';
import { BuildFailure } from '../docker/engine.js';
import { Label } from '../docker/labels.js';
import { PluginFetchError } from '../git/plugin-fetcher.js';
import { MissingDockerfile, resolveHookSource } from './source.js';
import { TailBuffer } from './tail.js';

/** A hook ready to run, or why it cannot be (the hook's failure, not porter's). */
export type PreparedHook =
  | { ok: true; image: string; display: string }
  | { ok: false; stage: 'clone' | 'build'; message: string; tail: string[] };

/** Images are built at most this many at a time, ahead of their runs. */
export const BUILD_CONCURRENCY = 4;

/**
 * Prepares hook images once per command, however many regions run the list: each distinct hook is
 * cloned (plugins) and built at most once, and a build whose inputs are unchanged is skipped without
 * sending its context — its content hash is kept in the image's `porter.hash` label.
 */
export class HookImages {
  private readonly pending = new Map<string, Promise<PreparedHook>>();
  private readonly limit = pLimit(BUILD_CONCURRENCY);

  constructor(private readonly ctx: RunContext) {}

  /** Starts preparing every hook of a list in order, bounded; the promises are awaited when each hook runs. */
  prefetch(hooks: readonly HookConfig[]): void {
    for (const hook of hooks) void this.get(hook).catch(() => undefined);
  }

  /** The prepared image of a hook (memoised). Rejects only for porter or user errors, never the hook's own. */
  get(hook: HookConfig): Promise<PreparedHook> {
    const key = `${hook.list}\u0000${hook.index}`;
    let p = this.pending.get(key);
    if (!p) {
      p = this.limit(() => this.prepare(hook));
      this.pending.set(key, p);
    }
    return p;
  }

  private async prepare(hook: HookConfig): Promise<PreparedHook> {
    const { ctx } = this;
    ctx.signal.throwIfAborted();
    let source;
    try {
      source = await resolveHookSource(hook, ctx);
    } catch (err) {
      if (err instanceof PluginFetchError) return { ok: false, stage: 'clone', message: err.message, tail: [] };
      if (err instanceof MissingDockerfile) return { ok: false, stage: 'build', message: `${hook.list} ${hook.id}: ${err.message}.`, tail: [] };
      throw err;
    }
    const service = ctx.config.serviceName;
    const hash = await hashContext(source.contextDir, source.dockerfile, hook.buildArgs);
    const tag = `porter-hook-${service}:${hash.slice(0, 12)}`;
    const labels = { [Label.service]: service, [Label.hook]: `${hook.list}/${hook.id}`, [Label.hash]: hash };
    const cached = await ctx.engine.findImages({ [Label.service]: service, [Label.hash]: hash });
    if (cached.length > 0) return { ok: true, image: cached[0]?.tags.includes(tag) ? tag : (cached[0]?.id ?? tag), display: source.display };
    const tail = new TailBuffer(20);
    try {
      await ctx.engine.buildImage(
        { contextDir: source.contextDir, dockerfile: source.dockerfile, tag, labels, buildArgs: hook.buildArgs },
        (line) => {
          tail.push(line);
          const step = parseStep(line);
          if (step) ctx.emit({ type: 'build-progress', list: hook.list, hook: hook.id, ...step });
        },
        ctx.signal,
      );
    } catch (err) {
      if (!(err instanceof BuildFailure)) throw err;
      const message = `${hook.list} ${hook.id} (${source.display}) failed to build: ${err.builderMessage.trim()}. The hook's Dockerfile failed, not porter; its last lines are below.`;
      return { ok: false, stage: 'build', message, tail: tail.lines() };
    }
    return { ok: true, image: tag, display: source.display };
  }
}
