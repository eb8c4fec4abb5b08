import type { Phase } from '../config/types.js';
import type { EmitEvent, ListStatus } from '../events.js';
import type { HookScope } from '../hooks/environment.js';

/** Runs one hook list in these scopes from a start status; resolves to its status across the scopes. */
export type ListRunner = (list: string, scopes: readonly HookScope[], start: ListStatus) => Promise<ListStatus>;

/** What a phase body did: its status, and where the post_ hooks run (with the new stack's id and URL, say). */
export interface BodyOutcome {
  status: ListStatus;
  postScopes?: readonly HookScope[];
}

export interface PhaseRun {
  phase: Phase;
  environment?: string;
  /** The lists around the body when not `pre_<phase>`/`post_<phase>` (a hot swap's `pre_hotswap`/`post_hotswap`). */
  lists?: { pre: string; post: string };
  /** Where the pre_ list runs: once, or once per region of the environment. */
  scopes: readonly HookScope[];
  /**
   * The phase's own work. A failure of the service (a build, an unhealthy stack) is a `failed` outcome it has
   * already reported as events; porter's or the user's errors (engine gone, bad state) are thrown.
   */
  body(): Promise<BodyOutcome>;
}

/**
 * pre_ list → body → post_ list, with DESIGN's boundary rule: when the pre_ list fails the body does not run
 * and the post_ list is not called at all (not even `fail`/`always` hooks); when the body fails, the post_
 * list runs with status failed. Resolves to failed when any hook or the body failed.
 */
export async function runPhase(run: PhaseRun, runList: ListRunner, emit: EmitEvent, now: () => number): Promise<ListStatus> {
  const started = now();
  const env = run.environment ? { environment: run.environment } : {};
  emit({ type: 'phase-start', phase: run.phase, ...env });
  const lists = run.lists ?? { pre: `pre_${run.phase}`, post: `post_${run.phase}` };
  let status: ListStatus = 'failed';
  try {
    const pre = await runList(lists.pre, run.scopes, 'passed');
    if (pre === 'failed') {
      emit({ type: 'message', level: 'warn', text: `${lists.pre} failed, so porter did not ${run.phase} and ${lists.post} hooks were not called.` });
      return status;
    }
    const body = await run.body();
    const post = await runList(lists.post, body.postScopes ?? run.scopes, body.status);
    status = body.status === 'passed' && post === 'passed' ? 'passed' : 'failed';
    return status;
  } finally {
    emit({ type: 'phase-end', phase: run.phase, ...env, status, durationMs: now() - started });
  }
}
