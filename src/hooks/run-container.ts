import { createWriteStream } from 'node:fs';
import { chmod, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { extract, pack } from 'tar-stream';
import { parse as parseDotenv } from 'dotenv';
import type { HookConfig } from '../config/types.js';
import type { RunContext } from '../context.js';
import { StartFailure, type RunRequest } from '../docker/engine.js';
import { Label } from '../docker/labels.js';
import { classifyStartRefusal, execFailureLine } from '../docker/start-refusal.js';
import type { HookResult, HookStatus } from '../events.js';
import { toEnvList, type HookScope } from './environment.js';
import type { RepoRootMount } from './journal-entry.js';
import type { OutputSlot } from '../docker/repo-transfer.js';
import { parseOutputFile } from './outputs.js';
import { startFailureAttempt } from './start-attempt.js';

const OUTPUT_DIR_IN_CONTAINER = '/porter';
/** `$PORTER_OUTPUT` inside every hook container. */
export const OUTPUT_FILE_IN_CONTAINER = `${OUTPUT_DIR_IN_CONTAINER}/output`;

/** How one attempt (or the preparation before it) ended. */
export interface Attempt {
  status: HookStatus;
  stage?: HookResult['stage'];
  exitCode?: number;
  message?: string;
  /** Set when the lines to show are not the run's own (a build's output). */
  tail?: string[];
}

/** A hook's `env_file` as dotenv reads it, or the failure to report when it cannot be read. */
export async function readEnvFile(hook: HookConfig, repoDir: string): Promise<{ values: Record<string, string> } | { failure: Attempt }> {
  if (!hook.envFile) return { values: {} };
  try {
    return { values: parseDotenv(await readFile(join(repoDir, hook.envFile))) };
  } catch (err) {
    const why = (err as NodeJS.ErrnoException).code ?? String(err);
    return { failure: { status: 'failed', stage: 'run', message: `${hook.list} ${hook.id}: cannot read env_file ${hook.envFile} (${why}).`, tail: [] } };
  }
}

/** A fresh, empty `$PORTER_OUTPUT` file in a directory the container can write whatever its user. */
export async function prepareOutputDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  await chmod(dir, 0o777);
  await writeFile(join(dir, 'output'), '', { mode: 0o666 });
  await chmod(join(dir, 'output'), 0o666);
}

/** How a hook gets the repo at /repo_root on a local engine: the checkout bind-mounted, read-only with `repo_root: ro`. */
export function repoRootMount(hook: HookConfig, repoDir: string): RepoRootMount {
  return { kind: 'bind', source: repoDir, readOnly: hook.repoRoot === 'ro' };
}

/**
 * What a hook container mounts: the repo at /repo_root (the checkout, or the volume holding its copy) and its output
 * directory at /porter — bound on an engine that sees the checkout; else an output slot of the copy (a volume
 * holding the empty file), or, when none is free, the file put in before start; either way read out after exit.
 */
export function hookMounts(repo: RepoRootMount, outDir: string, slot?: OutputSlot): Pick<RunRequest, 'binds' | 'volumes' | 'putFiles' | 'takeFiles'> {
  if (repo.kind === 'bind') return { binds: [`${repo.source}:/repo_root${repo.readOnly ? ':ro' : ''}`, `${outDir}:${OUTPUT_DIR_IN_CONTAINER}`] };
  const volumes = [{ name: repo.volume, target: '/repo_root', readOnly: repo.readOnly }];
  const sink = (tar: Readable): Promise<void> => extractOutput(tar, join(outDir, 'output'));
  if (!slot) return { binds: [], volumes, putFiles: { path: '/', tar: emptyOutputTar }, takeFiles: { path: OUTPUT_FILE_IN_CONTAINER, sink } };
  return {
    binds: [], volumes: [...volumes, { name: slot.volume, target: OUTPUT_DIR_IN_CONTAINER, readOnly: false }],
    takeFiles: { path: OUTPUT_FILE_IN_CONTAINER, sink, statPaths: [OUTPUT_DIR_IN_CONTAINER], stat: ([file, dir]) => slot.release(file, dir) },
  };
}

/** `/porter/output`, empty, writable by any user, as a tar to put in a container. */
async function emptyOutputTar(): Promise<Readable> {
  const tar = pack();
  tar.entry({ name: 'porter', type: 'directory', mode: 0o777 });
  tar.entry({ name: 'porter/output', type: 'file', mode: 0o666, size: 0 }, '');
  tar.finalize();
  return tar as unknown as Readable;
}

/** The one file of a tar read out of a container, written to `path`. */
async function extractOutput(tar: Readable, path: string): Promise<void> {
  const reader = extract();
  tar.pipe(reader);
  for await (const entry of reader) {
    if (entry.header.type === 'file') await pipeline(entry, createWriteStream(path));
    else entry.resume();
  }
}

/** Extras of a replay (`porter debug`): the container kept afterwards, under a name, with its own labels. */
export interface ContainerExtras {
  /** Told how /repo_root was given (for the run journal). */
  onMount?: (mount: RepoRootMount) => void;
  keep?: boolean;
  name?: string;
  labels?: Record<string, string>;
}

