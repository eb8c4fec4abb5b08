/**
 * A Docker engine of the test's own — its own dockerd, containerd, data and exec roots and socket in a temp dir — so a
 * test can kill "the engine" and start it again without touching the shared one other tests run on.
 *
 * containerd runs as the test's own child, not dockerd's: a dockerd killed with SIGKILL takes the containerd it
 * started down with it, and that one's zombie (this machine's init does not reap orphans) looks alive to the next
 * dockerd, which then waits for it forever. Separate, as on a systemd host, a dockerd restart just reconnects.
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdtemp, open, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { request, type IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { engineRequest, type ApiAnswer } from './engine-api.js';

const run = promisify(execFile);

export interface PrivateEngine {
  /** The temp dir holding everything of this engine (`porter-dockerd-test-*`, so check-leftovers sees a stray one). */
  dir: string;
  /** `unix://<dir>/docker.sock`: DOCKER_HOST for porter. */
  host: string;
  /** Starts dockerd (again) and waits until it answers a ping. */
  start(): Promise<void>;
  /** Sends `signal` to dockerd and waits until it exited (SIGTERM: the engine stops its containers first). */
  stop(signal: 'SIGKILL' | 'SIGTERM', timeoutMs?: number): Promise<void>;
  /** One request to this engine; a JSON body is parsed. */
  api(method: string, path: string): Promise<ApiAnswer>;
  /** Copies an image from the shared engine (`docker save | docker load`). */
  copyImage(ref: string, fromSocket: string): Promise<void>;
  /**
   * Stops everything (dockerd, its containerd and shims, their containers), unmounts what it mounted, removes the
   * dir; then returns what is still there (processes, mounts, the dir), which should be nothing.
   */
  teardown(): Promise<string[]>;
}

/** Why a private engine cannot run here, or undefined when it can (root, dockerd and containerd on PATH). */
export async function privateEngineUnavailable(): Promise<string | undefined> {
  if (process.getuid?.() !== 0) return 'starting a dockerd of its own needs root';
  for (const [program, flag] of [['dockerd', '--version'], ['containerd', '--version'], ['nsenter', '--version'], ['ip', '-V']] as const) {
    try {
      await run(program, [flag]);
    } catch {
      return `${program} is not on PATH`;
    }
  }
  return undefined;
}

function call(socketPath: string, method: string, path: string, tar?: NodeJS.ReadableStream, timeoutMs = 30_000): Promise<ApiAnswer> {
  return engineRequest({ socketPath }, method, path, { ...(tar ? { tar } : {}), timeoutMs });
}

function stream(socketPath: string, path: string): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, method: 'GET', path }, (res) => (res.statusCode === 200 ? resolve(res) : reject(new Error(`GET ${path} answered ${res.statusCode}`))));
    req.on('error', reject);
    req.end();
  });
}

/** Pids whose command line mentions `text`, and all their descendants (a shim's containers). */
async function processesOf(text: string): Promise<number[]> {
  const parents = new Map<number, number>();
  const mention = new Set<number>();
  for (const name of await readdir('/proc')) {
    const pid = Number(name);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    parents.set(pid, ppid);
    if (cmdline.includes(text)) mention.add(pid);
  }
  const found = new Set(mention);
  for (let grew = true; grew;) {
    grew = false;
    for (const [pid, ppid] of parents) if (!found.has(pid) && found.has(ppid)) { found.add(pid); grew = true; }
  }
  return [...found];
}

/** Mount points under `dir` or in `extra`, deepest first. */
async function mountsOf(dir: string, extra: ReadonlySet<string>): Promise<string[]> {
  const info = await readFile('/proc/self/mountinfo', 'utf8');
  const points = info.split('\n').map((l) => (l.split(' ')[4] ?? '').replace(/\\040/g, ' ')).filter((p) => p && (p.startsWith(`${dir}/`) || p === dir || extra.has(p)));
  return [...new Set(points)].sort((a, b) => b.length - a.length);
}

