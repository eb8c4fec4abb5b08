import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { lstat, mkdir, mkdtemp, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { UsageError } from '../../src/errors.js';
import { repoCachePaths } from '../../src/git/plugin-cache.js';
import { PluginFetchError } from '../../src/git/plugin-fetcher.js';
import { clearPluginCache, createPluginFetcher } from '../../src/git/simple-git-fetcher.js';
import {
  createPluginRemote, findNamed, freePort, git, gitSpy, startDumbHttpServer, startGitDaemon, startSilentServer, tempRoot,
  type GitDaemon, type PluginRemote,
} from '../helpers/git-remote.js';

const CHILD = fileURLToPath(new URL('../helpers/git-fetch-child.ts', import.meta.url));
const never = (): AbortSignal => new AbortController().signal;
const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

let root = '';
let remotes = '';
let daemon: GitDaemon;
let tools: PluginRemote & { firstCommit: string };
let toolsV2 = '';

/** A fresh cache dir and a fetcher whose git calls are logged (a spy `git` first on its PATH). */
async function fresh(): Promise<{ cacheDir: string; fetcher: ReturnType<typeof createPluginFetcher>; calls(): Promise<string[]>; newRun(): ReturnType<typeof createPluginFetcher> }> {
  const dir = await mkdtemp(join(root, 'run-'));
  const cacheDir = join(dir, 'cache');
  const spy = await gitSpy(dir);
  const env = { PATH: `${spy.binDir}:${process.env.PATH ?? ''}` };
  return {
    cacheDir,
    fetcher: createPluginFetcher({ cacheDir, env }),
    newRun: () => createPluginFetcher({ cacheDir, env }),
    calls: async () => (await readFile(spy.log, 'utf8')).split('\n').filter((l) => l !== ''),
  };
}

/** Whatever a run must not leave in the cache: temp work, lock files. */
async function leftovers(cacheDir: string): Promise<string[]> {
  const temp = await readdir(join(cacheDir, 'tmp')).catch(() => []);
  const tempFiles = (await Promise.all(temp.map((d) => readdir(join(cacheDir, 'tmp', d))))).flat();
  const locks = await findNamed(join(cacheDir, 'repos'), (n) => /\.lock$|\.break$|\.lock\./.test(n));
  return [...tempFiles, ...locks];
}

/** The spy's lines for `git fetch` (after simple-git's leading `-c key=value` pairs). */
function fetchCalls(calls: string[]): string[] {
  return calls.filter((c) => /^(-c \S+ )*fetch /.test(c));
}

/** Runs `fn` with the process umask (which git inherits) set to `mask`. */
async function withUmask<T>(mask: number, fn: () => Promise<T>): Promise<T> {
  const previous = process.umask(mask);
  try {
    return await fn();
  } finally {
    process.umask(previous);
  }
}

/** Rejects with a `type` whose message matches `message` (the message alone, not `Name: message`). */
async function rejectsWith(promise: Promise<unknown>, type: new (...args: never[]) => Error, message: RegExp): Promise<void> {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(err instanceof type, `expected a ${type.name}, got ${String(err)}`);
    assert.match(err.message, message);
    return true;
  });
}

before(async () => {
  root = await tempRoot('porter-plugins-git-');
  remotes = join(root, 'remotes');
  await mkdir(remotes);
  tools = await createPluginRemote(remotes, 'tools', {
    Dockerfile: 'FROM busybox\n', 'notify/Dockerfile': 'FROM busybox\nCMD ["echo","v1"]\n', 'bin/run.sh': '#!/bin/sh\necho run\n',
  });
  tools.tag('v1');
  toolsV2 = tools.commit({ 'notify/Dockerfile': 'FROM busybox\nCMD ["echo","v2"]\n' }, 'v2');
  tools.tag('v2', 'annotated release v2');
  tools.commit({ 'README.md': 'tip of main\n' }, 'tip');
  daemon = await startGitDaemon(remotes);
});

after(async () => {
  await daemon.stop();
  for (const run of await readdir(root).catch(() => [])) await clearPluginCache(join(root, run, 'cache'));
  await rm(root, { recursive: true, force: true });
  assert.equal(existsSync(root), false, 'the test left its temp dir behind');
});

