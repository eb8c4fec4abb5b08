import type { HookConfig } from '../config/types.js';
import type { RunContext } from '../context.js';
import type { HookResult } from '../events.js';
import { HookImages } from '../hooks/hook-image.js';
import { combinedStatus, runListInScopes } from '../hooks/run-scopes.js';
import type { ListRunner } from './run-phase.js';

export interface HookListOptions {
  /** Why an eligible hook does not run this time (a `run_policy: once` hook that already ran); undefined: it runs. */
  skipReason?: (hook: HookConfig) => string | undefined;
  /** Each hook's result once its list has run in every scope. */
  onResult?: (result: HookResult) => void;
}

/**
 * The real ListRunner: the list from the context's config (read at call time, so pack's post_ hooks come from
 * the config as pre_pack hooks left it), run per scope concurrently. An empty list keeps its start status.
 */
export function hookListRunner(current: () => RunContext, opts: HookListOptions = {}): ListRunner {
  return async (list, scopes, start) => {
    const ctx = current();
    const hooks = ctx.config.hooks[list] ?? [];
    if (hooks.length === 0) return start;
    const images = new HookImages(ctx);
    try {
      const outcomes = await runListInScopes(hooks, scopes, () => start, images, ctx, opts.skipReason);
      for (const o of outcomes) for (const r of o.results) opts.onResult?.(r);
      return combinedStatus(outcomes);
    } finally {
      await images.close();
    }
  };
}
