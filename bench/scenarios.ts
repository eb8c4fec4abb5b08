/** Issue 8's scenarios (a)–(f): what porter runs, what its floor runs, and the target ratio between them. */
import { readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { freshHook, hookFiles, porterConfig, rewriteHooks, sleeperHook, trivialHook, writeFloorSpec, type BenchHook } from './hooks.js';
import { measure, type Command } from './measure.js';
import { deployOnEngine } from './deploy-scenario.js';
import { packHello } from './pack-scenario.js';
import { repoCopy } from './repo-copy-scenario.js';
import { regions } from './regions-scenario.js';
import { promoteOnSwarm } from './swarm-scenario.js';
import { createPluginRemote, createRepo, gitSpy, removeFromEngine, type Workspace } from './workspace.js';

export type Side = 'porter' | 'floor';

export interface Scenario {
  id: string;
  title: string;
  /** What the floor column is, in a few words. */
  floorIs: string;
  /** Porter's median must be at most this times the floor's; undefined when the issue sets none (only RSS). */
  target: number | undefined;
  /** Runs under a second get this many times the repetitions: cheap, and their noise is larger relative to them. */
  repsFactor?: number;
  /** At most this many repetitions (the large points of (j), a minute a run). */
  maxReps?: number;
  /** A point of a scaling series of (j): the chart it is drawn on, and its N. */
  series?: { name: string; n: number };
  porter: Command;
  floor: Command;
  /** Runs before each run of a side, untimed (new hook contents, say). */
  beforeRun?(side: Side): Promise<void>;
  /** Runs after each run of a side, untimed (removing images that must not exist next time). */
  afterRun?(side: Side): Promise<void>;
  /** After the untimed first run of both sides. */
  afterWarmup?(): Promise<void>;
  /** After every run: why the scenario's extra condition is not met, or undefined; a note for the report. */
  check?(): Promise<{ problem?: string; note: string }>;
}

export interface BenchContext {
  ws: Workspace;
  /** bin/porter.js of the tree being measured. */
  porterBin: string;
  /** The compiled floor script. */
  floorJs: string;
  /** examples/hello of the tree being measured. */
  example: string;
  /** The environment every child gets (nothing else of the bench's own environment leaks in). */
  env: Record<string, string>;
  /** Registers what to undo at the end (after a failure and on Ctrl-C too): a private engine, say. */
  onCleanup(undo: () => Promise<void>): void;
}

const HOOKS = 10;
const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);
const node = process.execPath;

function porterCommand(bench: BenchContext, repo: string, list: string, env = bench.env): Command {
  return { argv: [node, bench.porterBin, '-C', repo, 'build', 'hook', '-name', list], env };
}

async function listScenario(
  bench: BenchContext, key: string, hooks: BenchHook[], mode: 'sequence' | 'group',
): Promise<{ service: string; repo: string; porter: Command; floor: Command }> {
  const service = `${bench.ws.id}-${key}`;
  bench.ws.services.add(service);
  const repo = await createRepo(bench.ws, key, { ...hookFiles(hooks), '.porter/config': porterConfig(service, { bench: hooks }) });
  const spec = await writeFloorSpec(join(bench.ws.root, `${key}-floor.json`), mode, repo, service, hooks);
  return { service, repo, porter: porterCommand(bench, repo, 'bench'), floor: { argv: [node, bench.floorJs, spec], env: bench.env } };
}

/** (a) ten trivial hooks in sequence, images already built (by the untimed first run). */
export async function sequenceBuilt(bench: BenchContext): Promise<Scenario> {
  const s = await listScenario(bench, 'a', range(HOOKS).map(trivialHook), 'sequence');
  return { id: 'a', title: '10 trivial hooks in sequence, images built', floorIs: 'dockerode: cached build + create/attach/start/wait/remove, one hook after another', target: 1.0, ...s };
}

