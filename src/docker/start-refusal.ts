/**
 * Reading why a container could not start, from the engine's (and the OCI runtime's) own words. Docker answers
 * a typo in CMD, a script without its run bit or an unknown USER at create or start, before the container's
 * process exists; these are mistakes in the image or its config, not the engine failing.
 */

/** What kept a container's process from starting, as far as the engine's message tells. */
export type StartProblem =
  /** The command is not in the image (a typo, a file never copied in), or not on its PATH. */
  | { kind: 'not-found'; command?: string }
  /** The command exists but may not be executed (no run bit). */
  | { kind: 'not-executable'; command?: string }
  /** The kernel cannot run the file: a script without `#!`, a binary for another architecture. */
  | { kind: 'exec-format'; command?: string }
  /** The file exists but what its `#!` line names does not (often a CRLF line ending). Seen after start. */
  | { kind: 'interpreter-missing'; command: string }
  | { kind: 'unknown-user'; user?: string }
  /** The image has neither CMD nor ENTRYPOINT (a data-only image). */
  | { kind: 'no-command' }
  | { kind: 'workdir'; dir?: string }
  | { kind: 'device'; device?: string }
  | { kind: 'other' };

const quoted = (text: string | undefined): string | undefined => text?.replace(/^"|"$/g, '');

/** Classifies the message of a create/start refusal; `other` when it names none of the image's known mistakes. */
export function classifyStartRefusal(message: string): StartProblem {
  const m = message;
  let hit: RegExpExecArray | null;
  if (/no command specified/i.test(m)) return { kind: 'no-command' };
  if ((hit = /unable to find user ([^:]+):/i.exec(m))) return { kind: 'unknown-user', user: hit[1]?.trim() };
  if ((hit = /chdir to cwd \(("?[^)]*"?)\)/i.exec(m)) || /\bcwd\b.*\b(not a directory|no such file)/i.test(m)) {
    return { kind: 'workdir', ...(hit?.[1] ? { dir: quoted(hit[1]) } : {}) };
  }
  if ((hit = /error gathering device information[^"]*"([^"]+)"/i.exec(m)) || /\bdevice\b.*no such file or directory/i.test(m)) {
    return { kind: 'device', ...(hit?.[1] ? { device: hit[1] } : {}) };
  }
  // runc: exec: "/x": stat /x: no such file or directory | exec: "x": executable file not found in $PATH
  // runc: `exec: "/x": stat /x: no such file or directory`; crun: "executable file `/x` not found in $PATH: ..."
  const exec = /exec: "([^"]*)":? (.*)$/i.exec(m) ?? /exec (\/\S*): (.*)$/i.exec(m) ?? /executable file `([^`]+)` (not found.*)$/i.exec(m);
  const command = exec?.[1];
  const why = exec?.[2] ?? m;
  const withCommand = command ? { command } : {};
  if (/executable file not found|^not found|no such file or directory/i.test(why)) return { kind: 'not-found', ...withCommand };
  if (/exec format error/i.test(why)) return { kind: 'exec-format', ...withCommand };
  if (/permission denied/i.test(why)) return { kind: 'not-executable', ...withCommand };
  return { kind: 'other' };
}

/**
 * True when the engine's refusal to create or start a container comes from its image or config, so it is the
 * container's failure, not the engine's: any 4xx answer, or a 5xx whose words name one of those mistakes (moby
 * answers an unknown USER with 500). A missing image (404 at create) is not one: porter rebuilds it.
 */
export function isStartRefusal(status: number | undefined, message: string): boolean {
  if (status === undefined) return false;
  if (status >= 400 && status < 500) return true;
  return status >= 500 && classifyStartRefusal(message).kind !== 'other';
}

/**
 * The one line an OCI runtime writes when the process it was to exec could not be, after the container started
 * (older runc reports a missing `#!` interpreter this way, exit code 1): `exec /app/run.sh: no such file or
 * directory`. Undefined for any other line.
 */
export function execFailureLine(line: string): StartProblem | undefined {
  const hit = /^exec (\S+): (no such file or directory|exec format error|permission denied)$/.exec(line.trim());
  if (!hit?.[1]) return undefined;
  const command = hit[1];
  if (hit[2] === 'exec format error') return { kind: 'exec-format', command };
  if (hit[2] === 'permission denied') return { kind: 'not-executable', command };
  return { kind: 'interpreter-missing', command };
}

/** The exit code a shell gives the same mistake: 127 command not found, 126 found but not executable. */
export function shellExitCode(problem: StartProblem): number | undefined {
  if (problem.kind === 'not-found' || problem.kind === 'interpreter-missing') return 127;
  if (problem.kind === 'not-executable' || problem.kind === 'exec-format') return 126;
  return undefined;
}
