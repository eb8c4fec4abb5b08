/**
 * A two-node Docker Swarm of the test's own, with a registry, built on this machine and torn down again:
 *
 *   host ── veth ── netns A: dockerd (manager)      host ends 10.250.K.1 (A) and 10.250.K.5 (B); the registry
 *   host ── veth ── netns B: dockerd (worker)       listens on 10.250.K.1:5000 (both namespaces reach it)
 *            A ── veth ── B: 10.250.K.9 ↔ 10.250.K.10, the swarm's own link (control plane, VXLAN data path)
 *
 * The host forwards nothing between the namespaces (its FORWARD policy belongs to the shared engine), so the nodes
 * talk over their own link; host routes to the two node addresses let the test reach host-mode published ports.
 * Each dockerd runs in its namespace through `nsenter --net=` (not `ip netns exec`, which remounts /sys), with its own
 * data root, exec root, pidfile, socket and an empty config file; `--bridge=none` is safe there (never on the host).
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, openSync, closeSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { REGISTRY_HTPASSWD, registryAnswers, registryConfig } from './registry.js';

const run = promisify(execFile);

export interface SwarmLab {
  /** `porter-swarm-test-*` in /tmp: everything of the lab's engines and registry. */
  dir: string;
  /** DOCKER_HOST of the manager (node A) and of the worker (node B). */
  managerHost: string;
  workerHost: string;
  /** `10.250.K.1:5000`: the registry, plain http, trusted by both engines; it wants the login of registry.ts. */
  registry: string;
  /** The nodes' swarm addresses (A, B). */
  nodeAddresses: [string, string];
  /** `docker -H <node> args...`; its stdout. */
  docker(node: 'manager' | 'worker', args: readonly string[], timeoutMs?: number): Promise<string>;
  /** Tears everything down and returns what is still there (processes, mounts, namespaces, links, routes, the dir): nothing, normally. */
  teardown(): Promise<string[]>;
}

/** Why the lab cannot be built on this machine, or undefined when it can. */
export async function swarmLabUnavailable(): Promise<string | undefined> {
  if (process.getuid?.() !== 0) return 'the swarm lab needs root (network namespaces, veth pairs, dockerd)';
  for (const [tool, args] of [['ip', ['-V']], ['nsenter', ['--version']], ['dockerd', ['--version']], ['docker', ['--version']], ['docker-registry', ['--version']]] as const) {
    try {
      await run(tool, [...args], { timeout: 10_000 });
    } catch (err) {
      const hint = tool === 'docker-registry' ? ' (apt-get install docker-registry)' : '';
      return `${tool} is not usable here${hint}: ${(err as Error).message.split('\n')[0] ?? ''}`;
    }
  }
  if (!existsSync('/sys/module/vxlan') && !existsSync('/proc/sys/net/ipv4')) return 'the kernel has no vxlan support for overlay networks';
  return undefined;
}

async function sh(cmd: string, args: readonly string[], timeoutMs = 30_000): Promise<string> {
  try {
    return (await run(cmd, [...args], { timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 })).stdout;
  } catch (err) {
    const e = err as Error & { stderr?: string };
    throw new Error(`${cmd} ${args.join(' ')} failed: ${(e.stderr || e.message).trim()}`);
  }
}

async function freeOctet(): Promise<number> {
  const used = `${await sh('ip', ['-4', 'addr'])}\n${await sh('ip', ['-4', 'route'])}\n${await sh('ip', ['netns', 'list']).catch(() => '')}`;
  for (let tries = 0; tries < 50; tries++) {
    const k = 16 + Math.floor(Math.random() * 230);
    if (!used.includes(`10.250.${k}.`) && !used.includes(`porter-sw${k}`)) return k;
  }
  throw new Error('no free 10.250.K.0/28 range for the swarm lab');
}

async function waitExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return true;
  return Promise.race([once(child, 'exit').then(() => true), sleep(ms, undefined, { ref: false }).then(() => false)]);
}

export interface SwarmLabOptions {
  /**
   * 2 (the default): manager and worker as drawn above. 1: the manager alone (no netns B, no swarm link), advertising
   * its host-side address 10.250.K.2; the bench's single-node Swarm. `workerHost` then names a socket that never exists.
   */
  nodes?: 1 | 2;
}

