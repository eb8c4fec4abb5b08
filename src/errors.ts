/** The documented exit codes: the only numbers `porter` ever exits with. */
export const ExitCode = {
  ok: 0,
  failed: 1,
  usage: 2,
  interrupted: 130,
} as const;
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/**
 * A mistake a user can make or a condition of their environment: the message is one
 * actionable paragraph and main.ts prints it without a stack trace.
 */
export class PorterError extends Error {
  readonly exitCode: ExitCodeValue;
  constructor(message: string, exitCode: ExitCodeValue, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.exitCode = exitCode;
  }
}

/** A bad flag, an unknown command or a reserved hook name given to `build hook`. */
export class UsageError extends PorterError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, ExitCode.usage, options);
  }
}

/** One problem found in a config file, with where it is. */
export interface ConfigProblem {
  file: string;
  line: number;
  /** Key path such as `hooks.post_pack[2].run_condition`; empty for the whole document. */
  path: string;
  message: string;
}

/** Formats a problem the way every porter message names a place: `file:line: key: message`. */
export function formatProblem(p: ConfigProblem): string {
  const where = p.line > 0 ? `${p.file}:${p.line}` : p.file;
  return p.path ? `${where}: ${p.path}: ${p.message}` : `${where}: ${p.message}`;
}

/** An invalid config: every problem found, all reported at once. */
export class ConfigError extends PorterError {
  readonly problems: readonly ConfigProblem[];
  constructor(problems: readonly ConfigProblem[], options?: { cause?: unknown }) {
    const head = problems.length === 1 ? 'The config has a problem' : `The config has ${problems.length} problems`;
    super(`${head}; fix ${problems.length === 1 ? 'it' : 'them'} and run again:\n${problems.map((p) => `  ${formatProblem(p)}`).join('\n')}`, ExitCode.usage, options);
    this.problems = problems;
  }
}

/** The Docker engine cannot be reached, or went away mid-run. */
export class EngineError extends PorterError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, ExitCode.usage, options);
  }
}

/** A phase cannot start because an earlier phase has not run (provision before pack...). */
export class StateError extends PorterError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, ExitCode.usage, options);
  }
}

/** Another porter held the environment's lock for longer than `--lock-timeout` (and kept renewing it). */
export class LockTimeoutError extends PorterError {
  constructor(message: string) {
    super(message, ExitCode.usage);
  }
}

/** The run was stopped by SIGINT or SIGTERM. */
export class InterruptedError extends PorterError {
  constructor(message = 'Interrupted: every container porter started was stopped and removed.') {
    super(message, ExitCode.interrupted);
  }
}

/** True when an abort came from the user's signal, whatever object the library rejected with. */
export function isAbort(err: unknown, signal?: AbortSignal): boolean {
  if (signal?.aborted) return true;
  return err instanceof Error && (err.name === 'AbortError' || (err as { code?: string }).code === 'ABORT_ERR');
}
