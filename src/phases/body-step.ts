import type { RunContext } from '../context.js';
import type { HookResult } from '../events.js';
import { TailBuffer } from '../hooks/tail.js';

const TAIL_LINES = 20;

/** One reported piece of a phase body: its live lines and its summary entry, like a hook's. */
export interface BodyStep {
  /** A live line `[provision stack local] text`; kept for the failure summary too. */
  log(line: string, stream?: 'stdout' | 'stderr'): void;
  /** Reports the step passed; returns its result. */
  pass(): HookResult;
  /** Reports the step failed: one paragraph on why, and the lines to show under it (default: its last live lines). */
  fail(message: string, lines?: readonly string[]): HookResult;
  /** Reports the step did not finish because another part of the phase failed. */
  cancel(message: string): HookResult;
}

/**
 * Starts a reported step of a phase body: `list` is the phase (`provision`), `hook` what it works on (`stack`,
 * a container name). Its result appears in the summary and in --junit like a hook's, failures with their lines.
 */
export function startBodyStep(ctx: RunContext, phase: string, hook: string, region?: string): BodyStep {
  const started = ctx.now();
  const base = { list: phase, hook, ...(region ? { region } : {}) };
  const tail = new TailBuffer(TAIL_LINES);
  // A stack's containers see the src_env_file secrets: whatever they print is masked like a hook's lines.
  const mask = (line: string): string => ctx.secrets.mask(line);
  const end = (status: HookResult['status'], message?: string, lines?: readonly string[]): HookResult => {
    const shown = status === 'passed' ? [] : lines ? lines.map(mask) : tail.lines();
    const result: HookResult = {
      ...base, status, tail: shown, durationMs: ctx.now() - started, attempts: 1, ...(message ? { message: mask(message) } : {}),
    };
    ctx.emit({ type: 'hook-end', result });
    return result;
  };
  ctx.emit({ type: 'hook-start', ...base, attempt: 1 });
  return {
    log(raw, stream = 'stdout') {
      const line = mask(raw);
      tail.push(line);
      ctx.emit({ type: 'hook-log', ...base, stream, line });
    },
    pass: () => end('passed'),
    fail: (message, lines) => end('failed', message, lines),
    cancel: (message) => end('cancelled', message),
  };
}
