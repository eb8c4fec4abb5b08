import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { HookConfig } from '../config/types.js';
import type { RunContext } from '../context.js';
import { ImageNotFound } from '../docker/engine.js';
import { Label } from '../docker/labels.js';
import type { RepoRootMount } from '../docker/repo-transfer.js';
import { UsageError } from '../errors.js';
import { toEnvList } from '../hooks/environment.js';
import type { JournalRun } from '../hooks/journal-entry.js';
import { parseOutputFile } from '../hooks/outputs.js';
import { hookMounts, hookLabels, prepareOutputDir, runContainer, type Attempt } from '../hooks/run-container.js';
import { attemptResult, hookOutput, TAIL_LINES } from '../hooks/run-hook.js';
import { TailBuffer } from '../hooks/tail.js';
import { replayEnvironment } from './debug-env.js';
import { replayImage } from './debug-image.js';
import { openShell, type InteractiveTerminal } from './debug-shell.js';
import type { FoundRun } from './debug-target.js';

export type { InteractiveTerminal } from './debug-shell.js';

export interface DebugRequest {
  found: FoundRun;
  /** `--shell`: the shell to open on `terminal` instead of running the hook's command. */
  shell?: string;
  /** `--keep`: leave the container for `docker exec`/`docker cp`. */
  keep: boolean;
  terminal?: InteractiveTerminal;
}

/** The hook as the config defines it now, or (gone from the config) as the journal tells; /repo_root as it was then. */
function replayedHook(run: JournalRun, configured: HookConfig | undefined): HookConfig {
  const base: HookConfig = configured ?? {
    list: run.list, index: run.index, id: run.hook, dockerfile: run.image.dockerfile, environment: [], runCondition: 'always', runPolicy: 'always',
    concurrent: false, retries: 0, retryOn: [], buildArgs: {}, secrets: [], repoRoot: 'rw', line: 0,
    ...(run.image.repo ? { repo: run.image.repo, ref: run.image.ref ?? '' } : {}),
  };
  return { ...base, repoRoot: run.repoRoot.readOnly ? 'ro' : 'rw' };
}

/** A replay's labels: a hook container's, marked; a kept one carries no pid, so only `build clean` removes it. */
function debugLabels(hook: HookConfig, ctx: RunContext, keep: boolean): Record<string, string> {
  const labels: Record<string, string> = { ...hookLabels(hook, ctx), [Label.debug]: keep ? 'kept' : 'replay' };
  if (keep) {
    delete labels[Label.pid];
    delete labels[Label.host];
  }
  return labels;
}

/**
 * `porter debug LIST/NAME`: runs one recorded hook run again as it ran — its image (or the same Dockerfile
 * rebuilt), its environment with earlier hooks' outputs as they were and secrets re-read, /repo_root mounted the
 * same way — without the hooks before it; or opens a shell in that container. Resolves to the hook's (or the
 * shell's) exit code. Changes nothing in the workspace: what the hook writes to $PORTER_OUTPUT is shown, not kept.
 */
