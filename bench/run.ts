/**
 * `npm run bench [-- --reps N --only h,j --porter PATH --before PATH...]` (or BENCH_ONLY=hj): issue 8's and 19's scenarios
 * ((i) and r, (j)'s regions, start engines of their own and need root), porter against
 * its floor in one process run, interleaved (each repetition rotates which side goes first) so the machine's
 * noise falls on all sides; medians, ratios, porter's peak RSS, targets. `--before` (repeatable) measures other
 * builds of porter alongside, for a change's before and after. Everything it creates is named or labelled
 * `t-bench-...` and removed at the end, on failure and on Ctrl-C too.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { scalingSummary, writeScalingCharts } from './chart.js';
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
  /** Other builds of porter measured alongside (a change's "before"). */
  beforeBins: string[];
  /** Where the report (results.md) and (j)'s SVG charts are written. */
  outDir: string;
}

function parseOptions(argv: string[]): Options {
  const opts: Options = { reps: 7, only: process.env.BENCH_ONLY ?? Object.keys(SCENARIOS).join(''), porterBin: join(repoRoot, 'bin', 'porter.js'), beforeBins: [], outDir: join(repoRoot, 'bench', 'out') };
  for (let i = 0; i < argv.length; i++) {
    const [flag, value] = [argv[i], argv[i + 1]];
    if (flag === '--reps' && value) opts.reps = Math.max(1, Number(value));
    else if (flag === '--only' && value) opts.only = value;
    else if (flag === '--porter' && value) opts.porterBin = resolve(value);
    else if (flag === '--before' && value) opts.beforeBins.push(resolve(value));
    else if (flag === '--out' && value) opts.outDir = resolve(value);
    else throw new Error(`bench: unknown argument ${flag}; use --reps N, --only abcdefghijr, --porter PATH, --before PATH, --out DIR`);
    i += 1;
  }
  return opts;
}

const progress = (text: string): void => void process.stderr.write(`${text}\n`);

/** A side of a repetition: porter, its floor, or the n-th `--before` build (porter's command with its bin/porter.js). */
type Run = Side | number;

function commandOf(s: Scenario, run: Run, bench: BenchContext, beforeBins: string[]): Scenario['porter'] {
  if (typeof run === 'string') return s[run];
  return { ...s.porter, argv: s.porter.argv.map((a) => (a === bench.porterBin ? (beforeBins[run] ?? a) : a)) };
}

const runName = (run: Run): string => (typeof run === 'string' ? run : `before#${run + 1}`);

/** Runs that failed and were run again (a shared engine has bad moments): reported under the table, never hidden. */
const repeated: string[] = [];
const ATTEMPTS = 3;

async function runSide(s: Scenario, run: Run, scratch: string, cmd: Scenario['porter']): Promise<Sample> {
  const side: Side = run === 'floor' ? 'floor' : 'porter';
  for (let attempt = 1; ; attempt++) {
    await s.beforeRun?.(side);
    const sample = await measure(cmd, scratch);
    await s.afterRun?.(side);
    if (sample.code === 0) return sample;
    const failure = `(${s.id}) the ${runName(run)} run exited ${sample.code}: ${cmd.argv.join(' ')}\n${sample.output}`;
    if (attempt === ATTEMPTS) throw new Error(failure);
    repeated.push(failure.split('\n').slice(0, 2).join(' / '));
    progress(`${failure}\n(run again in 5 s)`);
    await sleep(5_000);
  }
}

