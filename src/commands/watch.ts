import { findEnvironment } from '../config/find-environment.js';
import type { EventHookConfig } from '../config/types.js';
import type { RunContext } from '../context.js';
import type { EngineEvent } from '../docker/engine-events.js';
import { Label } from '../docker/labels.js';
import { PorterError, UsageError } from '../errors.js';
import type { ListStatus } from '../events.js';
import { HookImages } from '../hooks/hook-image.js';
import { connectRegions, type RegionTarget } from '../phases/regions.js';
import { stackUrl } from '../phases/stacks.js';
import { runEventList, watchedEvent, type EventRun } from '../watch/event-run.js';
import { followEngine, type FollowState } from '../watch/follow-engine.js';
import { followSwarm } from '../watch/follow-swarm.js';
import { engineActions, matchEntries, onceKey, scopeLabels, toStackEvent, type StackEvent } from '../watch/match.js';
import { RunQueue } from '../watch/run-queue.js';
import { describeFollowState } from '../watch/follow-state.js';

/** At most this many event runs go at once; later ones wait their turn (never dropped). */
export const EVENT_RUN_LIMIT = 4;

export interface WatchOptions {
  environment: string;
  /** End once this many events have run their lists. */
  maxEvents?: number;
  /** End once no event came and no run went for this long. */
  untilIdleMs?: number;
}

/** The config's `events:`, or a usage error saying how to add one: without them a watcher would only wait. */
export function watchedEntries(config: RunContext['config'], environment: string): EventHookConfig[] {
  findEnvironment(config, environment);
  const entries = config.events ?? [];
  if (entries.length === 0) {
    throw new UsageError(`${config.file} has no events: entries, so porter watch would have nothing to run. Add one, for example \`events: [{on: [die, unhealthy], hooks: on-crash}]\` with a hook list on-crash under hooks: (see docs/events.md).`);
  }
  return entries;
}

/**
 * `porter watch -e ENV`: follows the events of the environment's stacks in every region and runs the hook list of
 * each `events:` entry an event matches — queued in order, at most EVENT_RUN_LIMIT at once, one at a time per
 * `once_per` key. Ends on interrupt, after `maxEvents` events, or after `untilIdleMs` of quiet; resolves to failed
 * when any run failed.
 */