export async function debugHook(ctx: RunContext, req: DebugRequest): Promise<number> {
  const { run, journal, note } = req.found;
  const say = (level: 'info' | 'warn', text: string): void => ctx.emit({ type: 'message', level, text: ctx.secrets.mask(text) });
  const title = `${run.list}/${run.hook}`;
  if (note) say('info', note);
  const configured = ctx.config.hooks[run.list]?.find((h) => h.id === run.hook);
  const hook = replayedHook(run, configured);
  const replay = await replayEnvironment(run, configured, ctx);
  ctx.secrets.add(replay.secrets);
  const received = Object.keys(run.outputs);
  say('info', `${title} as it ran at ${run.startedAt} (porter ${journal.command}): ${run.status}${run.exitCode !== undefined ? `, exit ${run.exitCode}` : ''}${received.length ? `; outputs of earlier hooks as they were then: ${received.join(', ')}` : ''}.`);
  if (replay.computedNow) say('warn', `${title} never started a container when it ran, so its environment is the one the config and outputs give it now.`);
  if (replay.missing.length) {
    say('warn', `${title}: secret ${replay.missing.join(', ')} cannot be re-read (the journal never keeps a secret's value, and porter's environment, the config and this workspace's outputs have none now): not passed.`);
  }
  const version = replay.env.PORTER_SERVICE_VERSION;
  if (version && version !== ctx.serviceVersion) say('info', `The checkout moved since (${version} then, ${ctx.serviceVersion} now): /repo_root holds it as it is now.`);
  if (run.repoRoot.source !== ctx.repoDir) say('warn', `${title} had ${run.repoRoot.source} at /repo_root; this checkout (${ctx.repoDir}) is mounted instead.`);
  const image = await replayImage(run, configured, ctx);

  const base = { list: run.list, hook: run.hook, ...(run.region ? { region: run.region } : {}) };
  const outDir = join(ctx.tmpDir, 'run', ctx.runId, 'debug');
  await prepareOutputDir(outDir);
  const labels = debugLabels(hook, ctx, req.keep);
  const name = `porter-debug-${ctx.config.serviceName}-${ctx.runId}`;
  if (req.shell && req.terminal && image.ok) {
    // On an engine that cannot see the checkout: the repo's copy, and an empty $PORTER_OUTPUT put in (never read back).
    const { takeFiles: _unread, ...mounts } = hookMounts(await ctx.repoRoot.mountFor(hook.repoRoot === 'ro', image.image, ctx.signal), outDir);
    const shell = {
      image: image.image, env: toEnvList(replay.env), ...mounts, labels, name, workingDir: '/repo_root',
      shell: req.shell, keep: req.keep, ...(run.network ? { network: run.network } : {}),
    };
    const code = await openShell(ctx, title, shell, req.terminal);
    // What was changed in the shell reaches the checkout, as with a mount.
    await ctx.repoRoot.copyBack(ctx.signal);
    return code;
  }

  ctx.emit({ type: 'hook-start', ...base, attempt: 1 });
  const started = ctx.now();
  const tail = new TailBuffer(TAIL_LINES);
  let attempt: Attempt;
  if (!image.ok) attempt = image.failure;
  else {
    try {
      const onMount = (m: RepoRootMount): void => {
        if (m.kind !== run.repoRoot.kind) say('info', `${title} had ${describeMount(run.repoRoot)} at /repo_root; this time it gets ${describeMount(m)} (the engine decides, or --repo-transfer).`);
      };
      attempt = await runContainer(hook, image.image, replay.env, outDir, run.timeoutMs, ctx, hookOutput(base, tail, ctx), run.network === 'host', { keep: req.keep, name, labels, onMount });
      await ctx.repoRoot.copyBack(ctx.signal);
    } catch (err) {
      if (!(err instanceof ImageNotFound)) throw err;
      throw new UsageError(`debug ${title}: its image was removed while porter was about to run it (another porter run pruned it). Run porter debug again.`, { cause: err });
    }
  }
  const outputs = parseOutputFile(await readFile(join(outDir, 'output'), 'utf8').catch(() => '')).values;
  const result = attemptResult(base, attempt, tail, ctx.now() - started, 1, (text) => ctx.secrets.mask(text), outputs);
  ctx.emit({ type: 'hook-end', result });
  const written = Object.keys(outputs);
  if (written.length) say('info', `${title} wrote ${written.join(', ')} to $PORTER_OUTPUT; porter debug does not record outputs, so later hooks and commands see them as they were.`);
  // Kept only when the container ran to its exit (an interrupted, timed-out or refused one is gone).
  if (req.keep && image.ok && (await ctx.engine.inspectContainer(name))) {
    say('info', `Kept the container ${name} (stopped): \`docker cp ${name}:/path .\` copies files out, \`porter debug ${title} --shell --keep\` gives a running one; \`porter build clean\` removes it.`);
  }
  if (result.status === 'passed') return 0;
  return result.exitCode ?? 1;
}

function describeMount(m: RepoRootMount): string {
  return m.kind === 'bind' ? 'the checkout bind-mounted' : 'a copy of the checkout in a volume';
}