async function runScenario(s: Scenario, opts: Options, bench: BenchContext): Promise<ScenarioResult> {
  const runs: Run[] = ['porter', 'floor', ...opts.beforeBins.map((_, i) => i)];
  const cmd = (run: Run): Scenario['porter'] => commandOf(s, run, bench, opts.beforeBins);
  progress(`(${s.id}) ${s.title}: first run of each side (untimed)`);
  for (const run of runs) await runSide(s, run, bench.ws.root, cmd(run));
  await s.afterWarmup?.();
  const result: ScenarioResult = {
    id: s.id, title: s.title, floorIs: s.floorIs, target: s.target, porter: [], floor: [], before: opts.beforeBins.map(() => []),
    ...(s.series ? { series: s.series } : {}),
  };
  const samples = (run: Run): Sample[] => (typeof run === 'string' ? result[run] : (result.before[run] ?? []));
  const reps = Math.min(opts.reps * (s.repsFactor ?? 1), s.maxReps ?? Infinity);
  for (let rep = 0; rep < reps; rep++) {
    // Each repetition rotates who goes first, so a slow spell of the machine does not always hit the same side.
    const order = runs.map((_, i) => runs[(i + rep) % runs.length] as Run);
    for (const run of order) samples(run).push(await runSide(s, run, bench.ws.root, cmd(run)));
    const last = (run: Run): string => `${runName(run)} ${((samples(run).at(-1)?.ms ?? 0) / 1000).toFixed(2)} s`;
    progress(`(${s.id}) repetition ${rep + 1}/${reps}: ${runs.map(last).join(', ')}`);
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

async function cleanup(ws: Workspace, undos: (() => Promise<void>)[]): Promise<void> {
  for (const undo of undos.reverse()) await undo().catch((err: unknown) => progress(`cleanup: ${err instanceof Error ? err.message : String(err)}`));
  const removed = await removeFromEngine(ws.docker, ws.services);
  const left = await removeFromEngine(ws.docker, ws.services);
  await removeWorkspaceFiles(ws);
  progress(`cleanup: removed ${removed.containers} container(s), ${removed.images} image(s) and ${removed.networks} network(s) labelled ${ws.id}-*; ` +
    `${left.containers + left.images + left.networks === 0 ? 'nothing left' : `${left.containers + left.images + left.networks} objects were still there on a second pass`}; ${ws.root} deleted`);
}

async function main(): Promise<void> {
  const opts = parseOptions(process.argv.slice(2));
  if (!existsSync(opts.porterBin)) throw new Error(`bench: no porter at ${opts.porterBin}; run npm run build first`);
  const ws = await openWorkspace();
  let cleaning: Promise<void> | undefined;
  const undos: (() => Promise<void>)[] = [];
  const clean = (): Promise<void> => (cleaning ??= cleanup(ws, undos));
  process.once('SIGINT', () => {
    progress('bench: interrupted, cleaning up');
    void clean().finally(() => process.exit(130));
  });
  const bench: BenchContext = {
    ws, porterBin: opts.porterBin, floorJs: join(benchDir, 'floor.js'), example: join(repoRoot, 'examples', 'hello'),
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: ws.root, XDG_CACHE_HOME: join(ws.root, 'cache'), NO_COLOR: '1' },
    onCleanup: (undo) => void undos.push(undo),
  };
  const results: ScenarioResult[] = [];
  let engineVersion = '?';
  try {
    await ws.docker.ping();
    engineVersion = (await ws.docker.version()).Version;
    for (const [id, make] of Object.entries(SCENARIOS)) {
      if (!opts.only.includes(id)) continue;
      const pending = id === 'f' ? packPending(bench) : undefined;
      if (pending) {
        results.push({ id, title: 'pack of examples/hello', floorIs: '', target: undefined, porter: [], floor: [], before: [], pending });
        continue;
      }
      const made = await make(bench);
      for (const scenario of Array.isArray(made) ? made : [made]) {
        try {
          results.push(await runScenario(scenario, opts, bench));
        } catch (err) {
          // One broken scenario (a shared engine in trouble) must not cost the others' numbers.
          const why = (err instanceof Error ? err.message : String(err)).split('\n').slice(0, 2).join(' / ');
          results.push({ id: scenario.id, title: scenario.title, floorIs: scenario.floorIs, target: scenario.target, porter: [], floor: [], before: [], pending: `failed: ${why}` });
          process.exitCode = 1;
        }
      }
    }
  } finally {
    await clean();
  }
  const machine = `${cpus().length} × ${cpus()[0]?.model.trim() ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}, Docker Engine ${engineVersion}`;
  const report = [
    `\nporter bench, ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, ${machine}, ${opts.reps} repetitions (3× for (c), (e), (f); at most 3 for (j) at N ≥ 50), medians\n\n`,
    renderTable(results),
    `\n${renderDetails(results)}`,
  ];
  const summary = scalingSummary(results);
  if (summary) report.push(`\n${summary}`);
  if (opts.beforeBins.length > 0) report.push(`\n${renderBefore(results, opts.porterBin, opts.beforeBins)}`);
  if (repeated.length > 0) report.push(`\n${repeated.length} run(s) failed and were run again:\n${repeated.map((r) => `  ${r}`).join('\n')}\n`);
  await mkdir(opts.outDir, { recursive: true });
  await writeFile(join(opts.outDir, 'results.md'), report.join(''));
  const charts = await writeScalingCharts(results, opts.outDir);
  report.push(`\nreport written to ${join(opts.outDir, 'results.md')}${charts.length ? `; charts: ${charts.join(', ')}` : ''}\n`);
  process.stdout.write(report.join(''));
}

await main();