for (const transport of ['file', 'git'] as const) {
  const url = (remote: PluginRemote): string => (transport === 'file' ? `file://${remote.bare}` : daemon.url(basename(remote.bare)));

  describe(`refs over ${transport}://`, () => {
    it('checks out a branch at its tip, without a .git, with the modes git records whatever the umask', { timeout: 20_000 }, async () => {
      const { fetcher, cacheDir } = await fresh();
      const tip = git(tools.bare, 'rev-parse', 'refs/heads/main');
      const checkout = await withUmask(0o077, () => fetcher.fetch(url(tools), 'main', never()));
      assert.equal(checkout.commit, tip);
      assert.equal(await readFile(join(checkout.dir, 'README.md'), 'utf8'), 'tip of main\n');
      assert.equal(existsSync(join(checkout.dir, '.git')), false);
      const mode = async (p: string): Promise<string> => ((await lstat(join(checkout.dir, p))).mode & 0o777).toString(8);
      assert.deepEqual(await Promise.all(['.', 'notify', 'notify/Dockerfile', 'bin/run.sh'].map(mode)), ['755', '755', '644', '755']);
      assert.deepEqual(await leftovers(cacheDir), []);
    });

    it('checks out a lightweight tag and an annotated tag at their commits', { timeout: 20_000 }, async () => {
      const { fetcher } = await fresh();
      const v1 = await fetcher.fetch(url(tools), 'v1', never());
      assert.equal(v1.commit, tools.firstCommit);
      assert.match(await readFile(join(v1.dir, 'notify/Dockerfile'), 'utf8'), /"v1"/);
      const v2 = await fetcher.fetch(url(tools), 'v2', never());
      assert.equal(v2.commit, toolsV2);
      assert.match(await readFile(join(v2.dir, 'notify/Dockerfile'), 'utf8'), /"v2"/);
    });

    it('checks out a full commit sha that is no branch tip', { timeout: 20_000 }, async () => {
      const { fetcher } = await fresh();
      const checkout = await fetcher.fetch(url(tools), toolsV2, never());
      assert.equal(checkout.commit, toolsV2);
      assert.equal(existsSync(join(checkout.dir, 'README.md')), false);
    });

    it('fetches a branch once per run, and sees a new commit on the next run', { timeout: 20_000 }, async () => {
      const moving = await createPluginRemote(remotes, `moving-${transport}`);
      const { fetcher, newRun, calls } = await fresh();
      const first = await fetcher.fetch(url(moving), 'main', never());
      const pushed = moving.commit({ Dockerfile: 'FROM busybox\nRUN true\n' }, 'second');
      assert.equal((await fetcher.fetch(url(moving), 'main', never())).commit, first.commit, 'same run: the first fetch stands');
      assert.equal(fetchCalls(await calls()).length, 1);
      const next = await newRun().fetch(url(moving), 'main', never());
      assert.equal(next.commit, pushed);
      assert.equal(await readFile(join(next.dir, 'Dockerfile'), 'utf8'), 'FROM busybox\nRUN true\n');
      assert.equal(fetchCalls(await calls()).length, 2);
    });

    it('names repo and ref, and what it tried, for an unknown ref', { timeout: 20_000 }, async () => {
      const { fetcher } = await fresh();
      const repo = url(tools);
      await rejectsWith(fetcher.fetch(repo, 'no-such-branch', never()), PluginFetchError,
        new RegExp(`^Plugin ${escape(repo)} has no ref "no-such-branch": tried it as a branch, then as a tag`));
      await rejectsWith(fetcher.fetch(repo, 'abc1234', never()), PluginFetchError, /full 40-character sha/);
      const missing = 'f'.repeat(40);
      await rejectsWith(fetcher.fetch(repo, missing, never()), PluginFetchError, new RegExp(`has no commit ${missing}: tried it as a commit sha`));
    });
  });
}