export async function watchEnvironment(ctx: RunContext, opts: WatchOptions): Promise<ListStatus> {
  const entries = watchedEntries(ctx.config, opts.environment);
  const env = findEnvironment(ctx.config, opts.environment);
  const targets = await connectRegions(ctx, env);
  const started = ctx.now();
  ctx.emit({ type: 'phase-start', phase: 'watch', environment: env.name });
  const images = new HookImages(ctx);
  const queue = new RunQueue(EVENT_RUN_LIMIT);
  const following = new AbortController();
  const stopFollowing = (): void => following.abort();
  ctx.signal.addEventListener('abort', stopFollowing, { once: true });
  const urls = new Map<string, Promise<EventRun['stackUrl']>>();
  let runs = 0;
  let handled = 0;
  let failed = false;
  let fatal: unknown;
  let lastActivity = ctx.now();

  const onEvent = (target: RegionTarget, raw: EngineEvent): void => {
    const scope = { service: ctx.config.serviceName, environment: env.name, region: target.region.name };
    const event = toStackEvent(raw, scope);
    const matched = event ? matchEntries(entries, event) : [];
    if (!event || matched.length === 0 || following.signal.aborted) return;
    handled += 1;
    lastActivity = ctx.now();
    const planned = matched.map((entry) => ({ run: `e${++runs}`, entry }));
    ctx.emit({ type: 'stack-event', event: watchedEvent(event, env.name), runs: planned.map((p) => ({ run: p.run, list: p.entry.hooks })) });
    for (const { run, entry } of planned) {
      queue.add(onceKey(entry, event), async () => {
        try {
          const stackUrl = await urlOf(target, event);
          const status = await runEventList({ run, entry, event, environment: env.name, ...(stackUrl ? { stackUrl } : {}) }, images, ctx);
          if (status === 'failed') failed = true;
        } catch (err) {
          failed = true;
          if (!(err instanceof PorterError)) {
            fatal ??= err;
            stopFollowing();
          } else if (!ctx.signal.aborted) {
            ctx.emit({ type: 'message', level: 'warn', text: `[${run}] ${entry.hooks}: ${err.message}` });
          }
        } finally {
          lastActivity = ctx.now();
        }
      });
    }
    if (opts.maxEvents !== undefined && handled >= opts.maxEvents) stopFollowing();
  };

  // A stack's URL is read once from the engine (its published port stays), when its first event runs.
  const urlOf = (target: RegionTarget, event: StackEvent): Promise<EventRun['stackUrl']> => {
    const key = `${target.region.name}\u0000${event.stack}`;
    let url = urls.get(key);
    if (!url) {
      url = target.region.orchestrator === 'swarm' ? Promise.resolve(undefined) : target.engine.listContainers({ [Label.service]: ctx.config.serviceName, [Label.stack]: event.stack, [Label.region]: target.region.name })
        .then((containers) => {
          const found = stackUrl({ containers: [...containers].sort((a, b) => a.name.localeCompare(b.name)) }, target.address);
          return found ? { url: found, hostNetwork: target.address.local } : undefined;
        }, () => undefined);
      urls.set(key, url);
    }
    return url;
  };

  // Every image an event may need is prepared now, so a run starts as soon as its event comes; the watcher says it
  // is watching once every region follows and the images are ready.
  const hooks = entries.flatMap((e) => ctx.config.hooks[e.hooks] ?? []);
  images.prefetch(hooks);
  const ready = Promise.allSettled(hooks.map((h) => images.get(h)));
  const opened = new Set<string>();
  const onState = (target: RegionTarget, state: FollowState): void => {
    const text = describeFollowState(target.region.name, target.engine.host, state);
    if (text) ctx.emit({ type: 'message', level: state.state === 'lost' ? 'warn' : 'info', text });
    if (state.state !== 'open' || opened.has(target.region.name)) return;
    opened.add(target.region.name);
    if (opened.size === targets.length) void ready.then(announce);
  };
  const announce = (): void => {
    if (following.signal.aborted) return;
    lastActivity = ctx.now();
    const kinds = [...new Set(entries.flatMap((e) => e.on))].join(', ');
    ctx.emit({ type: 'message', level: 'info', text: `Watching ${env.name} (${targets.map((t) => t.region.name).join(', ')}) for ${kinds} of ${ctx.config.serviceName}'s stacks; Ctrl-C to stop.` });
  };

  const idle = opts.untilIdleMs === undefined ? undefined : setInterval(() => {
    if (queue.running === 0 && queue.waiting === 0 && ctx.now() - lastActivity >= (opts.untilIdleMs ?? 0)) stopFollowing();
  }, Math.min(250, opts.untilIdleMs));
  try {
    await Promise.all(targets.map((target) => {
      const labels = scopeLabels({ service: ctx.config.serviceName, environment: env.name, region: target.region.name });
      const common = { engine: target.engine, onEvent: (e: EngineEvent) => onEvent(target, e), onState: (s: FollowState) => onState(target, s), signal: following.signal, now: ctx.now };
      return target.region.orchestrator === 'swarm'
        ? followSwarm({ ...common, labels })
        : followEngine({ ...common, filter: { labels, actions: engineActions(entries) } });
    }));
    if (ctx.signal.aborted) {
      const dropped = queue.clear();
      if (dropped > 0) ctx.emit({ type: 'message', level: 'warn', text: `${dropped} queued event run(s) were not started: porter was interrupted.` });
    }
    await queue.drained();
    if (fatal !== undefined) throw fatal;
  } finally {
    clearInterval(idle);
    ctx.signal.removeEventListener('abort', stopFollowing);
    following.abort();
    await images.close();
    ctx.emit({ type: 'phase-end', phase: 'watch', environment: env.name, status: failed ? 'failed' : 'passed', durationMs: ctx.now() - started });
  }
  return failed ? 'failed' : 'passed';
}
