import pLimit from 'p-limit';
import type { HookConfig } from '../config/types.js';
import type { RunContext } from '../context.js';
import { hashContext } from '../docker/build-context.js';
import { parseStep } from '../docker/build-events.js';
import { BuildFailure, type ImageSummary } from '../docker/engine.js';
import { Label } from '../docker/labels.js';
import { PluginFetchError } from '../git/plugin-fetcher.js';
import { pruneHookImages } from './prune-hook-images.js';
import { hookDisplay, MissingDockerfile, resolveHookSource, type HookSource } from './source.js';
import { TailBuffer } from './tail.js';

/** A hook ready to run, or why it cannot be (the hook's failure, not porter's). */
export type PreparedHook =
  | { ok: true; image: string; id: string; hash: string; display: string }
  | { ok: false; stage: 'clone' | 'build'; message: string; tail: string[] };

/** One image build, shared by every hook whose inputs hash the same. */
type Built = { ok: true; image: string; id: string } | { ok: false; builderMessage: string; tail: string[] };

/** Images are built at most this many at a time, ahead of their runs. */
export const BUILD_CONCURRENCY = 4;

/**
 * Prepares hook images once per command, however many regions run the list: each distinct hook is
 * cloned (plugins) and built at most once, hooks with identical inputs share one build, and a build
 * whose inputs are unchanged is skipped without sending its context — its content hash is kept in the
 * image's `porter.hash` label. A rebuilt hook's older images are removed. `close()` cancels what no
 * hook waited for (images of hooks that were skipped) and waits for it to stop.
 */
export class HookImages {
  private readonly pending = new Map<string, Promise<PreparedHook>>();
  private readonly builds = new Map<string, Promise<Built>>();
  /** Hashes this command uses: pruning never removes them. */
  private readonly inUse = new Set<string>();
  private readonly background = new Set<Promise<unknown>>();
  /** Bounds clones and builds; looking up cached images is one shared request and needs no turn. */
  private readonly limit = pLimit(BUILD_CONCURRENCY);
  private listing: Promise<ImageSummary[]> | undefined;
  private readonly controller = new AbortController();
  private readonly stop = (): void => this.controller.abort(this.ctx.signal.reason);

  constructor(private readonly ctx: RunContext) {
    if (ctx.signal.aborted) this.stop();
    else ctx.signal.addEventListener('abort', this.stop, { once: true });
  }

  /** Starts preparing every hook of a list in order, bounded; the promises are awaited when each hook runs. */
  prefetch(hooks: readonly HookConfig[]): void {
    for (const hook of hooks) void this.get(hook).catch(() => undefined);
    // Whether the engine sees the checkout is probed meanwhile, with a hook image the engine has from an earlier run.
    if (hooks.length > 0) {
      void this.serviceImages().then((found) => {
        if (found[0]) this.ctx.repoRoot.warm(found[0].id, this.ctx.signal);
      }, () => undefined);
    }
  }

  /** The prepared image of a hook (memoised). Rejects only for porter or user errors (or an abort), never the hook's own. */
  get(hook: HookConfig): Promise<PreparedHook> {
    const key = `${hook.list}\u0000${hook.index}`;
    let p = this.pending.get(key);
    if (!p) {
      p = this.prepare(hook);
      this.pending.set(key, p);
    }
    return p;
  }

  /** Forgets a hook's image after the engine lost it (another run pruned it): the next `get` builds it again. */
  forget(hook: HookConfig, hash: string): void {
    this.pending.delete(`${hook.list}\u0000${hook.index}`);
    this.builds.delete(hash);
    this.listing = undefined;
  }

  /** Cancels preparations nobody awaited and waits until every build and clean-up has stopped. */
  async close(): Promise<void> {
    this.ctx.signal.removeEventListener('abort', this.stop);
    this.controller.abort();
    await Promise.allSettled([...this.pending.values(), ...this.background]);
  }

  private async prepare(hook: HookConfig): Promise<PreparedHook> {
    const signal = this.controller.signal;
    signal.throwIfAborted();
    let source: HookSource;
    try {
      source = await this.limit(() => resolveHookSource(hook, { ...this.ctx, signal }));
    } catch (err) {
      if (err instanceof PluginFetchError) return { ok: false, stage: 'clone', message: `${hook.list} ${hook.id} (${hookDisplay(hook)}): ${err.message}`, tail: [] };
      if (err instanceof MissingDockerfile) return { ok: false, stage: 'build', message: `${hook.list} ${hook.id}: ${err.message}.`, tail: [] };
      throw err;
    }
    const hash = await hashContext(source.contextDir, source.dockerfile, hook.buildArgs);
    this.inUse.add(hash);
    let build = this.builds.get(hash);
    if (!build) {
      build = this.build(hook, source, hash);
      this.builds.set(hash, build);
    }
    const built = await build;
    if (built.ok) return { ok: true, image: built.image, id: built.id, hash, display: source.display };
    const message = `${hook.list} ${hook.id} (${source.display}) failed to build: ${built.builderMessage.trim()}. The hook's Dockerfile failed, not porter; its last lines are below.`;
    return { ok: false, stage: 'build', message, tail: built.tail };
  }

  // One listing of the service's hook images per command, not one engine round-trip per hook; forget() lists again.
  private serviceImages(): Promise<ImageSummary[]> {
    this.listing ??= this.ctx.engine.findImages({ [Label.service]: this.ctx.config.serviceName, [Label.hash]: '' });
    return this.listing;
  }

  private async build(hook: HookConfig, source: HookSource, hash: string): Promise<Built> {
    const { ctx } = this;
    const signal = this.controller.signal;
    const service = ctx.config.serviceName;
    const tag = `porter-hook-${ctx.config.dockerName}:${hash.slice(0, 12)}`;
    const hookLabel = `${hook.list}/${hook.id}`;
    const cached = (await this.serviceImages()).filter((i) => i.labels[Label.hash] === hash);
    const found = cached.find((i) => i.tags.includes(tag)) ?? cached[0];
    if (found) return { ok: true, image: found.tags.includes(tag) ? tag : found.id, id: found.id };
    const tail = new TailBuffer(20);
    let id: string;
    try {
      id = await this.limit(() => ctx.engine.buildImage(
        { contextDir: source.contextDir, dockerfile: source.dockerfile, tag, labels: { [Label.service]: service, [Label.hook]: hookLabel, [Label.hash]: hash }, buildArgs: hook.buildArgs },
        (line) => {
          tail.push(line);
          const step = parseStep(line);
          if (step) ctx.emit({ type: 'build-progress', list: hook.list, hook: hook.id, ...step });
        },
        signal,
      ));
    } catch (err) {
      ctx.emit({ type: 'build-end', list: hook.list, hook: hook.id, ok: false });
      if (!(err instanceof BuildFailure)) throw err;
      return { ok: false, builderMessage: err.builderMessage, tail: tail.lines() };
    }
    ctx.emit({ type: 'build-end', list: hook.list, hook: hook.id, ok: true });
    // Best effort and off the hook's path: a failed prune leaves an image for `build clean`, nothing worse.
    const prune = pruneHookImages(ctx.engine, service, hookLabel, hash, this.inUse).catch(() => 0);
    this.background.add(prune);
    void prune.finally(() => this.background.delete(prune));
    return { ok: true, image: tag, id };
  }
}
