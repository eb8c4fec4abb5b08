/** What every fault test asserts after a porter run: how it ended, what it said, and that nothing of it is left. */
import assert from 'node:assert/strict';
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { once } from 'node:events';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import type { ApiAnswer } from './engine-api.js';
import { engineApi, labelQuery } from './engine-api.js';
import { porterEnv, type PorterExit, type PorterProcess } from './porter-cli.js';
import { tempDir } from './temp-dirs.js';

export type EngineApi = (method: string, path: string) => Promise<ApiAnswer>;

/** The shared engine (DOCKER_HOST or the local socket), as the test helpers reach it. */
export const sharedEngine: EngineApi = (method, path) => engineApi(method, path);

/** Waits for porter to exit; fails (after killing it) when that takes longer than `ms`. Resolves to the exit and how long it took. */
export async function exitWithin(p: PorterProcess, ms: number): Promise<PorterExit & { tookMs: number }> {
  const started = Date.now();
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`porter did not exit within ${ms} ms:\n${p.stdout().slice(-3000)}\n${p.stderr()}`)), ms);
  });
  try {
    const exit = await Promise.race([p.exited, late]);
    return { ...exit, tookMs: Date.now() - started };
  } finally {
    clearTimeout(timer);
    p.child.kill('SIGKILL');
  }
}

/** The exit code and the message a user sees, with no stack trace and no "internal error" anywhere. */
export function assertExit(r: PorterExit, code: number, message?: RegExp): void {
  const all = `--- stdout\n${r.stdout.slice(-4000)}\n--- stderr\n${r.stderr}`;
  assert.equal(r.code, code, `exit code\n${all}`);
  if (message) assert.match(r.stderr, message, all);
  assert.doesNotMatch(r.stderr, /^\s+at .+[:(]/m, `a stack trace on stderr\n${all}`);
  assert.doesNotMatch(r.stderr + r.stdout, /internal error/, all);
}

/** An empty directory to be porter's TMPDIR: anything porter (or git under it) leaves in its temp dir shows up there. */
export function porterTmpDir(): Promise<string> {
  return tempDir('porter-faults-tmp-test-');
}

interface Listed {
  Id: string;
  Names?: string[];
  Name?: string;
  RepoTags?: string[] | null;
}

async function list(api: EngineApi, path: string): Promise<Listed[]> {
  const answer = await api('GET', path);
  assert.ok(answer.status < 300 && Array.isArray(answer.body), `GET ${path}: ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer.body as Listed[];
}

/** Hook images porter keeps as its build cache: exactly one tag `porter-hook-<service>:<hash>` per image, never a per-run tag. */
export async function hookImages(api: EngineApi, service: string): Promise<string[]> {
  const images = await list(api, `/images/json?${labelQuery({ 'porter.service': service })}`);
  const tags = images.flatMap((i) => i.RepoTags ?? []);
  for (const image of images) {
    assert.equal((image.RepoTags ?? []).length, 1, `image ${image.Id} of ${service} carries ${JSON.stringify(image.RepoTags)}: exactly one tag expected`);
  }
  for (const tag of tags) assert.match(tag, new RegExp(`^porter-hook-${service}:[0-9a-f]{12}$`), 'a hook image tag');
  return tags.sort();
}

/**
 * Nothing of a run is left: no container or network of the service on the engine, no images of it beyond the hook
 * images' cache (at most `maxImages`), no `.porter-tmp/run/` scratch in the repo, nothing in porter's TMPDIR.
 */
export async function assertNothingOfRunLeft(opts: { api: EngineApi; service: string; repo: string; tmp?: string; maxImages?: number }): Promise<void> {
  const q = labelQuery({ 'porter.service': opts.service });
  const containers = await list(opts.api, `/containers/json?all=1&${q}`);
  assert.deepEqual(containers.map((c) => c.Names?.join(',') ?? c.Id), [], 'containers of the run are left');
  const networks = await list(opts.api, `/networks?${q}`);
  assert.deepEqual(networks.map((n) => n.Name ?? n.Id), [], 'networks of the run are left');
  const images = await hookImages(opts.api, opts.service);
  if (opts.maxImages !== undefined) assert.ok(images.length <= opts.maxImages, `more hook images than hooks: ${images.join(', ')}`);
  const scratch = await readdir(join(opts.repo, '.porter-tmp', 'run')).catch(() => []);
  assert.deepEqual(scratch, [], '.porter-tmp/run/ scratch of the run is left');
  // tsx-<uid> is the TypeScript loader's compile cache (tests run porter from src/ through tsx), not porter's.
  if (opts.tmp) assert.deepEqual((await readdir(opts.tmp)).filter((n) => !/^tsx-\d+$/.test(n)), [], `porter left files in its TMPDIR ${opts.tmp}`);
}

/** JSON events of a `--log-format json` run (every stdout line must be one). */
export function jsonEvents(stdout: string): Array<Record<string, unknown> & { type: string }> {
  return stdout.split('\n').filter((l) => l !== '').map((l, i) => {
    try {
      return JSON.parse(l) as Record<string, unknown> & { type: string };
    } catch {
      assert.fail(`stdout line ${i + 1} is not a JSON event: ${l.slice(0, 200)}`);
    }
  });
}

/** A porter whose output is too big to keep (the usual helper keeps all of stdout), and whose peak memory is watched. */
export interface WatchedPorter {
  /** Read its stdout yourself, keeping what you need. */
  child: ChildProcessByStdio<null, Readable, Readable>;
  stderr(): string;
  /** Its exit code, and its peak resident memory (VmHWM, polled every 50 ms) in kB. */
  closed: Promise<{ code: number | null; peakKb: number }>;
}

/** Starts `porter -C repo ...args` as a user runs it (src/ through tsx), watching its VmHWM. */
export function startWatchedPorter(repo: string, args: readonly string[], env: Record<string, string | undefined>): WatchedPorter {
  const main = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', main, '-C', repo, ...args], {
    cwd: fileURLToPath(new URL('../../', import.meta.url)), env: porterEnv(env), stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (b: Buffer) => void (stderr += b.toString('utf8')));
  let peakKb = 0;
  const poll = setInterval(() => {
    void readFile(`/proc/${child.pid ?? 0}/status`, 'utf8').then((s) => {
      peakKb = Math.max(peakKb, Number(/VmHWM:\s+(\d+) kB/.exec(s)?.[1] ?? 0));
    }, () => undefined);
  }, 50);
  const closed = once(child, 'close').then(([code]) => {
    clearInterval(poll);
    return { code: code as number | null, peakKb };
  });
  return { child, stderr: () => stderr, closed };
}