describe('the cache without the remote', () => {
  let offline: PluginRemote & { firstCommit: string };
  let ownDaemon: GitDaemon;
  let urls: Record<'file' | 'git', string>;
  let cache: Awaited<ReturnType<typeof fresh>>;

  before(async () => {
    offline = await createPluginRemote(remotes, 'offline');
    offline.tag('v1');
    ownDaemon = await startGitDaemon(remotes);
    urls = { file: `file://${offline.bare}`, git: ownDaemon.url('offline.git') };
    cache = await fresh();
    for (const repo of Object.values(urls)) {
      for (const ref of ['main', 'v1', offline.firstCommit]) await cache.fetcher.fetch(repo, ref, never());
    }
    await rename(offline.bare, `${offline.bare}.gone`);
    await ownDaemon.stop();
  });

  after(() => rename(`${offline.bare}.gone`, offline.bare));

  for (const transport of ['file', 'git'] as const) {
    it(`runs a cached tag over ${transport}:// without any fetch`, { timeout: 20_000 }, async () => {
      const before = (await cache.calls()).length;
      const checkout = await cache.newRun().fetch(urls[transport], 'v1', never());
      assert.equal(checkout.commit, offline.firstCommit);
      assert.deepEqual(fetchCalls((await cache.calls()).slice(before)), []);
    });

    it(`runs a cached sha over ${transport}:// without running git at all`, { timeout: 20_000 }, async () => {
      const before = (await cache.calls()).length;
      const checkout = await cache.newRun().fetch(urls[transport], offline.firstCommit, never());
      assert.equal(checkout.commit, offline.firstCommit);
      assert.equal(await readFile(join(checkout.dir, 'Dockerfile'), 'utf8'), 'FROM busybox\n');
      assert.deepEqual((await cache.calls()).slice(before), []);
    });

    it(`fails a branch over ${transport}:// naming repo and branch, never using the stale copy`, { timeout: 20_000 }, async () => {
      const repo = urls[transport];
      await rejectsWith(cache.newRun().fetch(repo, 'main', never()), PluginFetchError,
        new RegExp(`^Could not fetch branch "main" of plugin ${escape(repo)}: git said ".+"\\. Refusing to use the cached copy`));
      assert.deepEqual(await leftovers(cache.cacheDir), []);
    });
  }
});