/** The network namespaces dockerd made for its containers (under /run/docker/netns, shared with the other engine): ours only. */
async function sandboxKeys(dir: string): Promise<Set<string>> {
  const keys = new Set<string>();
  const containers = join(dir, 'data', 'containers');
  for (const id of await readdir(containers).catch(() => [])) {
    const config = await readFile(join(containers, id, 'config.v2.json'), 'utf8').catch(() => '');
    const key = /"SandboxKey":"([^"]+)"/.exec(config)?.[1];
    if (key) keys.add(key.replace(/^\/var\/run\//, '/run/'));
  }
  return keys;
}

export interface PrivateEngineOptions {
  /**
   * Directories the engine cannot see: its dockerd and containerd run in a mount namespace of their own where each is
   * an empty tmpfs (a remote engine's view of porter's checkout).
   */
  hide?: string[];
}

/**
 * A process holding a mount namespace where `hide` are empty tmpfs mounts; its command line names `dir`, so teardown
 * finds and kills it with the engine. Resolves to the namespace's path once the mounts are made.
 */
async function hidingNamespace(dir: string, hide: string[]): Promise<string> {
  const ready = join(dir, 'mount-ns-ready');
  const script = 'for d in "$@"; do mount -t tmpfs porter-hidden "$d" || exit 1; done; touch "$0"; while :; do sleep 3600; done';
  const holder = spawn('unshare', ['--mount', '--propagation', 'private', 'sh', '-c', script, ready, ...hide], { detached: true, stdio: 'ignore' });
  for (let until = Date.now() + 10_000; !existsSync(ready); await sleep(50)) {
    if (holder.exitCode !== null || Date.now() > until) throw new Error('could not make a mount namespace hiding the checkout (unshare --mount)');
  }
  holder.unref();
  return `/proc/${holder.pid}/ns/mnt`;
}

