import { ConfigError, ExitCode, InterruptedError, PorterError } from '../errors.js';
import type { PorterEvent } from '../events.js';
import type { CliIO } from './program.js';
import type { Reporter } from './reporter.js';

/** How a command ended: its exit code, and the error to print on stderr when it failed with one. */
export type RunOutcome = { code: number; failed: false } | { code: number; failed: true; error: unknown };

/** The `error` event of what ended a run: a PorterError's paragraph (and every config problem), or a bug's message. */
export function errorEvent(err: unknown): Extract<PorterEvent, { type: 'error' }> {
  if (err instanceof PorterError) {
    return { type: 'error', exitCode: err.exitCode, message: err.message, ...(err instanceof ConfigError ? { problems: [...err.problems] } : {}) };
  }
  return { type: 'error', exitCode: ExitCode.failed, message: `internal error (a bug in porter): ${err instanceof Error ? err.message : String(err)}` };
}

/**
 * Runs one command's action with its reporter, so every run ends the same way: an `error` event when
 * it failed with an error, the JUnit file written whatever happened, then `run-end` with the exit code, then the
 * HTML report (which shows that exit code).
 * In JSON format stdout belongs to the events: what an action writes to `io.stdout` becomes a message event.
 */
export async function reportRun(reporter: Reporter, io: CliIO, json: boolean, invoke: (io: CliIO) => Promise<number>): Promise<RunOutcome> {
  const started = Date.now();
  const runIo: CliIO = json ? { ...io, stdout: (text) => reporter.emit({ type: 'message', level: 'info', text: text.replace(/\n$/, '') }) } : io;
  let outcome: RunOutcome;
  try {
    const code = await invoke(runIo);
    if (io.signal.aborted) throw new InterruptedError();
    outcome = { code, failed: false };
  } catch (caught) {
    // Once the user interrupted, whatever a cancelled call rejected with (an AbortError) is the interrupt, not a bug.
    const error = io.signal.aborted && !(caught instanceof PorterError) ? new InterruptedError() : caught;
    outcome = { code: error instanceof PorterError ? error.exitCode : ExitCode.failed, failed: true, error };
    reporter.emit(errorEvent(error));
  }
  try {
    await reporter.close();
  } catch (err) {
    // The report could not be written: that is the run's error unless it already has one (then both are said).
    if (!outcome.failed) {
      outcome = { code: err instanceof PorterError ? err.exitCode : ExitCode.failed, failed: true, error: err };
      reporter.emit(errorEvent(err));
    } else {
      io.stderr(`porter: ${err instanceof Error ? err.message : String(err)}\n`);
    }
  }
  reporter.emit({ type: 'run-end', exitCode: outcome.code, durationMs: Date.now() - started });
  try {
    await reporter.finish();
  } catch (err) {
    // Its path was checked when the run started (a page saying "running" is there); run-end has said the exit code.
    io.stderr(`porter: ${err instanceof Error ? err.message : String(err)}\n`);
  }
  return outcome;
}
