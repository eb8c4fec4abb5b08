import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { chmod, mkdir, mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { createReadStream } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer, connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** git for test fixtures: no user config, a fixed identity, and dates that keep shas stable within a test. */
export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, {
    cwd,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_CONFIG_GLOBAL: '/dev/null',
      GIT_AUTHOR_NAME: 'porter test', GIT_AUTHOR_EMAIL: 'test@porter.invalid',
      GIT_COMMITTER_NAME: 'porter test', GIT_COMMITTER_EMAIL: 'test@porter.invalid',
    },
  }).trim();
}

/** A plugin repository: a work repo to commit in, pushed to a bare repo that tests fetch from. */
export interface PluginRemote {
  /** Absolute path of the bare repository (`file://` + this is its URL). */
  bare: string;
  /** Writes files (`*.sh` executable), commits them on the current branch, pushes every branch and tag; returns the new commit's sha. */
  commit(files: Record<string, string>, message?: string): string;
  /** Creates a tag at HEAD (annotated when a message is given) and pushes it. */
  tag(name: string, message?: string): void;
  /** Switches the work repo to a branch (created at HEAD when new). */
  branch(name: string): void;
}

/** Creates the work repo and bare repo under `root/name`, with one first commit on `main`. */
export async function createPluginRemote(root: string, name: string, files: Record<string, string> = { Dockerfile: 'FROM busybox\n' }): Promise<PluginRemote & { firstCommit: string }> {
  const work = join(root, `${name}-work`);
  const bare = join(root, `${name}.git`);
  await mkdir(work, { recursive: true });
  git(root, 'init', '--quiet', '--bare', '--initial-branch=main', bare);
  git(work, 'init', '--quiet', '--initial-branch=main');
  git(work, 'remote', 'add', 'origin', bare);
  const remote: PluginRemote = {
    bare,
    commit(content, message = 'change') {
      for (const [path, text] of Object.entries(content)) {
        execFileSync('mkdir', ['-p', dirname(join(work, path))]);
        execFileSync('sh', ['-c', 'cat > "$1"', 'sh', join(work, path)], { input: text });
        if (path.endsWith('.sh')) execFileSync('chmod', ['755', join(work, path)]);
      }
      git(work, 'add', '--all');
      git(work, 'commit', '--quiet', '--allow-empty', '-m', message);
      git(work, 'push', '--quiet', '--force', '--all', 'origin');
      git(work, 'push', '--quiet', '--force', '--tags', 'origin');
      git(bare, 'update-server-info');
      return git(work, 'rev-parse', 'HEAD');
    },
    tag(tagName, message) {
      if (message) git(work, 'tag', '-a', '-m', message, tagName);
      else git(work, 'tag', tagName);
      git(work, 'push', '--quiet', 'origin', `refs/tags/${tagName}`);
      git(bare, 'update-server-info');
    },
    branch(branchName) {
      git(work, 'checkout', '--quiet', '-B', branchName);
    },
  };
  const firstCommit = remote.commit(files, 'first');
  return { ...remote, firstCommit };
}

/** A `git daemon` serving `basePath` on 127.0.0.1; `url(name)` is a repo's git:// URL. */
export interface GitDaemon {
  port: number;
  url(repoName: string): string;
  stop(): Promise<void>;
}

/** Starts `git daemon --export-all --base-path=... --reuseaddr` on a free port and waits until it accepts connections. */
export async function startGitDaemon(basePath: string): Promise<GitDaemon> {
  const port = await freePort();
  const child: ChildProcess = spawn('git', [
    'daemon', '--export-all', `--base-path=${basePath}`, '--reuseaddr', '--listen=127.0.0.1', `--port=${port}`,
    '--informative-errors', basePath,
  ], { stdio: 'ignore' });
  const exited = once(child, 'exit');
  for (let i = 0; ; i++) {
    if (await canConnect(port)) break;
    if (child.exitCode !== null || i > 100) throw new Error(`git daemon did not start on port ${port}`);
    await sleep(50);
  }
  return {
    port,
    url: (repoName) => `git://127.0.0.1:${port}/${repoName}`,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

/** A port nobody listens on right now (bound, read, released). */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => { socket.destroy(); resolve(true); });
    socket.once('error', () => resolve(false));
  });
}

/** A fresh temp directory for one test file. */
export function tempRoot(prefix: string): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

/**
 * A directory holding a `git` that logs each invocation's arguments to `log` (one line each) and then runs
 * the real git: put it first on the fetcher's PATH to see every git command porter runs.
 */
export async function gitSpy(dir: string): Promise<{ binDir: string; log: string }> {
  const realGit = execFileSync('sh', ['-c', 'command -v git'], { encoding: 'utf8' }).trim();
  const binDir = join(dir, 'spy-bin');
  const log = join(dir, 'git-calls.log');
  await mkdir(binDir, { recursive: true });
  await writeFile(log, '');
  await writeFile(join(binDir, 'git'), `#!/bin/sh\nprintf '%s\\n' "$*" >> '${log}'\nexec '${realGit}' "$@"\n`);
  await chmod(join(binDir, 'git'), 0o755);
  return { binDir, log };
}

/** Every entry under `dir` whose name passes `test`, at any depth (for finding leftovers). */
export async function findNamed(dir: string, test: (name: string) => boolean): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true }).catch(() => [])) {
    if (test(entry.name)) found.push(join(entry.parentPath ?? entry.path, entry.name));
  }
  return found;
}

/**
 * git's "dumb" HTTP protocol: static files of `root` (bare repos after `update-server-info`). It ignores any
 * credentials, except under `/private/`, which always answers 401 as a server asking for a password does.
 */
export async function startDumbHttpServer(root: string): Promise<{ port: number; stop(): Promise<void> }> {
  const server = createHttpServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    if (path.startsWith('/private/')) {
      res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="porter-test"' }).end();
      return;
    }
    if (path.includes('..')) {
      res.writeHead(400).end();
      return;
    }
    const file = createReadStream(join(root, path));
    file.once('error', () => res.writeHead(404).end());
    file.once('open', () => { res.writeHead(200); file.pipe(res); });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : 0,
    stop: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

/** A TCP server that accepts connections and never answers: a remote that hangs. `closed` counts connections the client dropped. */
export async function startSilentServer(): Promise<{ port: number; accepted(): number; closed(): number; stop(): Promise<void> }> {
  const sockets = new Set<Socket>();
  let accepted = 0;
  let closed = 0;
  const server = createServer((socket) => {
    accepted++;
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.resume(); // flowing, so the client's hang-up is seen
    socket.on('close', () => { closed++; sockets.delete(socket); });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : 0,
    accepted: () => accepted,
    closed: () => closed,
    stop: () => new Promise<void>((resolve) => { for (const s of sockets) s.destroy(); server.close(() => resolve()); }),
  };
}
