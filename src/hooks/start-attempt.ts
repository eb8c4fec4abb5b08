import type { HookConfig } from '../config/types.js';
import type { RunContext } from '../context.js';
import type { ImageFile } from '../docker/engine.js';
import type { StartProblem } from '../docker/start-refusal.js';
import type { Attempt } from './run-container.js';
import { hookDisplay } from './source.js';
import { explainStartFailure, fileToInspect, refineWithFile } from './start-failure.js';

const headBytes = 256;

/**
 * The failed attempt of a hook whose process never ran (the engine refused its container, or the runtime could
 * not exec its command): explained, with the command's file read from the image when that tells more (its mode,
 * its #! line). Reading it is best effort: without it the advice is only less precise.
 */
export async function startFailureAttempt(
  problem: StartProblem, engineWords: string, hook: HookConfig, image: string, labels: Record<string, string>, ctx: RunContext,
): Promise<Attempt> {
  const path = fileToInspect(problem);
  let file: ImageFile | undefined;
  if (path) {
    file = await ctx.engine.readImageFile({ image, path, maxBytes: headBytes, labels }, ctx.signal).catch(() => undefined);
  }
  const refined = refineWithFile(problem, file);
  const { exitCode, message } = explainStartFailure(refined, { title: `${hook.list} ${hook.id}`, dockerfile: hookDisplay(hook), image }, engineWords, file);
  return { status: 'failed', stage: 'start', message, ...(exitCode !== undefined ? { exitCode } : {}) };
}
