/**
 * `npm run bench [-- --reps N --only abcde --porter path/to/bin/porter.js]`: issue 8's scenarios, porter against
 * its floor in one process run, interleaved (porter first on even repetitions, the floor first on odd ones) so
 * the machine's noise falls on both; medians, ratios, porter's peak RSS, targets. Everything it creates is named
 * or labelled `t-bench-...` and removed at the end, on failure and on Ctrl-C too.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { measure, type Sample } from './measure.js';
import { SCENARIOS, type BenchContext, type Scenario, type Side } from './scenarios.js';
import { renderBefore, renderDetails, renderTable, type ScenarioResult } from './table.js';
import { openWorkspace, removeFromEngine, removeWorkspaceFiles, type Workspace } from './workspace.js';

const benchDir = fileURLToPath(new URL('.', import.meta.url));
const repoRoot = resolve(benchDir, '..', '..');

interface Options {
  reps: number;
  only: string;
  porterBin: string;
  /** Another build of porter measured alongside (a change's "before"). */
  beforeBin?: string;
}

function parseOptions(argv: string[]): Options {
  const opts: Options = { reps: 5, only: 'abcdef', porterBin: join(repoRoot, 'bin', 'porter.js') };
  for (let i = 0; i < argv.length; i++) {
    const [flag, value] = [argv[i], argv[i + 1]];
    if (flag === '--reps' && value) opts.reps = Math.max(1, Number(value));
    else if (flag === '--only' && value) opts.only = value;
    else if (flag === '--porter' && value) opts.porterBin = resolve(value);
    else if (flag === '--before' && value) opts.beforeBin = resolve(value);
    else throw new Error(`bench: unknown argument ${flag}; use --reps N, --only abcdef, --porter PATH, --before PATH`);
    i += 1;
  }
  return opts;
}

const progress = (text: string): void => void process.stderr.write(`${text}\n`);

type Run = Side | 'before';

/** The command of one side; `before` is porter's command with the other build's bin/porter.js. */
function commandOf(s: Scenario, run: Run, bench: BenchContext, beforeBin: string | undefined): Scenario['porter'] {
  if (run !== 'before') return s[run];
  return { ...s.porter, argv: s.porter.argv.map((a) => (a === bench.porterBin ? (beforeBin ?? a) : a)) };
}

async function runSide(s: Scenario, run: Run, scratch: string, cmd: Scenario['porter']): Promise<Sample> {
  const side: Side = run === 'floor' ? 'floor' : 'porter';
  await s.beforeRun?.(side);
  const sample = await measure(cmd, scratch);
  await s.afterRun?.(side);
  if (sample.code !== 0) throw new Error(`(${s.id}) the ${run} run exited ${sample.code}: ${cmd.argv.join(' ')}\n${sample.output}`);
  return sample;
}

async function runScenario(s: Scenario, opts: Options, bench: BenchContext): Promise<ScenarioResult> {
  const runs: Run[] = opts.beforeBin ? ['porter', 'floor', 'before'] : ['porter', 'floor'];
  const cmd = (run: Run): Scenario['porter'] => commandOf(s, run, bench, opts.beforeBin);
  progress(`(${s.id}) ${s.title}: first run of each side (untimed)`);
  for (const run of runs) await runSide(s, run, bench.ws.root, cmd(run));
  await s.afterWarmup?.();
  const result: ScenarioResult = { id: s.id, title: s.title, floorIs: s.floorIs, target: s.target, porter: [], floor: [], ...(opts.beforeBin ? { before: [] } : {}) };
  for (let rep = 0; rep < opts.reps; rep++) {
    // Each repetition rotates who goes first, so a slow spell of the machine does not always hit the same side.
    const order = runs.map((_, i) => runs[(i + rep) % runs.length] as Run);
    for (const run of order) (result[run] ?? []).push(await runSide(s, run, bench.ws.root, cmd(run)));
    const last = (run: Run): string => `${run} ${((result[run]?.at(-1)?.ms ?? 0) / 1000).toFixed(2)} s`;
    progress(`(${s.id}) repetition ${rep + 1}/${opts.reps}: ${runs.map(last).join(', ')}`);
  }
  const check = await s.check?.();
  return { ...result, ...(check?.problem ? { problem: check.problem } : {}), ...(check?.note ? { note: check.note } : {}) };
}

/** (f) needs `porter build pack` and examples/hello: why it cannot run yet, or undefined. */
function packPending(bench: BenchContext): string | undefined {
  const hasPack = spawnSync(process.execPath, [bench.porterBin, 'build', 'pack', '--help'], { env: bench.env, stdio: 'ignore' }).status === 0;
  if (!hasPack) return '`porter build pack` does not exist yet';
  if (!existsSync(join(bench.example, '.porter', 'config'))) return 'examples/hello does not exist yet';
  return undefined;
}

async function cleanup(ws: Workspace): Promise<void> {
  const removed = await removeFromEngine(ws.docker, ws.services);
  const left = await removeFromEngine(ws.docker, ws.services);
  await removeWorkspaceFiles(ws);
  progress(`cleanup: removed ${removed.containers} container(s) and ${removed.images} image(s) labelled ${ws.id}-*; ` +
    `${left.containers + left.images === 0 ? 'nothing left' : `${left.containers + left.images} objects were still there on a second pass`}; ${ws.root} deleted`);
}

async function main(): Promise<void> {
  const opts = parseOptions(process.argv.slice(2));
  if (!existsSync(opts.porterBin)) throw new Error(`bench: no porter at ${opts.porterBin}; run npm run build first`);
  const ws = await openWorkspace();
  let cleaning: Promise<void> | undefined;
  const clean = (): Promise<void> => (cleaning ??= cleanup(ws));
  process.once('SIGINT', () => {
    progress('bench: interrupted, cleaning up');
    void clean().finally(() => process.exit(130));
  });
  const bench: BenchContext = {
    ws, porterBin: opts.porterBin, floorJs: join(benchDir, 'floor.js'), example: join(repoRoot, 'examples', 'hello'),
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: ws.root, XDG_CACHE_HOME: join(ws.root, 'cache'), NO_COLOR: '1' },
  };
  const results: ScenarioResult[] = [];
  try {
    await ws.docker.ping();
    for (const [id, make] of Object.entries(SCENARIOS)) {
      if (!opts.only.includes(id)) continue;
      const pending = id === 'f' ? packPending(bench) : undefined;
      if (pending) results.push({ id, title: 'pack of examples/hello', floorIs: '', target: undefined, porter: [], floor: [], pending });
      else results.push(await runScenario(await make(bench), opts, bench));
    }
  } finally {
    await clean();
  }
  const machine = `${cpus().length} × ${cpus()[0]?.model.trim() ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}`;
  process.stdout.write(`\nporter bench, ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, ${machine}, ${opts.reps} repetitions, medians\n\n`);
  process.stdout.write(renderTable(results));
  process.stdout.write(`\n${renderDetails(results)}`);
  if (opts.beforeBin) process.stdout.write(`\n${renderBefore(results, opts.beforeBin)}`);
}

await main();