/**
 * One container run of a hook: the repo at /repo_root (read-only with `repo_root: ro`), the output
 * directory at /porter, labels naming the service, hook, run and this porter process. Killed at the
 * deadline (`timed-out`) or on interrupt (`cancelled`); the engine removes the container either way.
 */
export async function runContainer(
  hook: HookConfig, image: string, env: Record<string, string>, outDir: string, timeoutMs: number | undefined,
  ctx: RunContext, onLine: (line: string, stream: 'stdout' | 'stderr', partial?: boolean) => void, hostNetwork = false, extras: ContainerExtras = {},
): Promise<Attempt> {
  const controller = new AbortController();
  let timedOut = false;
  const timer = timeoutMs ? setTimeout(() => { timedOut = true; controller.abort(); }, timeoutMs) : undefined;
  const interrupt = (): void => controller.abort();
  if (ctx.signal.aborted) interrupt();
  else ctx.signal.addEventListener('abort', interrupt, { once: true });
  const labels = extras.labels ?? hookLabels(hook, ctx);
  // The first line and how many: an OCI runtime that cannot exec the command says so in one line, then exits.
  let firstLine: string | undefined;
  let lines = 0;
  const countLine: typeof onLine = (line, stream, partial) => {
    if (lines++ === 0) firstLine = line;
    onLine(line, stream, partial);
  };
  try {
    const mount = await ctx.repoRoot.mountFor(hook.repoRoot === 'ro', image, ctx.signal);
    extras.onMount?.(mount);
    const slot = mount.kind === 'volume' ? ctx.repoRoot.outputSlot() : undefined;
    // The next hook need not wait for this container's removal; the session's close() waits for it instead.
    const request = {
      image, env: toEnvList(env), ...hookMounts(mount, outDir, slot), labels, workingDir: '/repo_root', removeInBackground: true,
      ...(hostNetwork ? { network: 'host' } : {}), ...(ctx.outputReady ? { outputReady: ctx.outputReady } : {}),
      ...(extras.keep ? { keep: true } : {}), ...(extras.name ? { name: extras.name } : {}),
    };
    const { exitCode } = await ctx.engine.runToExit(request, countLine, controller.signal);
    if (exitCode === 0) return { status: 'passed', exitCode };
    const execProblem = lines === 1 && firstLine !== undefined ? execFailureLine(firstLine) : undefined;
    if (execProblem) return await startFailureAttempt(execProblem, firstLine ?? '', hook, image, labels, ctx);
    return { status: 'failed', exitCode };
  } catch (err) {
    if (err instanceof StartFailure && !controller.signal.aborted) return await startFailureAttempt(classifyStartRefusal(err.message), err.message, hook, image, labels, ctx);
    if (!controller.signal.aborted) throw err;
    if (ctx.signal.aborted || !timedOut) return { status: 'cancelled', message: `${hook.list} ${hook.id} was interrupted.` };
    return { status: 'timed-out', message: `${hook.list} ${hook.id} timed out after ${formatMs(timeoutMs ?? 0)} and was killed.` };
  } finally {
    clearTimeout(timer);
    ctx.signal.removeEventListener('abort', interrupt);
  }
}

/** The labels of everything porter creates for a hook run: service, hook, run and this porter process (for the reaper). */
export function hookLabels(hook: HookConfig, ctx: RunContext): Record<string, string> {
  return {
    [Label.service]: ctx.config.serviceName, [Label.hook]: `${hook.list}/${hook.id}`, [Label.run]: ctx.runId,
    [Label.pid]: String(ctx.owner.pid), [Label.host]: ctx.owner.host,
  };
}

/**
 * Reads what the hook appended to `$PORTER_OUTPUT` into the workspace's outputs and resolves to them; a malformed line is
 * a warning naming hook and line.
 */
export async function collectOutputs(hook: HookConfig, scope: HookScope, outDir: string, ctx: RunContext): Promise<Record<string, string>> {
  const text = await readFile(join(outDir, 'output'), 'utf8').catch(() => '');
  if (!text) return {};
  const { values, warnings } = parseOutputFile(text);
  for (const w of warnings) ctx.emit({ type: 'message', level: 'warn', text: ctx.secrets.mask(`${hook.list} ${hook.id}${scope.region ? ` (${scope.region})` : ''}: PORTER_OUTPUT ${w}`) });
  // An output that holds a secret is a secret too: masked whole from now on, and in later commands.
  const secret = Object.keys(values).filter((k) => ctx.secrets.mask(values[k] ?? '') !== values[k]);
  ctx.secrets.add(secret.map((k) => values[k] ?? ''));
  await ctx.outputs.record(scope.region, values, secret);
  return values;
}

/** `90s`, `2m30s`: a duration as a user wrote it. */
export function formatMs(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  const s = Math.round(ms / 1000);
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m${s % 60 ? `${s % 60}s` : ''}`;
}