/** (b) ten one-second hooks in one concurrent group. */
export async function concurrentGroup(bench: BenchContext): Promise<Scenario> {
  const s = await listScenario(bench, 'b', range(HOOKS).map(sleeperHook), 'group');
  return { id: 'b', title: '10 one-second hooks, one concurrent group', floorIs: 'dockerode: the same 10, all at once', target: 1.1, ...s };
}

/** (d) ten hooks whose images do not exist yet: new contents before every run, images removed after it. */
export async function freshImages(bench: BenchContext): Promise<Scenario> {
  let round = 0;
  const hooks = (): BenchHook[] => range(HOOKS).map((i) => freshHook(i, `${bench.ws.id}-${round}`));
  const s = await listScenario(bench, 'd', hooks(), 'sequence');
  return {
    id: 'd', title: '10 hooks, images not built yet', floorIs: 'dockerode: build + create/attach/start/wait/remove, one hook after another', target: 1.1, ...s,
    async beforeRun() {
      round += 1;
      await rewriteHooks(s.repo, hooks());
    },
    async afterRun() {
      await removeFromEngine(bench.ws.docker, [s.service]);
    },
  };
}

/**
 * (c) a plugin hook pinned to a tag, second run, against the same hook as a local one (same Dockerfile, so the
 * same image): porter on both sides. After the first run the remote is moved away and every git call is logged.
 */
export async function pluginSecondRun(bench: BenchContext): Promise<Scenario> {
  const service = `${bench.ws.id}-c`;
  bench.ws.services.add(service);
  const dockerfile = 'FROM busybox:latest\nCMD ["sh", "-c", "echo plugin hook"]\n';
  const remote = await createPluginRemote(bench.ws, 'c-plugin', { Dockerfile: dockerfile }, 'v1.0.0');
  const local: BenchHook = { name: 'local', files: { Dockerfile: dockerfile } };
  const pluginList = `  - name: plugin\n    repo: ${remote.url}\n    ref: v1.0.0`;
  const repo = await createRepo(bench.ws, 'c', {
    ...hookFiles([local]),
    '.porter/config': porterConfig(service, { plugin: pluginList, local: [local] }),
  });
  const spy = await gitSpy(bench.ws);
  const env = { ...bench.env, PATH: `${spy.binDir}:${bench.env.PATH ?? '/usr/bin:/bin'}` };
  return {
    id: 'c', title: 'plugin hook at a tag, 2nd run', floorIs: 'porter: the same hook as a local one', target: 1.05, repsFactor: 3,
    porter: porterCommand(bench, repo, 'plugin', env),
    floor: porterCommand(bench, repo, 'local', env),
    async afterWarmup() {
      const first = await readFile(spy.log, 'utf8');
      if (!first.split('\n').some((c) => NETWORK_COMMANDS.includes(gitSubcommand(c)))) throw new Error(`(c): the first run fetched nothing; git calls were:\n${first}`);
      await writeFile(spy.log, '');
      // From here on the remote is unreachable: a clone or fetch could only fail the hook.
      await rename(remote.bare, `${remote.bare}.moved`);
    },
    async check() {
      const calls = (await readFile(spy.log, 'utf8')).split('\n').filter(Boolean);
      const network = calls.filter((c) => NETWORK_COMMANDS.includes(gitSubcommand(c)));
      const kinds = [...new Set(calls.map(gitSubcommand))];
      const note = `git calls after the first run: ${calls.length} (${kinds.join(', ')}); clone/fetch: ${network.length}; remote unreachable`;
      return network.length ? { problem: `2nd run used the network: ${network[0]}`, note } : { note };
    },
  };
}

/** git commands that talk to a remote. */
const NETWORK_COMMANDS = ['clone', 'fetch', 'ls-remote', 'pull', 'remote'];