/** Creates the engine's dir and config; `start()` runs it. */
export async function createPrivateEngine(options: PrivateEngineOptions = {}): Promise<PrivateEngine> {
  const dir = await mkdtemp(join(tmpdir(), 'porter-dockerd-test-'));
  // Its own network namespace: a dockerd started with --bridge=none in the host's namespace deletes the host's
  // docker0 (moby's removeDefaultBridgeInterface), which breaks every container of the shared engine.
  const netns = `porter-fault-${dir.slice(-6).toLowerCase()}`;
  await run('ip', ['netns', 'add', netns]);
  const socket = join(dir, 'docker.sock');
  const containerdSocket = join(dir, 'containerd.sock');
  const config = join(dir, 'daemon.json');
  const containerdConfig = join(dir, 'containerd.toml');
  await writeFile(config, '{}\n');
  await writeFile(containerdConfig, [
    'version = 2', `root = "${dir}/data/containerd"`, `state = "${dir}/exec/containerd"`, 'disabled_plugins = ["io.containerd.grpc.v1.cri"]',
    '[grpc]', `  address = "${containerdSocket}"`, '[debug]', `  address = "${dir}/containerd-debug.sock"`, '',
  ].join('\n'));
  const mountNs = options.hide?.length ? await hidingNamespace(dir, options.hide) : undefined;
  const inMountNs = (program: string, programArgs: string[]): [string, string[]] =>
    mountNs ? ['nsenter', [`--mount=${mountNs}`, program, ...programArgs]] : [program, programArgs];
  let child: ChildProcess | undefined;
  let exited: Promise<unknown> = Promise.resolve();
  let containerd: ChildProcess | undefined;
  let containerdExited: Promise<unknown> = Promise.resolve();
  const args = [
    '--config-file', config, '--data-root', join(dir, 'data'), '--exec-root', join(dir, 'exec'), '--pidfile', join(dir, 'docker.pid'),
    '--containerd', containerdSocket, '-H', `unix://${socket}`, '--bridge=none', '--iptables=false', '--ip6tables=false', '--ip-masq=false',
  ];
  const running = (p: ChildProcess | undefined): boolean => p !== undefined && p.exitCode === null && p.signalCode === null;
  const alive = (): boolean => running(child);
  const api = (method: string, path: string): Promise<ApiAnswer> => call(socket, method, path);
  const startContainerd = async (): Promise<void> => {
    if (running(containerd)) return;
    const log = await open(join(dir, 'containerd.log'), 'a');
    const started = spawn(...inMountNs('containerd', ['--config', containerdConfig]), { detached: true, stdio: ['ignore', log.fd, log.fd] });
    containerd = started;
    containerdExited = once(started, 'exit').finally(() => log.close());
    for (let until = Date.now() + 30_000; !existsSync(containerdSocket); await sleep(50)) {
      if (!running(started) || Date.now() > until) throw new Error(`the private containerd did not start; its log:\n${await tail(dir, 'containerd.log')}`);
    }
  };

  const engine: PrivateEngine = {
    dir,
    host: `unix://${socket}`,
    api,
    async start() {
      if (alive()) throw new Error('the private dockerd is already running');
      await startContainerd();
      const log = await open(join(dir, 'dockerd.log'), 'a');
      // Its own process group: a Ctrl-C meant for the test run does not reach it. The pid file of a killed dockerd stays;
      // the process that wrote it has exited (we waited for it), so it is stale.
      await rm(join(dir, 'docker.pid'), { force: true });
      // nsenter execs dockerd in place: the child's pid is dockerd's.
      const started = spawn('nsenter', [...(mountNs ? [`--mount=${mountNs}`] : []), `--net=/var/run/netns/${netns}`, 'dockerd', ...args], { detached: true, stdio: ['ignore', log.fd, log.fd] });
      child = started;
      exited = once(started, 'exit').finally(() => log.close());
      for (let until = Date.now() + 30_000; ;) {
        if (!alive()) throw new Error(`the private dockerd exited at start; its log:\n${await tail(dir)}`);
        const ping = await call(socket, 'GET', '/_ping', undefined, 2_000).catch(() => undefined);
        if (ping?.status === 200) return;
        if (Date.now() > until) throw new Error(`the private dockerd did not answer within 30 s; its log:\n${await tail(dir)}`);
        await sleep(100);
      }
    },
    async stop(signal, timeoutMs = 30_000) {
      if (!alive() || !child) return;
      child.kill(signal);
      const timer = setTimeout(() => child?.kill('SIGKILL'), timeoutMs);
      await exited;
      clearTimeout(timer);
    },
    async copyImage(ref, fromSocket) {
      const saved = await stream(fromSocket, `/images/${encodeURIComponent(ref)}/get`);
      const loaded = await call(socket, 'POST', '/images/load?quiet=1', saved, 60_000);
      if (loaded.status !== 200 || /errorDetail/.test(JSON.stringify(loaded.body))) throw new Error(`loading ${ref} failed: ${JSON.stringify(loaded.body)}`);
    },
    async teardown() {
      if (alive()) {
        const list = await api('GET', '/containers/json?all=1').catch(() => undefined);
        for (const c of Array.isArray(list?.body) ? (list.body as { Id: string }[]) : []) await api('DELETE', `/containers/${c.Id}?force=1&v=1`).catch(() => undefined);
        await engine.stop('SIGTERM', 20_000);
      }
      if (running(containerd)) {
        containerd?.kill('SIGTERM');
        const timer = setTimeout(() => containerd?.kill('SIGKILL'), 10_000);
        await containerdExited;
        clearTimeout(timer);
      }
      const keys = await sandboxKeys(dir);
      for (const pid of await processesOf(dir)) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // Gone already.
        }
      }
      await sleep(200);
      for (const point of await mountsOf(dir, keys)) {
        await run('umount', [point]).catch(() => run('umount', ['-l', point])).catch(() => undefined);
      }
      await rm(dir, { recursive: true, force: true }).catch(() => undefined);
      await run('ip', ['netns', 'del', netns]).catch(() => undefined);
      const left = [
        ...(existsSync(`/var/run/netns/${netns}`) ? [`network namespace ${netns}`] : []),
        ...(await processesOf(dir)).map((pid) => `process ${pid} of the private engine`),
        ...(await mountsOf(dir, keys)).map((p) => `mount ${p}`),
        ...(existsSync(dir) ? [`directory ${dir}`] : []),
      ];
      return left;
    },
  };
  return engine;
}

async function tail(dir: string, file = 'dockerd.log'): Promise<string> {
  const text = await readFile(join(dir, file), 'utf8').catch(() => '');
  return text.split('\n').slice(-15).join('\n');
}
