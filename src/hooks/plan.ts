import type { HookConfig, RunCondition } from '../config/types.js';
import type { ListStatus } from '../events.js';

/** One step of a hook list: a single hook, or a concurrent group whose hooks start together. */
export interface PlanStep {
  hooks: readonly HookConfig[];
  concurrent: boolean;
}

/**
 * Groups a list as the original's documentation says (not as its code did): consecutive hooks
 * marked `concurrent` form a group only when there are two or more; every other hook runs alone.
 */
export function planHookList(hooks: readonly HookConfig[]): PlanStep[] {
  const steps: PlanStep[] = [];
  let run: HookConfig[] = [];
  const flush = (): void => {
    if (run.length >= 2) steps.push({ hooks: run, concurrent: true });
    else for (const hook of run) steps.push({ hooks: [hook], concurrent: false });
    run = [];
  };
  for (const hook of hooks) {
    if (hook.concurrent) {
      run.push(hook);
      continue;
    }
    flush();
    steps.push({ hooks: [hook], concurrent: false });
  }
  flush();
  return steps;
}

/** A hook runs when its run condition matches the list's status at the moment it would start. */
export function isEligible(condition: RunCondition, status: ListStatus): boolean {
  if (condition === 'always') return true;
  return condition === 'pass' ? status === 'passed' : status === 'failed';
}

/** The status a list starts with: a post_ list inherits the phase body's result, every other list starts passed. */
export function initialStatus(list: string, bodyStatus?: ListStatus): ListStatus {
  return list.startsWith('post_') && bodyStatus ? bodyStatus : 'passed';
}
