import type { HookConfig } from '../config/types.js';
import type { RunContext } from '../context.js';
import { UsageError } from '../errors.js';
import { redactUrl } from '../git/redact.js';
import { HookImages } from '../hooks/hook-image.js';
import type { JournalRun } from '../hooks/journal-entry.js';
import type { Attempt } from '../hooks/run-container.js';
import { hookDisplay } from '../hooks/source.js';

/** The image a replay runs, or the failure to report when it had to be rebuilt and could not be. */
export type ReplayImage = { ok: true; image: string } | { ok: false; failure: Attempt };

/**
 * The image the hook ran from when the engine still has it; otherwise the same Dockerfile (or plugin at the same
 * ref) built again, with a warning when its content changed since. Without the hook in the config there is nothing
 * to build from: a UsageError.
 */
export async function replayImage(run: JournalRun, configured: HookConfig | undefined, ctx: RunContext): Promise<ReplayImage> {
  const title = `${run.list}/${run.hook}`;
  if (run.image.id && (await ctx.engine.inspectImage(run.image.id))) return { ok: true, image: run.image.id };
  const why = run.image.id ? `its image (${run.image.id.slice(0, 19)}) was removed since it ran` : 'it never had an image (its build or clone failed)';
  if (!configured) {
    throw new UsageError(`debug ${title}: ${why}, and ${ctx.config.file} no longer defines ${title}, so there is nothing to build it from. Run the command that runs it again.`);
  }
  const source: HookConfig = { ...configured, dockerfile: run.image.dockerfile, ...(run.image.ref ? { ref: run.image.ref } : {}) };
  const say = (level: 'info' | 'warn', text: string): void => ctx.emit({ type: 'message', level, text: ctx.secrets.mask(text) });
  say('info', `${title}: ${why}: building it from ${hookDisplay(source)}.`);
  if (run.image.repo && configured.repo && redactUrl(configured.repo) !== run.image.repo) {
    say('warn', `${title} ran from the plugin repo ${run.image.repo}; ${ctx.config.file} now names ${redactUrl(configured.repo)}, which is what porter fetches.`);
  }
  const images = new HookImages(ctx);
  try {
    const prepared = await images.get(source);
    if (!prepared.ok) return { ok: false, failure: { status: 'failed', stage: prepared.stage, message: prepared.message, tail: prepared.tail } };
    if (run.image.hash && prepared.hash !== run.image.hash) {
      say('warn', `${title}: its Dockerfile or build context changed since it ran: the image is built from the files as they are now, not as they were.`);
    }
    return { ok: true, image: prepared.image };
  } finally {
    await images.close();
  }
}
