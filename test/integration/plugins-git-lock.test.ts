import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readlinkSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { repoCachePaths } from '../../src/git/plugin-cache.js';
import { clearPluginCache, createPluginFetcher } from '../../src/git/simple-git-fetcher.js';
import { withFileLock } from '../../src/git/with-file-lock.js';
import { createPluginRemote, tempRoot } from '../helpers/git-remote.js';

const FAST = { staleMs: 60_000, pollMs: 5 };
let root = '';
let repo = '';
let sleeper: ChildProcess | undefined;

/** A pid that is certainly not running: a process that has exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(child.stdout);
}

function ownerText(pid: number, host = hostname(), ns = readlinkSync('/proc/self/ns/pid')): string {
  return JSON.stringify({ host, ns, pid, id: `test-${pid}` });
}

/** Runs `n` holders of one lock at once, recording the most that ever held it together. */
async function contend(path: string, n: number): Promise<number> {
  let holding = 0;
  let most = 0;
  await Promise.all([...Array(n)].map(() => withFileLock(path, new AbortController().signal, async () => {
    holding++;
    most = Math.max(most, holding);
    await sleep(5);
    holding--;
  }, FAST)));
  return most;
}

before(async () => {
  root = await tempRoot('porter-plugins-lock-');
  const remote = await createPluginRemote(join(root, 'remotes'), 'locked');
  repo = `file://${remote.bare}`;
  await mkdir(join(root, 'locks'));
});

after(async () => {
  sleeper?.kill();
  await clearPluginCache(join(root, 'cache'));
  await rm(root, { recursive: true, force: true });
  assert.equal(existsSync(root), false);
});

describe('withFileLock', () => {
  it('lets one holder in at a time and removes its file afterwards', { timeout: 10_000 }, async () => {
    const path = join(root, 'locks', 'plain.lock');
    assert.equal(await contend(path, 8), 1);
    assert.deepEqual(await readdir(join(root, 'locks')), []);
  });

  it('breaks a lock left by a dead process once, however many wait for it', { timeout: 10_000 }, async () => {
    const path = join(root, 'locks', 'dead.lock');
    await writeFile(path, ownerText(deadPid()));
    assert.equal(await contend(path, 6), 1);
    assert.deepEqual(await readdir(join(root, 'locks')), []);
  });

  it('does not judge the pid of another pid namespace (a container sharing the cache)', { timeout: 10_000 }, async () => {
    const path = join(root, 'locks', 'other-ns.lock');
    const owner = ownerText(deadPid(), hostname(), 'pid:[1]');
    await writeFile(path, owner);
    const controller = new AbortController();
    const waiting = withFileLock(path, controller.signal, async () => undefined, FAST);
    await sleep(100);
    controller.abort();
    await assert.rejects(waiting, { name: 'AbortError' });
    assert.equal(await readFile(path, 'utf8'), owner);
    await rm(path);
  });

  it('breaks a lock nobody refreshed for staleMs (another host, or a reused pid)', { timeout: 10_000 }, async () => {
    const path = join(root, 'locks', 'old.lock');
    await writeFile(path, ownerText(process.pid, 'another-host'));
    const hourAgo = new Date(Date.now() - 3_600_000);
    await utimes(path, hourAgo, hourAgo);
    assert.equal(await withFileLock(path, new AbortController().signal, async () => 'got it', FAST), 'got it');
  });

  it('waits for a live owner, and stops waiting on abort without touching its lock', { timeout: 10_000 }, async () => {
    const path = join(root, 'locks', 'live.lock');
    sleeper = spawn('sleep', ['30'], { stdio: 'ignore' });
    const owner = ownerText(sleeper.pid ?? 0);
    await writeFile(path, owner);
    const controller = new AbortController();
    let entered = false;
    const waiting = withFileLock(path, controller.signal, async () => { entered = true; }, FAST);
    await sleep(100);
    controller.abort();
    await assert.rejects(waiting, { name: 'AbortError' });
    assert.equal(entered, false);
    assert.equal(await readFile(path, 'utf8'), owner);
    await rm(path);
    assert.deepEqual(await readdir(join(root, 'locks')), []);
  });
});

describe('the fetcher and a lock another porter left', () => {
  it('fetches through a lock whose porter died', { timeout: 20_000 }, async () => {
    const cacheDir = join(root, 'cache');
    const paths = repoCachePaths(cacheDir, repo);
    await mkdir(join(cacheDir, 'repos'), { recursive: true });
    await writeFile(paths.lock, ownerText(deadPid()));
    const checkout = await createPluginFetcher({ cacheDir, env: process.env }).fetch(repo, 'main', new AbortController().signal);
    assert.equal(await readFile(join(checkout.dir, 'Dockerfile'), 'utf8'), 'FROM busybox\n');
    assert.equal(existsSync(paths.lock), false);
  });

  it('sweeps the temp work a crashed porter left, under the lock', { timeout: 20_000 }, async () => {
    const cacheDir = join(root, 'cache');
    const paths = repoCachePaths(cacheDir, repo);
    await mkdir(join(paths.temp, 'checkout-crashed'), { recursive: true });
    await writeFile(join(paths.temp, 'checkout-crashed.index'), 'half');
    await createPluginFetcher({ cacheDir, env: process.env }).fetch(repo, 'main', new AbortController().signal);
    assert.deepEqual(await readdir(paths.temp).catch(() => []), []);
  });
});
