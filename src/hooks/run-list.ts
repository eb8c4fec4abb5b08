import type { HookConfig } from '../config/types.js';
import type { HookResult, HookStatus, ListStatus } from '../events.js';
import { isEligible, planHookList } from './plan.js';

/** What the list walker needs per hook; the real one builds and runs containers, a unit test records calls. */
export interface HookStepRunner {
  /** Runs one eligible hook to its result; never rejects for the hook's own failure. `status`: the list's when the hook's step starts. */
  run(hook: HookConfig, status: ListStatus): Promise<HookResult>;
  /** The result reported for a hook that was not eligible (`skipped`, with why when not its run condition) or never started (`cancelled`). */
  notRun(hook: HookConfig, status: 'skipped' | 'cancelled', message?: string): HookResult;
  /** Why an otherwise eligible hook is not to run (`run_policy: once` that already ran); undefined: it runs. */
  skipReason?(hook: HookConfig): string | undefined;
}

export interface ListOutcome {
  status: ListStatus;
  results: HookResult[];
}

const FAILED: ReadonlySet<HookStatus> = new Set(['failed', 'timed-out', 'cancelled']);

/** True when a result turns the list's status to failed. */
export function isFailure(result: HookResult): boolean {
  return FAILED.has(result.status);
}

/**
 * Walks a hook list: each step starts when the previous one has finished; a group's hooks start
 * together and every sibling runs to its end even when one fails; the status turns failed after
 * the step, so later `pass` hooks are skipped while `fail`/`always` hooks still run.
 */
export async function runHookList(
  hooks: readonly HookConfig[],
  start: ListStatus,
  runner: HookStepRunner,
  signal: AbortSignal,
): Promise<ListOutcome> {
  let status = start;
  const results: HookResult[] = [];
  for (const step of planHookList(hooks)) {
    const atStart = status;
    const stepResults = await allOrFirstError(
      step.hooks.map(async (hook) => {
        if (signal.aborted) return runner.notRun(hook, 'cancelled');
        if (!isEligible(hook.runCondition, atStart)) return runner.notRun(hook, 'skipped');
        const reason = runner.skipReason?.(hook);
        if (reason) return runner.notRun(hook, 'skipped', reason);
        return runner.run(hook, atStart);
      }),
    );
    results.push(...stepResults);
    if (stepResults.some(isFailure)) status = 'failed';
  }
  return { status, results };
}

/**
 * Like Promise.all, but waits for every promise to settle before rejecting with the first error: a
 * sibling whose container is still running is never abandoned (porter would exit and leave it behind).
 */
export async function allOrFirstError<T>(promises: readonly Promise<T>[]): Promise<T[]> {
  const settled = await Promise.allSettled(promises);
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) throw failed.reason;
  return settled.map((s) => (s as PromiseFulfilledResult<T>).value);
}
