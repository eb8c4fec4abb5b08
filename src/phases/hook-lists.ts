import type { RunContext } from '../context.js';
import { HookImages } from '../hooks/hook-image.js';
import { combinedStatus, runListInScopes } from '../hooks/run-scopes.js';
import type { ListRunner } from './run-phase.js';

/**
 * The real ListRunner: the list from the context's config (read at call time, so pack's post_ hooks come from
 * the config as pre_pack hooks left it), run per scope concurrently. An empty list keeps its start status.
 */
export function hookListRunner(current: () => RunContext): ListRunner {
  return async (list, scopes, start) => {
    const ctx = current();
    const hooks = ctx.config.hooks[list] ?? [];
    if (hooks.length === 0) return start;
    const images = new HookImages(ctx);
    try {
      return combinedStatus(await runListInScopes(hooks, scopes, () => start, images, ctx));
    } finally {
      await images.close();
    }
  };
}