/** Builds the lab; on any failure what was made is torn down before the error is thrown. */
export async function createSwarmLab(options: SwarmLabOptions = {}): Promise<SwarmLab> {
  const two = (options.nodes ?? 2) === 2;
  const dir = await mkdtemp(join(tmpdir(), 'porter-swarm-test-'));
  const k = await freeOctet();
  const net = { a: `porter-sw${k}a`, b: `porter-sw${k}b` };
  const hostEnd = { a: `psw${k}a`, b: `psw${k}b` };
  const ip = (last: number): string => `10.250.${k}.${last}`;
  const registry = `${ip(1)}:5000`;
  const children: { name: string; child: ChildProcess }[] = [];
  const host = (n: 'a' | 'b'): string => `unix://${join(dir, n, 'docker.sock')}`;
  const docker = (node: 'manager' | 'worker', args: readonly string[], timeoutMs = 60_000): Promise<string> =>
    sh('docker', ['-H', host(node === 'manager' ? 'a' : 'b'), ...args], timeoutMs);

  const start = async (name: string, cmd: string, args: string[]): Promise<ChildProcess> => {
    const log = openSync(join(dir, `${name}.log`), 'a');
    const child = spawn(cmd, args, { stdio: ['ignore', log, log] });
    closeSync(log);
    children.push({ name, child });
    return child;
  };

  const teardown = async (): Promise<string[]> => {
    for (const node of ['manager', 'worker'] as const) {
      if (!existsSync(join(dir, node === 'manager' ? 'a' : 'b', 'docker.sock'))) continue;
      if (node === 'manager') {
        const services = (await docker(node, ['service', 'ls', '-q'], 20_000).catch(() => '')).split('\n').filter(Boolean);
        if (services.length) await docker(node, ['service', 'rm', ...services], 20_000).catch(() => '');
      }
      const containers = (await docker(node, ['ps', '-aq'], 20_000).catch(() => '')).split('\n').filter(Boolean);
      if (containers.length) await docker(node, ['rm', '-f', ...containers], 30_000).catch(() => '');
    }
    await docker('worker', ['swarm', 'leave', '--force'], 30_000).catch(() => '');
    await docker('manager', ['swarm', 'leave', '--force'], 30_000).catch(() => '');
    for (const { child } of [...children].reverse()) {
      if (child.exitCode !== null || child.signalCode !== null) continue;
      child.kill('SIGTERM');
      if (!(await waitExit(child, 30_000))) {
        child.kill('SIGKILL');
        await waitExit(child, 10_000);
      }
    }
    for (const n of Object.values(net)) await sh('ip', ['netns', 'del', n]).catch(() => '');
    for (const l of Object.values(hostEnd)) await sh('ip', ['link', 'del', l]).catch(() => '');
    const mounts = async (): Promise<string[]> => (await readFile('/proc/self/mounts', 'utf8')).split('\n').filter((m) => m.includes(dir));
    for (const m of (await mounts()).reverse()) await sh('umount', ['-l', m.split(' ')[1] ?? '']).catch(() => '');
    await rm(dir, { recursive: true, force: true }).catch(() => undefined);
    return leftovers(dir, k, Object.values(net), Object.values(hostEnd), await mounts());
  };

  try {
    await mkdir(join(dir, 'a'));
    await mkdir(join(dir, 'b'));
    await mkdir(join(dir, 'registry'));
    await writeFile(join(dir, 'daemon.json'), '{}\n');
    const nodes = two ? (['a', 'b'] as const) : (['a'] as const);
    for (const n of nodes) await sh('ip', ['netns', 'add', net[n]]);
    await sh('ip', ['link', 'add', hostEnd.a, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', net.a]);
    if (two) await sh('ip', ['link', 'add', hostEnd.b, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', net.b]);
    if (two) await sh('ip', ['link', 'add', 'swarm0', 'netns', net.a, 'type', 'veth', 'peer', 'name', 'swarm0', 'netns', net.b]);
    const plan: [string, string, string, string][] = [['a', 'eth0', ip(2), ip(1)], ['b', 'eth0', ip(6), ip(5)]];
    await sh('ip', ['addr', 'add', `${ip(1)}/30`, 'dev', hostEnd.a]);
    if (two) await sh('ip', ['addr', 'add', `${ip(5)}/30`, 'dev', hostEnd.b]);
    for (const n of nodes) await sh('ip', ['link', 'set', hostEnd[n], 'up']);
    for (const [n, dev, addr, gw] of plan.slice(0, nodes.length)) {
      const ns = net[n as 'a' | 'b'];
      await sh('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
      await sh('ip', ['-n', ns, 'addr', 'add', `${addr}/30`, 'dev', dev]);
      await sh('ip', ['-n', ns, 'link', 'set', dev, 'up']);
      if (two) {
        await sh('ip', ['-n', ns, 'addr', 'add', `${n === 'a' ? ip(9) : ip(10)}/30`, 'dev', 'swarm0']);
        await sh('ip', ['-n', ns, 'link', 'set', 'swarm0', 'up']);
      }
      await sh('ip', ['-n', ns, 'route', 'add', 'default', 'via', gw]);
    }
    if (two) {
      // The test (on the host) reaches host-mode published ports at the nodes' swarm addresses; gone with the veths.
      await sh('ip', ['route', 'add', `${ip(9)}/32`, 'via', ip(2)]);
      await sh('ip', ['route', 'add', `${ip(10)}/32`, 'via', ip(6)]);
    }

    // A login is required, so the nodes can pull only with the credentials porter hands Swarm at service creation.
    await writeFile(join(dir, 'registry', 'htpasswd'), REGISTRY_HTPASSWD);
    await writeFile(join(dir, 'registry', 'config.yml'), registryConfig(registry, join(dir, 'registry')));
    await start('registry', 'docker-registry', ['serve', join(dir, 'registry', 'config.yml')]);
    for (const n of nodes) {
      const d = join(dir, n);
      await start(`dockerd-${n}`, 'nsenter', [`--net=/var/run/netns/${net[n]}`, 'dockerd',
        '--config-file', join(dir, 'daemon.json'), '--data-root', join(d, 'data'), '--exec-root', join(d, 'exec'),
        '--pidfile', join(d, 'docker.pid'), '-H', host(n), '--iptables=false', '--ip-masq=false', '--bridge=none',
        '--insecure-registry', registry, '--log-level', 'warn']);
    }
    for (const node of two ? (['manager', 'worker'] as const) : (['manager'] as const)) await waitFor(() => docker(node, ['version', '--format', '{{.Server.Version}}'], 5_000), 90_000, `dockerd (${node}) to answer; see ${dir}/dockerd-*.log`);
    await waitFor(async () => { if (!(await registryAnswers(registry))) throw new Error(`${registry} does not answer`); }, 30_000, 'the registry to listen');

    const managerAddr = two ? ip(9) : ip(2);
    await docker('manager', ['swarm', 'init', '--advertise-addr', managerAddr, '--listen-addr', `${managerAddr}:2377`, '--default-addr-pool', '10.249.0.0/16']);
    if (two) {
      const token = (await docker('manager', ['swarm', 'join-token', '-q', 'worker'])).trim();
      await docker('worker', ['swarm', 'join', '--token', token, '--advertise-addr', ip(10), '--listen-addr', `${ip(10)}:2377`, `${ip(9)}:2377`]);
    }
    await waitFor(async () => {
      const ready = (await docker('manager', ['node', 'ls', '--format', '{{.Status}} {{.Availability}}'])).split('\n').filter((l) => l.trim() === 'Ready Active');
      if (ready.length !== nodes.length) throw new Error(`${ready.length} of ${nodes.length} nodes ready`);
    }, 60_000, 'every node to be ready');
    await copyBusybox(host('a'));
  } catch (err) {
    const left = await teardown();
    throw new Error(`could not build the swarm lab: ${(err as Error).message}${left.length ? ` (and left behind: ${left.join('; ')})` : ''}`, { cause: err });
  }
  return { dir, managerHost: host('a'), workerHost: host('b'), registry, nodeAddresses: two ? [ip(9), ip(10)] : [ip(2), ip(2)], docker, teardown };
}

async function waitFor(check: () => Promise<unknown>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      await check();
      return;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}: ${(last as Error).message}`);
    await sleep(500);
  }
}

/** `docker save busybox:latest` from the shared engine into the manager (hooks, the service image and the client use it). */
async function copyBusybox(to: string): Promise<void> {
  const save = spawn('docker', ['save', 'busybox:latest'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const load = spawn('docker', ['-H', to, 'load', '-q'], { stdio: ['pipe', 'ignore', 'inherit'] });
  save.stdout.pipe(load.stdin);
  const [saved, loaded] = await Promise.all([once(save, 'exit'), once(load, 'exit')]);
  if (saved[0] !== 0 || loaded[0] !== 0) throw new Error(`copying busybox:latest into the manager failed (save ${String(saved[0])}, load ${String(loaded[0])})`);
}

async function leftovers(dir: string, k: number, namespaces: string[], links: string[], mounts: string[]): Promise<string[]> {
  const left: string[] = mounts.map((m) => `mount ${m.split(' ')[1] ?? m}`);
  for (const pid of await readdir('/proc').catch(() => [] as string[])) {
    if (!/^\d+$/.test(pid)) continue;
    const cmdline = (await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')).replaceAll('\0', ' ');
    if (cmdline.includes(dir)) left.push(`process ${pid}: ${cmdline.trim()}`);
  }
  const nsList = await sh('ip', ['netns', 'list']).catch(() => '');
  for (const n of namespaces) if (nsList.split('\n').some((l) => l.split(' ')[0] === n)) left.push(`network namespace ${n}`);
  const linkList = await sh('ip', ['-o', 'link']).catch(() => '');
  for (const l of links) if (linkList.includes(` ${l}@`) || linkList.includes(` ${l}:`)) left.push(`link ${l}`);
  if ((await sh('ip', ['-4', 'route']).catch(() => '')).includes(`10.250.${k}.`)) left.push(`a route to 10.250.${k}.*`);
  if (existsSync(dir)) left.push(`directory ${dir}`);
  // Others restart the shared engine now and then, which recreates docker0: only a lasting absence counts.
  let docker0 = false;
  for (let i = 0; i < 10 && !docker0; i++) {
    docker0 = (await sh('ip', ['link', 'show', 'docker0']).catch(() => '')) !== '';
    if (!docker0) await sleep(1000);
  }
  if (!docker0) left.push('the host has no docker0 (the lab must never remove it)');
  return left;
}
