/** Who holds an environment lock and whether it is abandoned: pure, so the rules are unit-tested without an engine. */
import { Label } from '../docker/labels.js';

/** A container promote took off the environment network to reconnect it (with `aliases`), at `ipv4`. */
export interface Detached {
  region: string;
  id: string;
  aliases: string[];
  ipv4?: string;
}

/** What the holder was doing, so a command that takes over its lock can finish or undo it (phases/recover-intent.ts). */
export type LockIntent =
  | { action: 'provision'; stackId: string }
  | { action: 'promote'; stackId: string; detached?: Detached[] };

/** The file in the lock container: a counter the holder bumps to show it is alive, and its current intent. */
export interface LockNote {
  beat: number;
  intent?: LockIntent;
}

export interface Holder {
  host: string;
  /** Its pid namespace: a pid is checked only from the same host and namespace. */
  ns: string;
  pid: number;
  command: string;
  /** ISO time the lock was taken. */
  since: string;
}

/** The lock's container name, one per service, environment and region: `porter-lock-<service>-<env>-<region>`. */
export function lockName(service: string, environment: string, region: string): string {
  return `porter-lock-${service}-${environment}-${region}`;
}

/** The labels that say who holds the lock. */
export function holderLabels(service: string, environment: string, region: string, holder: Holder): Record<string, string> {
  return {
    [Label.service]: service, [Label.environment]: environment, [Label.region]: region,
    [Label.host]: holder.host, [Label.pidNamespace]: holder.ns, [Label.pid]: String(holder.pid), [Label.command]: holder.command, [Label.since]: holder.since,
  };
}

/** The holder as its labels say (a lock made by another porter version may lack some). */
export function readHolder(labels: Record<string, string>): Holder {
  return {
    host: labels[Label.host] ?? 'an unknown host',
    ns: labels[Label.pidNamespace] ?? '',
    pid: Number(labels[Label.pid] ?? 0),
    command: labels[Label.command] ?? 'porter',
    since: labels[Label.since] ?? '',
  };
}

/** `porter build promote -e Stage (pid 4242 on ci-7) since 2026-12-02 15:02:11 UTC` */
export function describeHolder(h: Holder): string {
  const since = h.since ? ` since ${h.since.replace('T', ' ').replace(/\.\d+Z$|Z$/, ' UTC')}` : '';
  return `${h.command} (pid ${h.pid} on ${h.host})${since}`;
}

export function formatNote(note: LockNote): string {
  return JSON.stringify(note);
}

/** The note read back; a missing or unreadable one is beat 0 with no intent (the holder died before writing it). */
export function parseNote(text: string): LockNote {
  try {
    const value = JSON.parse(text) as Partial<LockNote> | null;
    return { beat: typeof value?.beat === 'number' ? value.beat : 0, ...(value?.intent ? { intent: value.intent } : {}) };
  } catch {
    return { beat: 0 };
  }
}

/** What a waiter has seen of the lock: which container, its latest beat, and when (by the waiter's clock) that changed. */
export interface Observed {
  id: string;
  beat: number;
  changedAt: number;
}

/** Folds a new reading into what was observed: a new container or beat restarts the staleness clock. */
export function observe(previous: Observed | undefined, id: string, beat: number, now: number): Observed {
  if (previous && previous.id === id && previous.beat === beat) return previous;
  return { id, beat, changedAt: now };
}

/**
 * Why the lock is abandoned, or undefined while its holder may be alive. Dead on this host: its pid is gone (same
 * host id and pid namespace, another pid). Anywhere: its beat did not change for `staleMs` of the waiter's own clock, so clocks of
 * different machines never need to agree.
 */
export function abandonedBecause(holder: Holder, seen: Observed, me: { host: string; ns: string; pid: number; isAlive(pid: number): boolean }, now: number, staleMs: number): string | undefined {
  if (holder.host === me.host && holder.ns === me.ns && holder.pid > 0 && holder.pid !== me.pid && !me.isAlive(holder.pid)) return `its process (pid ${holder.pid}) is no longer running on this host`;
  if (now - seen.changedAt >= staleMs) return `it was not renewed for ${Math.round(staleMs / 1000)} s`;
  return undefined;
}
