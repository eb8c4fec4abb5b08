import { setTimeout as sleep } from 'node:timers/promises';
import type { EnvironmentConfig, RegionConfig } from '../config/types.js';
import type { EnvironmentLock, RunContext } from '../context.js';
import type { DockerEngine } from '../docker/engine.js';
import { LockTimeoutError } from '../errors.js';
import { pidNamespace } from '../pid-alive.js';
import { formatDuration } from './lock-duration.js';
import {
  abandonedBecause, describeHolder, formatNote, holderLabels, lockName, observe, parseNote, readHolder,
  type Holder, type LockIntent, type Observed,
} from './lock-holder.js';
import { recoverIntent } from './recover-intent.js';

/** How a command takes an environment's lock; the timings have defaults that tests shorten. */
export interface LockSettings {
  /** The command as a waiting porter names the holder: `porter build promote -e Stage`. */
  command: string;
  /** `--lock-timeout`: how long to wait for a live holder before exit 2. */
  timeoutMs: number;
  /** A lock whose beat has not changed for this long is abandoned (default 30 s; the holder beats 3× as often). */
  staleMs?: number;
  /** Pause between attempts while waiting (default 500 ms). */
  pollMs?: number;
  /** How often a waiting command says it still waits (default 15 s). */
  progressMs?: number;
}

interface Held {
  region: RegionConfig;
  engine: DockerEngine;
  name: string;
  id: string;
  /** The intent of the holder this lock was taken over from, to finish or undo before `fn` runs. */
  inherited?: LockIntent;
}

/**
 * Runs `fn` holding the lock of every region of `env` (in the engines those regions use, so every machine sharing
 * an engine or swarm sees it), with `ctx.envLock` set so the phases can record what they are doing. Waits for a
 * live holder up to `timeoutMs` (saying who holds it once, then a progress line), then LockTimeoutError (exit 2);
 * takes over, with a warning, a lock whose holder is dead on this host or stopped renewing it, and first finishes
 * or undoes what that holder left. Wrap the whole command in it, its pre_/post_ hooks included.
 */
export async function withEnvironmentLock<T>(ctx: RunContext, env: EnvironmentConfig, settings: LockSettings, fn: (ctx: RunContext) => Promise<T>): Promise<T> {
  const holder: Holder = { host: ctx.owner.host, ns: pidNamespace(), pid: ctx.owner.pid, command: settings.command, since: new Date(ctx.now()).toISOString() };
  // One order for every porter process, so two commands on overlapping engines never wait for each other in a circle.
  const regions = [...env.regions].sort((a, b) => `${a.dockerHost ?? ''} ${a.name}`.localeCompare(`${b.dockerHost ?? ''} ${b.name}`));
  const held: Held[] = [];
  let beat = 0;
  let intent: LockIntent | undefined;
  let writes: Promise<unknown> = Promise.resolve();
  const lost = new Set<Held>();
  const writeAll = (): Promise<unknown> => {
    beat += 1;
    // A lock taken over keeps its dead holder's intent until it is recovered: a kill meanwhile leaves it to the next.
    const noteOf = (h: Held): string => {
      const current = h.inherited ?? intent;
      return formatNote({ beat, ...(current ? { intent: current } : {}) });
    };
    writes = writes.then(() => Promise.all(held.map(async (h) => {
      if (lost.has(h) || (await h.engine.writeLock(h.id, noteOf(h)).catch(() => true))) return;
      lost.add(h);
      ctx.emit({ type: 'message', level: 'warn', text: `The lock of ${env.name} (region ${h.region.name}) was taken over by another porter while this one held it (it could not renew it for ${Math.round((settings.staleMs ?? 30_000) / 1000)} s).` });
    })));
    return writes;
  };
  const heartbeat = setInterval(() => void writeAll(), Math.max(10, Math.floor((settings.staleMs ?? 30_000) / 3)));
  heartbeat.unref();
  try {
    for (const region of regions) held.push(await acquire(ctx, env, region, holder, settings));
    for (const h of held) {
      if (!h.inherited) continue;
      ctx.emit({ type: 'message', level: 'info', text: `Finishing what the previous holder left in region ${h.region.name} of ${env.name}.` });
      await recoverIntent(ctx, env, h.region, h.inherited);
      delete h.inherited;
      await writeAll();
    }
    const envLock: EnvironmentLock = {
      note: async (next) => {
        intent = next;
        await writeAll();
      },
    };
    return await fn({ ...ctx, envLock });
  } finally {
    clearInterval(heartbeat);
    await writes.catch(() => undefined);
    await Promise.all(held.map((h) => h.engine.removeLock(h.id).catch(() => undefined)));
  }
}

async function acquire(ctx: RunContext, env: EnvironmentConfig, region: RegionConfig, holder: Holder, settings: LockSettings): Promise<Held> {
  const service = ctx.config.serviceName;
  const engine = ctx.engineFor(region.dockerHost);
  const name = lockName(service, env.name, region.name);
  const labels = holderLabels(service, env.name, region.name, holder);
  const what = `${env.name}${env.regions.length > 1 ? ` (region ${region.name})` : ''}`;
  const started = ctx.now();
  let told: number | undefined;
  let seen: Observed | undefined;
  let inherited: LockIntent | undefined;
  for (;;) {
    ctx.signal.throwIfAborted();
    const id = await engine.createLock(name, labels, formatNote({ beat: 0, ...(inherited ? { intent: inherited } : {}) }));
    if (id) return { region, engine, name, id, ...(inherited ? { inherited } : {}) };
    const lock = await engine.readLock(name);
    if (!lock) continue;
    const now = ctx.now();
    const note = parseNote(lock.note);
    const other = readHolder(lock.labels);
    seen = observe(seen, lock.id, note.beat, now);
    const abandoned = abandonedBecause(other, seen, { ...ctx.owner, ns: holder.ns }, now, settings.staleMs ?? 30_000);
    if (abandoned) {
      ctx.emit({ type: 'message', level: 'warn', text: `Taking over the lock of ${what} from ${describeHolder(other)}: ${abandoned}.` });
      await engine.removeLock(lock.id);
      // Two waiters may both remove it; only one then creates it, and the other waits for that one.
      inherited = note.intent ?? inherited;
      seen = undefined;
      continue;
    }
    if (told === undefined) {
      ctx.emit({ type: 'message', level: 'info', text: `${what} is locked by ${describeHolder(other)}; waiting for it (up to ${formatDuration(settings.timeoutMs)}, --lock-timeout).` });
      told = now;
    } else if (now - told >= (settings.progressMs ?? 15_000)) {
      ctx.emit({ type: 'message', level: 'info', text: `Still waiting for the lock of ${what}: ${formatDuration(now - started)} of ${formatDuration(settings.timeoutMs)}.` });
      told = now;
    }
    if (now - started >= settings.timeoutMs) {
      throw new LockTimeoutError(`Gave up waiting for the lock of ${what} after ${formatDuration(settings.timeoutMs)}: ${describeHolder(other)} still holds it and is renewing it. Run again once it has finished, or wait longer with --lock-timeout (e.g. --lock-timeout 30m).`);
    }
    await sleep(settings.pollMs ?? 500, undefined, { signal: ctx.signal });
  }
}