describe('unreachable repos and credentials', () => {
  it('fails a repo that does not exist, naming it and the ref, and leaves no mirror', { timeout: 20_000 }, async () => {
    const { fetcher, cacheDir } = await fresh();
    const repo = `file://${join(root, 'nowhere.git')}`;
    await rejectsWith(fetcher.fetch(repo, 'v1', never()), PluginFetchError, new RegExp(`^Could not clone plugin ${escape(repo)} \\(ref "v1"\\): git said ".*does not appear to be a git repository"`));
    assert.deepEqual(await readdir(join(cacheDir, 'repos')), []);
  });

  it('fails a git:// host where nothing listens, and a repo the daemon does not have', { timeout: 20_000 }, async () => {
    const { fetcher } = await fresh();
    const closed = `git://127.0.0.1:${await freePort()}/tools.git`;
    await rejectsWith(fetcher.fetch(closed, 'main', never()), PluginFetchError, new RegExp(`^Could not clone plugin ${escape(closed)} \\(ref "main"\\): git said "unable to connect`));
    await rejectsWith(fetcher.fetch(daemon.url('nope.git'), 'main', never()), PluginFetchError, /^Could not clone plugin git:\/\/127\.0\.0\.1:\d+\/nope\.git \(ref "main"\): git said "remote error/);
  });

  it('never shows or stores the credentials of a repo URL', { timeout: 20_000 }, async () => {
    const http = await startDumbHttpServer(remotes);
    try {
      const { fetcher, cacheDir } = await fresh();
      const secret = 's3cr3t-t0ken';
      const good = `http://porter:${secret}@127.0.0.1:${http.port}/tools.git`;
      assert.equal((await fetcher.fetch(good, 'v1', never())).commit, tools.firstCommit);
      const stored = await findNamed(cacheDir, () => true);
      const texts = await Promise.all(stored.map((p) => readFile(p, 'utf8').catch(() => '')));
      assert.equal(texts.filter((t) => t.includes(secret)).length, 0, 'a cache file holds the secret');
      assert.ok(texts.some((t) => t.includes(`http://***@127.0.0.1:${http.port}/tools.git`)), 'the .url file names the repo, redacted');

      const refused = `http://127.0.0.1:${await freePort()}/x.git`.replace('http://', `http://porter:${secret}@`);
      await rejectsWith(fetcher.fetch(refused, 'main', never()), PluginFetchError, /^Could not clone plugin http:\/\/\*\*\*@127\.0\.0\.1:\d+\/x\.git/);
      await rejectsWith(fetcher.fetch(refused, 'main', never()), PluginFetchError, new RegExp(`^((?!${secret}).)*$`, 's'));
      await rejectsWith(fetcher.fetch(`${good.replace('tools.git', '')}--bad`, '--bad', never()), UsageError, new RegExp(`^((?!${secret}).)*$`, 's'));
    } finally {
      await http.stop();
    }
  });

  it('never prompts: a server asking for a password fails at once', { timeout: 20_000 }, async () => {
    const http = await startDumbHttpServer(remotes);
    try {
      const { fetcher } = await fresh();
      const repo = `http://127.0.0.1:${http.port}/private/tools.git`;
      await rejectsWith(fetcher.fetch(repo, 'main', never()), PluginFetchError, new RegExp(`^Could not clone plugin ${escape(repo)} \\(ref "main"\\): git said ".*(terminal prompts disabled|Authentication failed)`));
    } finally {
      await http.stop();
    }
  });
});

describe("the user's git setup", () => {
  it('is not read: no global config, hooks, url rewrites or GIT_* variables reach git', { timeout: 20_000 }, async () => {
    const dir = await mkdtemp(join(root, 'home-'));
    const marker = join(dir, 'hook-ran');
    await mkdir(join(dir, 'hooks'));
    for (const hook of ['reference-transaction', 'post-checkout', 'post-index-change']) {
      await writeFile(join(dir, 'hooks', hook), `#!/bin/sh\ntouch '${marker}'\n`, { mode: 0o755 });
    }
    // Read by git, each of these would run the hooks or send the fetch nowhere.
    const config = `[core]\n\thooksPath = ${join(dir, 'hooks')}\n[url "file:///nonexistent/"]\n\tinsteadOf = file://\n`;
    await writeFile(join(dir, '.gitconfig'), config);
    await mkdir(join(dir, 'xdg', 'git'), { recursive: true });
    await writeFile(join(dir, 'xdg', 'git', 'config'), config);
    const cacheDir = join(dir, 'cache');
    const env = {
      PATH: process.env.PATH, HOME: dir, XDG_CONFIG_HOME: join(dir, 'xdg'), GIT_CONFIG_GLOBAL: join(dir, '.gitconfig'),
      GIT_DIR: '/nonexistent', GIT_CONFIG_COUNT: '1', GIT_CONFIG_KEY_0: 'core.hooksPath', GIT_CONFIG_VALUE_0: join(dir, 'hooks'),
    };
    const checkout = await createPluginFetcher({ cacheDir, env }).fetch(`file://${tools.bare}`, 'main', never());
    assert.equal(checkout.commit, git(tools.bare, 'rev-parse', 'refs/heads/main'));
    assert.equal(existsSync(marker), false, "a hook from the user's config ran");
    await clearPluginCache(cacheDir);
  });
});

describe('concurrency', () => {
  it('fetches once for concurrent hooks on one repo in one run, whatever their refs', { timeout: 20_000 }, async () => {
    const { fetcher, calls, cacheDir } = await fresh();
    const repo = daemon.url('tools.git');
    const results = await Promise.all([...Array(6)].map(() => fetcher.fetch(repo, 'main', never())));
    assert.equal(new Set(results.map((r) => r.dir)).size, 1);
    const others = await Promise.all([fetcher.fetch(repo, 'v2', never()), fetcher.fetch(repo, 'v1', never())]);
    assert.deepEqual(others.map((r) => r.commit), [toolsV2, tools.firstCommit]);
    assert.equal(fetchCalls(await calls()).length, 1);
    assert.deepEqual(await leftovers(cacheDir), []);
  });

  it('lets porter processes share one cache at once without corrupting it', { timeout: 60_000 }, async () => {
    const { cacheDir } = await fresh();
    const repo = daemon.url('tools.git');
    const go = join(cacheDir, '..', 'go');
    const children = [...Array(4)].map(() => {
      const child = spawn(process.execPath, ['--import', 'tsx', CHILD, cacheDir, repo, 'main', go], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      let markReady = (): void => undefined;
      const ready = new Promise<void>((resolve) => { markReady = resolve; });
      child.stdout.on('data', (d: Buffer) => { out += d.toString(); if (out.startsWith('ready\n')) markReady(); });
      child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
      const done = once(child, 'exit').then(([code]) => ({ code: code as number, out, err }));
      return { ready: Promise.race([ready, done]), done };
    });
    await Promise.all(children.map((c) => c.ready));
    await writeFile(go, ''); // every process is loaded: let them all fetch at the same moment
    const results = await Promise.all(children.map((c) => c.done));
    for (const r of results) assert.equal(r.code, 0, r.err);
    const checkouts = results.map((r) => JSON.parse(r.out.trim().split('\n').at(-1) ?? '') as { dir: string; commit: string });
    assert.equal(new Set(checkouts.map((c) => `${c.dir} ${c.commit}`)).size, 1);
    const [only] = checkouts;
    assert.ok(only);
    assert.equal(only.commit, git(tools.bare, 'rev-parse', 'refs/heads/main'));
    assert.equal(await readFile(join(only.dir, 'README.md'), 'utf8'), 'tip of main\n');
    assert.deepEqual(await readdir(join(only.dir, '..')), [only.commit]);
    assert.equal(git(repoCachePaths(cacheDir, repo).mirror, 'fsck', '--no-progress', '--strict'), '');
    assert.deepEqual(await leftovers(cacheDir), []);
  });
});

describe('clearPluginCache', () => {
  it("removes the given repos' mirrors and checkouts, and leaves the others", { timeout: 20_000 }, async () => {
    const { fetcher, cacheDir } = await fresh();
    const gone = daemon.url('tools.git');
    const kept = `file://${tools.bare}`;
    const removed = await fetcher.fetch(gone, 'v1', never());
    const stays = await fetcher.fetch(kept, 'v1', never());
    await clearPluginCache(cacheDir, [gone]);
    assert.equal(existsSync(removed.dir), false);
    assert.equal(existsSync(repoCachePaths(cacheDir, gone).mirror), false);
    assert.equal(existsSync(stays.dir), true);
    assert.deepEqual(await leftovers(cacheDir), []);
    await clearPluginCache(cacheDir);
    assert.equal(existsSync(cacheDir), false);
  });
});

describe('abort', () => {
  it('runs no git for a signal already aborted', { timeout: 10_000 }, async () => {
    const { fetcher, calls } = await fresh();
    await assert.rejects(fetcher.fetch(daemon.url('tools.git'), 'main', AbortSignal.abort()), { name: 'AbortError' });
    assert.deepEqual(await calls(), []);
  });

  it('kills a hanging clone, releases the lock and leaves nothing behind', { timeout: 20_000 }, async () => {
    const silent = await startSilentServer();
    try {
      const { fetcher, cacheDir } = await fresh();
      const controller = new AbortController();
      const pending = fetcher.fetch(`git://127.0.0.1:${silent.port}/hangs.git`, 'main', controller.signal);
      while (silent.accepted() === 0) await sleep(20);
      controller.abort();
      await assert.rejects(pending, { name: 'AbortError' });
      while (silent.closed() === 0) await sleep(20); // git was killed: its connection dropped
      assert.deepEqual(await leftovers(cacheDir), []);
    } finally {
      await silent.stop();
    }
  });
});

describe('bad input', () => {
  const cases: Array<[string, string, string]> = [
    ['repo starting with "-"', '--upload-pack=touch /tmp/pwned', 'main'],
    ['ext:: transport', 'ext::sh -c touch% /tmp/pwned', 'main'],
    ['fd:: transport', 'fd::3', 'main'],
    ['another remote helper', 'testgit::/tmp/x', 'main'],
    ['repo with a newline', 'https://example.com/x.git\n--upload-pack=x', 'main'],
    ['repo with a space', 'https://example.com/x y.git', 'main'],
    ['repo with NUL', 'https://example.com/x.git\u0000', 'main'],
    ['ref starting with "-"', 'https://example.com/x.git', '--output=/tmp/pwned'],
    ['ref with ".."', 'https://example.com/x.git', 'main..x'],
    ['ref with "~^:?*[\\"', 'https://example.com/x.git', 'a~b^c:d?e*f[g\\h'],
    ['ref with whitespace', 'https://example.com/x.git', 'a b'],
    ['ref with a control character', 'https://example.com/x.git', 'a\u0001'],
    ['ref ending .lock', 'https://example.com/x.git', 'main.lock'],
    ['ref ending "/"', 'https://example.com/x.git', 'main/'],
  ];
  for (const [name, repo, ref] of cases) {
    it(`refuses ${name} before git runs`, { timeout: 10_000 }, async () => {
      const { fetcher, calls, cacheDir } = await fresh();
      await rejectsWith(fetcher.fetch(repo, ref, never()), UsageError, /^Refusing to fetch plugin /);
      assert.deepEqual(await calls(), []);
      assert.equal(existsSync(cacheDir), false);
    });
  }
});
