/** Everything porter reports flows as these events; renderers (terminal, JSON lines, JUnit) consume them. */

export type HookStatus = 'passed' | 'failed' | 'skipped' | 'timed-out' | 'cancelled';
export type ListStatus = 'passed' | 'failed';

/** The outcome of one hook run: a failure is data, not an exception. */
export interface HookResult {
  list: string;
  hook: string;
  region?: string;
  status: HookStatus;
  /** Where it stopped, for failures. */
  stage?: 'clone' | 'build' | 'run';
  exitCode?: number;
  /** One paragraph on why it failed, when the exit code alone does not say (build, clone, timeout). */
  message?: string;
  /** Last lines of its output (masked), for the failure summary. */
  tail: string[];
  durationMs: number;
  attempts: number;
}

export type PorterEvent =
  | { type: 'phase-start'; phase: string; environment?: string }
  | { type: 'phase-end'; phase: string; environment?: string; status: ListStatus; durationMs: number }
  | { type: 'hook-start'; list: string; hook: string; region?: string; attempt: number }
  | { type: 'hook-log'; list: string; hook: string; region?: string; stream: 'stdout' | 'stderr'; line: string }
  | { type: 'build-progress'; list: string; hook: string; region?: string; step: number; total: number }
  | { type: 'hook-end'; result: HookResult }
  | { type: 'message'; level: 'info' | 'warn'; text: string }
  | { type: 'run-end'; exitCode: number; durationMs: number };

export type EmitEvent = (event: PorterEvent) => void;
