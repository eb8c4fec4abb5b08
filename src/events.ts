/** Everything porter reports flows as these events; renderers (terminal, JSON lines, JUnit) consume them. */
import type { ConfigProblem } from './errors.js';

export type HookStatus = 'passed' | 'failed' | 'skipped' | 'timed-out' | 'cancelled';
export type ListStatus = 'passed' | 'failed';

/** The outcome of one hook run: a failure is data, not an exception. */
export interface HookResult {
  list: string;
  hook: string;
  region?: string;
  status: HookStatus;
  /** Where it stopped, for failures. */
  /** `start`: the engine could not start its container (a typo in CMD, no run bit, an unknown USER...). */
  stage?: 'clone' | 'build' | 'start' | 'run';
  exitCode?: number;
  /** One paragraph on why it failed, when the exit code alone does not say (build, clone, timeout). */
  message?: string;
  /** Last lines of its output (masked), for the failure summary. */
  tail: string[];
  durationMs: number;
  attempts: number;
  /** What it wrote to `$PORTER_OUTPUT` (masked), when anything. */
  outputs?: Record<string, string>;
  /** `porter watch`: the event run it belongs to (the `run` of event-run-start), so runs of one list stay apart. */
  run?: string;
}

/** `porter watch`: one event of a stack container, as its events and PORTER_EVENT_* variables give it. */
export interface WatchedEvent {
  environment: string;
  region: string;
  /** die, oom, unhealthy, healthy, start, stop, restart. */
  kind: string;
  /** The container's name on the engine. */
  container: string;
  stack: string;
  exitCode?: number;
  /** When it happened (the engine's clock, RFC 3339). */
  time: string;
}

/** One stack as `build status` shows it. */
export interface StackStatus {
  id: string;
  version: string;
  /** RFC 3339, and how long ago that was when status ran. */
  created: string;
  ageMs: number;
  health: 'healthy' | 'starting' | 'unhealthy' | 'stopped';
  reason?: string;
  url?: string;
  promoted: boolean;
}

/** One region of `build status`: its stacks, newest first, and its last promotions, newest first. */
export interface RegionStatus {
  region: string;
  orchestrator: 'engine' | 'swarm';
  stacks: StackStatus[];
  promotions: { stack: string; at: string; previous?: string; by: 'promote' | 'rollback' }[];
}

export type PorterEvent =
  | { type: 'phase-start'; phase: string; environment?: string }
  | { type: 'phase-end'; phase: string; environment?: string; status: ListStatus; durationMs: number }
  | { type: 'hook-start'; list: string; hook: string; region?: string; run?: string; attempt: number }
  | { type: 'hook-log'; list: string; hook: string; region?: string; run?: string; stream: 'stdout' | 'stderr'; line: string }
  | { type: 'build-progress'; list: string; hook: string; region?: string; step: number; total: number }
  /** A hook image build finished (built or failed); a cached image emits neither this nor build-progress. */
  | { type: 'build-end'; list: string; hook: string; ok: boolean }
  | { type: 'hook-end'; result: HookResult }
  /** `stderr`: a text terminal shows it on stderr (a warning about the config itself, before anything runs). */
  | { type: 'message'; level: 'info' | 'warn'; text: string; stderr?: boolean }
  /** `porter watch`: an event that runs hook lists; each run is named by its `run` key (e1, e2…), unique in the command. */
  | { type: 'stack-event'; event: WatchedEvent; runs: { run: string; list: string }[] }
  /** An event run starts, `delayMs` after its event (engine clock to porter's: meaningful on a local engine). */
  | { type: 'event-run-start'; run: string; list: string; event: WatchedEvent; delayMs: number }
  | { type: 'event-run-end'; run: string; list: string; region: string; status: ListStatus; durationMs: number }
  /** `porter build status -e ENV`: the environment's stacks and promotion history per region, read from the engines. */
  | { type: 'status'; service: string; environment: string; regions: RegionStatus[] }
  /** `--dry-run`: what the command would run; nothing was built, cloned or run. */
  | { type: 'plan'; plan: RunPlan }
  /** A PorterError (or a bug) ended the command; `problems` lists every config problem when the config is invalid. */
  | { type: 'error'; exitCode: number; message: string; problems?: ConfigProblem[] }
  | { type: 'run-end'; exitCode: number; durationMs: number };

/** One hook as a dry run shows it: where its Dockerfile is and what it would get — environment keys, never values. */
export interface PlannedHook {
  hook: string;
  /** The Dockerfile path (from the repo root, or inside the plugin clone). */
  dockerfile: string;
  /** A plugin's repo, credentials redacted, and its ref. */
  repo?: string;
  ref?: string;
  runCondition: 'pass' | 'fail' | 'always';
  /** `once (already ran)`, `once (will run)`, or `once` when the engines were not asked; absent: always. */
  runPolicy?: string;
  timeoutMs?: number;
  retries: number;
  environmentKeys: string[];
  envFile?: string;
}

/** One hook list of a dry run: its steps in order (a concurrent group is one step) and the regions it runs in. */
export interface PlannedListRun {
  list: string;
  environment?: string;
  /** Empty when the list runs once, without a region. */
  regions: string[];
  /** A phase body (what pack/provision/... itself does) instead of a hook list. */
  note?: string;
  steps: { concurrent: boolean; hooks: PlannedHook[] }[];
}

export interface RunPlan {
  service: string;
  lists: PlannedListRun[];
}

export type EmitEvent = (event: PorterEvent) => void;
