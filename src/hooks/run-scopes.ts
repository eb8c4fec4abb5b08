import type { HookConfig } from '../config/types.js';
import type { RunContext } from '../context.js';
import type { HookResult, ListStatus } from '../events.js';
import type { HookScope } from './environment.js';
import type { HookImages } from './hook-image.js';
import { runHook } from './run-hook.js';
import { allOrFirstError, runHookList, type ListOutcome } from './run-list.js';

export interface ScopedOutcome extends ListOutcome {
  scope: HookScope;
}

/**
 * Runs one hook list once per scope (a region of the environment, or once with no region), the scopes
 * concurrently, each with its own status. Images are prepared once for all scopes, ahead of their runs. On an
 * engine that cannot see the checkout, what the list's hooks changed in the repo's copy is copied back at its end
 * (a failed hook's changes too; an interrupted command's are not), before a phase body or the next list reads it.
 */
export async function runListInScopes(
  hooks: readonly HookConfig[],
  scopes: readonly HookScope[],
  startStatus: (scope: HookScope) => ListStatus,
  images: HookImages,
  ctx: RunContext,
  skipReason?: (hook: HookConfig) => string | undefined,
): Promise<ScopedOutcome[]> {
  images.prefetch(hooks);
  const outcomes = await allOrFirstError(
    scopes.map(async (scope) => {
      const runner = {
        run: (hook: HookConfig, status: ListStatus) => runHook(hook, { ...scope, listStatus: status }, images, ctx),
        ...(skipReason ? { skipReason } : {}),
        notRun: (hook: HookConfig, status: 'skipped' | 'cancelled', message?: string): HookResult => {
          const result: HookResult = {
            list: hook.list, hook: hook.id, ...(scope.region ? { region: scope.region } : {}), ...(scope.event ? { run: scope.event.run } : {}),
            status, tail: [], durationMs: 0, attempts: 0, ...(message ? { message } : {}),
          };
          ctx.emit({ type: 'hook-end', result });
          return result;
        },
      };
      return { scope, ...(await runHookList(hooks, startStatus(scope), runner, ctx.signal)) };
    }),
  );
  if (!ctx.signal.aborted) await ctx.repoRoot.copyBack(ctx.signal);
  return outcomes;
}

/** The status of several scopes together: failed when any of them failed. */
export function combinedStatus(outcomes: readonly { status: ListStatus }[]): ListStatus {
  return outcomes.some((o) => o.status === 'failed') ? 'failed' : 'passed';
}
