import { chmod, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse as parseDotenv } from 'dotenv';
import type { HookConfig } from '../config/types.js';
import type { RunContext } from '../context.js';
import { Label } from '../docker/labels.js';
import { isAbort } from '../errors.js';
import type { HookResult, HookStatus } from '../events.js';
import { hookEnvironment, secretValues, standardVariables, toEnvList, type HookScope } from './environment.js';
import type { HookImages } from './hook-image.js';
import { createMasker, type Masker } from './mask.js';
import { parseOutputFile } from './outputs.js';
import { TailBuffer } from './tail.js';

const OUTPUT_DIR_IN_CONTAINER = '/porter';
const TAIL_LINES = 20;

interface Attempt {
  status: HookStatus;
  exitCode?: number;
  message?: string;
}

/**
 * Runs one hook to its result: its image (prepared ahead), then up to 1 + `retries` container runs,
 * each killed at the hook's deadline. Output is masked before anything sees it. Rejects only for
 * porter's or the user's errors (engine gone, bad config), never for the hook's own failure.
 */
export async function runHook(hook: HookConfig, scope: HookScope, images: HookImages, ctx: RunContext): Promise<HookResult> {
  const started = ctx.now();
  const base = { list: hook.list, hook: hook.id, ...(scope.region ? { region: scope.region } : {}) };
  const tail = new TailBuffer(TAIL_LINES);
  const finish = (a: Attempt, attempts: number, mask: Masker = (l) => l): HookResult => {
    const result: HookResult = {
      ...base, status: a.status, tail: tail.lines().map(mask), durationMs: ctx.now() - started, attempts,
      ...(a.exitCode !== undefined ? { exitCode: a.exitCode } : {}),
      ...(a.message ? { message: mask(a.message) } : {}),
      ...(a.status !== 'passed' ? { stage: 'run' as const } : {}),
    };
    ctx.emit({ type: 'hook-end', result });
    return result;
  };

  ctx.emit({ type: 'hook-start', ...base, attempt: 1 });
  const prepared = await images.get(hook);
  if (!prepared.ok) {
    for (const line of prepared.tail) tail.push(line);
    const result: HookResult = { ...base, status: 'failed', stage: prepared.stage, message: prepared.message, tail: tail.lines(), durationMs: ctx.now() - started, attempts: 1 };
    ctx.emit({ type: 'hook-end', result });
    return result;
  }

  const outDir = join(ctx.tmpDir, 'run', ctx.runId, `${hook.list}-${hook.index}${scope.region ? `-${scope.region}` : ''}`);
  let envFile: Record<string, string> = {};
  if (hook.envFile) {
    try {
      envFile = parseDotenv(await readFile(join(ctx.repoDir, hook.envFile)));
    } catch (err) {
      return finish({ status: 'failed', message: `${hook.list} ${hook.id}: cannot read env_file ${hook.envFile} (${(err as NodeJS.ErrnoException).code ?? String(err)}).` }, 1);
    }
  }

  const attempts = 1 + hook.retries;
  const timeoutMs = hook.timeoutMs ?? ctx.config.hookTimeoutMs;
  let last: Attempt = { status: 'failed' };
  let mask: Masker = (l) => l;
  let ran = 0;
  try {
    for (let attempt = 1; attempt <= attempts; attempt++) {
      ran = attempt;
      if (attempt > 1) ctx.emit({ type: 'hook-start', ...base, attempt });
      const standard = standardVariables({
        serviceName: ctx.config.serviceName, serviceVersion: ctx.serviceVersion, list: hook.list, scope,
        outputPath: `${OUTPUT_DIR_IN_CONTAINER}/output`, attempt,
      });
      const env = hookEnvironment(standard, envFile, hook.environment, (key) => ctx.outputs.get(key, scope.region) ?? ctx.hostEnv[key]);
      mask = createMasker(secretValues(hook, env));
      await prepareOutputDir(outDir);
      last = await runOnce(hook, prepared.image, env, outDir, timeoutMs, ctx, (line, stream) => {
        const masked = mask(line);
        tail.push(masked);
        ctx.emit({ type: 'hook-log', ...base, stream, line: masked });
      });
      await collectOutputs(hook, scope, outDir, ctx);
      if (last.status === 'passed' || last.status === 'cancelled') break;
      if (last.status === 'timed-out' && !hook.retryOn.includes('timeout')) break;
    }
  } finally {
    await rm(outDir, { recursive: true, force: true });
  }
  return finish(last, ran, mask);
}

async function prepareOutputDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  // The container's user may not be root: let it write its output file.
  await chmod(dir, 0o777);
  await writeFile(join(dir, 'output'), '', { mode: 0o666 });
  await chmod(join(dir, 'output'), 0o666);
}

async function runOnce(
  hook: HookConfig, image: string, env: Record<string, string>, outDir: string, timeoutMs: number | undefined,
  ctx: RunContext, onLine: (line: string, stream: 'stdout' | 'stderr') => void,
): Promise<Attempt> {
  const deadline = timeoutMs ? AbortSignal.timeout(timeoutMs) : undefined;
  const signal = deadline ? AbortSignal.any([ctx.signal, deadline]) : ctx.signal;
  const binds = [`${ctx.repoDir}:/repo_root${hook.repoRoot === 'ro' ? ':ro' : ''}`, `${outDir}:${OUTPUT_DIR_IN_CONTAINER}`];
  const labels = { [Label.service]: ctx.config.serviceName, [Label.hook]: `${hook.list}/${hook.id}`, [Label.run]: ctx.runId };
  try {
    const { exitCode } = await ctx.engine.runToExit({ image, env: toEnvList(env), binds, labels, workingDir: '/repo_root' }, onLine, signal);
    return exitCode === 0 ? { status: 'passed', exitCode } : { status: 'failed', exitCode };
  } catch (err) {
    if (!isAbort(err, signal)) throw err;
    if (ctx.signal.aborted) return { status: 'cancelled', message: `${hook.list} ${hook.id} was interrupted.` };
    return { status: 'timed-out', message: `${hook.list} ${hook.id} timed out after ${formatMs(timeoutMs ?? 0)} and was killed.` };
  }
}

async function collectOutputs(hook: HookConfig, scope: HookScope, outDir: string, ctx: RunContext): Promise<void> {
  const text = await readFile(join(outDir, 'output'), 'utf8').catch(() => '');
  if (!text) return;
  const { values, warnings } = parseOutputFile(text);
  for (const w of warnings) ctx.emit({ type: 'message', level: 'warn', text: `${hook.list} ${hook.id}: PORTER_OUTPUT ${w}` });
  await ctx.outputs.record(scope.region, values);
}

/** `90s`, `2m30s`: a duration as a user wrote it. */
export function formatMs(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  const s = Math.round(ms / 1000);
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m${s % 60 ? `${s % 60}s` : ''}`;
}