/** `rev-parse` out of `-C /repo -c gc.autoDetach=false rev-parse --verify ...`. */
function gitSubcommand(call: string): string {
  const words = call.split(' ');
  for (let i = 0; i < words.length; i++) {
    const word = words[i] ?? '';
    if (word === '-C' || word === '-c') i += 1;
    else if (!word.startsWith('-')) return word;
  }
  return call;
}

/** Packages `porter --help` must not load: only commands that use them do. */
const HEAVY = ['dockerode', 'docker-modem', 'simple-git', 'yaml', 'tar-fs', 'p-limit', 'dotenv', '@balena/dockerignore'];

/** (e) `porter --help` against a bare `node -e 0`. */
export async function help(bench: BenchContext): Promise<Scenario> {
  return {
    id: 'e', title: 'porter --help', floorIs: 'node -e 0', target: 3, repsFactor: 3,
    porter: { argv: [node, bench.porterBin, '--help'], env: bench.env },
    floor: { argv: [node, '-e', '0'], env: bench.env },
    async check() {
      const trace = join(dirname(bench.floorJs), 'module-trace.js');
      const traced = await measure({ argv: [node, '--import', trace, bench.porterBin, '--help'], env: bench.env }, bench.ws.root);
      const packages = [...new Set(traced.output.split('\n').filter((l) => l.startsWith('package ')).map((l) => l.slice(8)))];
      const heavy = packages.filter((p) => HEAVY.includes(p));
      const note = `packages --help loads: ${packages.join(', ') || 'none'}`;
      return heavy.length ? { problem: `--help loads ${heavy.join(', ')}`, note } : { note };
    },
  };
}

/** The N of (j)'s scaling series. */
export const SCALING_N = [1, 10, 50, 100] as const;

/**
 * (j) N trivial hooks in sequence, and N in one concurrent group, for each N of SCALING_N: one repo whose lists
 * share their hooks (the 10-hook list is the first 10 of the 100), so each image is built once, in the untimed
 * first run of the smallest N that has it.
 */
export async function scaling(bench: BenchContext): Promise<Scenario[]> {
  const service = `${bench.ws.id}-j`;
  bench.ws.services.add(service);
  const most = Math.max(...SCALING_N);
  const lists: Record<string, BenchHook[]> = {};
  for (const n of SCALING_N) {
    lists[`seq${n}`] = range(n).map(trivialHook);
    lists[`grp${n}`] = range(n).map((i) => ({ ...trivialHook(i), concurrent: true }));
  }
  const repo = await createRepo(bench.ws, 'j', { ...hookFiles(range(most).map(trivialHook)), '.porter/config': porterConfig(service, lists) });
  const scenarios: Scenario[] = [];
  for (const mode of ['sequence', 'group'] as const) {
    for (const n of SCALING_N) {
      const list = `${mode === 'sequence' ? 'seq' : 'grp'}${n}`;
      const spec = await writeFloorSpec(join(bench.ws.root, `j-${list}-floor.json`), mode, repo, service, lists[list] ?? []);
      scenarios.push({
        id: `j${mode === 'sequence' ? 's' : 'g'}${n}`,
        title: `${n} trivial hook${n > 1 ? 's' : ''} ${mode === 'sequence' ? 'in sequence' : 'in one concurrent group'}`,
        floorIs: `dockerode: the same ${n}, ${mode === 'sequence' ? 'one after another' : 'all at once'}`,
        target: mode === 'group' ? 1.1 : 1.0,
        ...(n >= 50 ? { maxReps: 3 } : {}),
        series: { name: mode, n },
        porter: porterCommand(bench, repo, list),
        floor: { argv: [node, bench.floorJs, spec], env: bench.env },
      });
    }
  }
  return scenarios;
}

export const SCENARIOS: Record<string, (bench: BenchContext) => Promise<Scenario | Scenario[]>> = { a: sequenceBuilt, b: concurrentGroup, c: pluginSecondRun, d: freshImages, e: help, f: packHello, g: repoCopy, h: deployOnEngine, i: promoteOnSwarm, j: scaling, r: regions };
