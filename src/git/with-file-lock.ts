import { randomUUID } from 'node:crypto';
import { link, readFile, stat, unlink, utimes, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { isPidAlive, pidNamespace } from '../pid-alive.js';

/** How a lock is waited for and judged abandoned; tests shorten these. */
export interface FileLockTiming {
  /** A lock whose file has not been touched for this long is abandoned (its owner refreshes it 3× as often). */
  staleMs: number;
  /** Pause between attempts while another process holds the lock. */
  pollMs: number;
}

const DEFAULT_TIMING: FileLockTiming = { staleMs: 30_000, pollMs: 50 };

interface Owner {
  host: string;
  /** The pid namespace: containers sharing a cache volume (and perhaps a hostname) do not see each other's pids. */
  ns: string;
  pid: number;
  id: string;
}

/**
 * Runs `fn` holding the exclusive lock file `path`, shared by every porter process on the machine. The
 * lock file appears atomically with its owner inside (written aside, then `link`ed: fails if it exists).
 * A lock is broken when its owner is a dead pid of this host and pid namespace, or when its file was not
 * refreshed for `staleMs` (a crashed owner elsewhere, or a reused pid). Waiting ends with the signal's abort.
 */
export async function withFileLock<T>(path: string, signal: AbortSignal, fn: () => Promise<T>, timing: FileLockTiming = DEFAULT_TIMING): Promise<T> {
  const owner: Owner = { host: hostname(), ns: pidNamespace(), pid: process.pid, id: randomUUID() };
  const mine = JSON.stringify(owner);
  await acquire(path, mine, signal, timing);
  const heartbeat = setInterval(() => {
    const now = new Date();
    utimes(path, now, now).catch(() => undefined);
  }, Math.max(10, Math.floor(timing.staleMs / 3)));
  heartbeat.unref();
  try {
    return await fn();
  } finally {
    clearInterval(heartbeat);
    if ((await readFile(path, 'utf8').catch(() => '')) === mine) await unlink(path).catch(() => undefined);
  }
}

async function acquire(path: string, content: string, signal: AbortSignal, timing: FileLockTiming): Promise<void> {
  const aside = `${path}.${process.pid}.${randomUUID().slice(0, 8)}`;
  await writeFile(aside, content, { flag: 'wx' });
  try {
    for (;;) {
      signal.throwIfAborted();
      if (await tryLink(aside, path)) return;
      const held = await readHeld(path);
      if (held && isAbandoned(held, timing)) {
        await breakLock(path, held.content, timing);
        continue;
      }
      await sleep(timing.pollMs, undefined, { signal });
    }
  } finally {
    await unlink(aside).catch(() => undefined);
  }
}

async function tryLink(from: string, to: string): Promise<boolean> {
  try {
    await link(from, to);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
}

async function readHeld(path: string): Promise<{ content: string; owner?: Owner; ageMs: number } | undefined> {
  try {
    const [content, info] = await Promise.all([readFile(path, 'utf8'), stat(path)]);
    return { content, owner: parseOwner(content), ageMs: Date.now() - info.mtimeMs };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined; // released meanwhile: try again
    throw err;
  }
}

function parseOwner(content: string): Owner | undefined {
  try {
    const v = JSON.parse(content) as Partial<Owner>;
    if (typeof v.host !== 'string' || typeof v.pid !== 'number' || typeof v.id !== 'string') return undefined;
    return { host: v.host, ns: typeof v.ns === 'string' ? v.ns : '', pid: v.pid, id: v.id };
  } catch {
    return undefined;
  }
}

function isAbandoned(held: { owner?: Owner; ageMs: number }, timing: FileLockTiming): boolean {
  if (held.ageMs > timing.staleMs) return true;
  const { owner } = held;
  return owner !== undefined && owner.host === hostname() && owner.ns === pidNamespace() && !isPidAlive(owner.pid);
}


/**
 * Removes an abandoned lock, but only the one that was judged: breakers take turns through `<path>.break`,
 * and under it the lock is removed only if it still holds the content seen. Without this, two waiters
 * that both saw the same dead owner could each delete a lock, the second deleting the first one's new lock.
 */
async function breakLock(path: string, seen: string, timing: FileLockTiming): Promise<void> {
  const breaker = `${path}.break`;
  const aside = `${breaker}.${process.pid}.${randomUUID().slice(0, 8)}`;
  await writeFile(aside, String(process.pid), { flag: 'wx' });
  try {
    if (!(await tryLink(aside, breaker))) {
      // A breaker that died in the few lines below leaves its file behind; it is old news after staleMs.
      const info = await stat(breaker).catch(() => undefined);
      if (info && Date.now() - info.mtimeMs > timing.staleMs) await unlink(breaker).catch(() => undefined);
      else await sleep(timing.pollMs);
      return;
    }
    try {
      if ((await readFile(path, 'utf8').catch(() => undefined)) === seen) await unlink(path).catch(() => undefined);
    } finally {
      await unlink(breaker).catch(() => undefined);
    }
  } finally {
    await unlink(aside).catch(() => undefined);
  }
}
