/**
 * What to tell a hook author whose container could not start: which mistake it is and what to change. Pure;
 * the facts come from the engine's words (docker/start-refusal.ts) and, where it helps, the file itself.
 */
import type { ImageFile } from '../docker/engine.js';
import { shellExitCode, type StartProblem } from '../docker/start-refusal.js';

/** A start failure as the hook's result shows it: an exit code in the shell's convention where one fits. */
export interface StartExplanation {
  exitCode?: number;
  message: string;
}

/** Who failed to start, for the message: `post_pack notify`, built from `.porter/hooks/notify/Dockerfile`. */
export interface StartSubject {
  title: string;
  dockerfile: string;
  /** The image it ran from, e.g. `porter-hook-hello:3fa2c1d9e0b4`. */
  image?: string;
}

const octal = (mode: number): string => `0${(mode & 0o777).toString(8)}`;

/** The `#!` line of a script, without its line ending; undefined for anything else. */
function shebang(file: ImageFile | undefined): string | undefined {
  const head = file?.head.toString('latin1');
  if (!head?.startsWith('#!')) return undefined;
  return head.split('\n')[0];
}

function execFormatAdvice(command: string, file: ImageFile | undefined): string {
  if (file?.head.subarray(0, 4).equals(Buffer.from([0x7f, 0x45, 0x4c, 0x46]))) {
    return `${command} is a program built for another CPU architecture than the engine's. Build it for the engine's platform, or use a base image for it.`;
  }
  if (file && !shebang(file)) return `${command} is not a program the kernel can run: a script needs a #! line first (for example #!/bin/sh).`;
  return `${command} is not a program the kernel can run: a script without a #! line, or a binary for another CPU architecture.`;
}

function interpreterAdvice(command: string, file: ImageFile | undefined): string {
  const line = shebang(file);
  if (line?.endsWith('\r')) {
    return `${command} has Windows (CRLF) line endings: its first line asks for "${line.slice(2).trim()}\\r", which does not exist. ` +
      'Convert it to LF line endings (dos2unix, or a .gitattributes line such as "*.sh text eol=lf").';
  }
  if (line) return `${command} exists, but the interpreter its first line names (${line.slice(2).trim()}) is not in the image. Install it in the Dockerfile, or change the #! line.`;
  return `${command} exists, but what it needs to run (the interpreter of its #! line, or a shared library) is not in the image.`;
}

/** The advice for one problem: what is wrong, and the change that fixes it. */
function advice(problem: StartProblem, subject: StartSubject, file: ImageFile | undefined): string {
  const command = 'command' in problem && problem.command ? problem.command : 'its command';
  switch (problem.kind) {
    case 'not-found':
      return `${command} does not exist in the image. Check CMD and ENTRYPOINT in ${subject.dockerfile} for a typo, and that the file is copied into the image.`;
    case 'not-executable':
      return `${command} is not executable${file ? ` (mode ${octal(file.mode)})` : ''}: it has no run bit. Add "RUN chmod +x ${command}" to ${subject.dockerfile}, or set the bit in the repo (git update-index --chmod=+x FILE) and commit.`;
    case 'exec-format':
      return execFormatAdvice(command, file);
    case 'interpreter-missing':
      return interpreterAdvice(command, file);
    case 'unknown-user':
      return `its USER ${problem.user ?? ''} does not exist in the image ${subject.image ? `${subject.image} ` : ''}(built from ${subject.dockerfile}): add the user in the Dockerfile, or use a numeric uid such as USER 1000.`.replace('USER  ', 'USER ');
    case 'no-command':
      return `its image has no CMD or ENTRYPOINT, so there is nothing to run (a data-only image, FROM scratch with files?). Add a CMD to ${subject.dockerfile}.`;
    case 'workdir':
      return `its working directory${problem.dir ? ` ${problem.dir}` : ''} cannot be entered. Check WORKDIR in ${subject.dockerfile}.`;
    case 'device':
      return `a device it asks for${problem.device ? ` (${problem.device})` : ''} does not exist on the engine's host.`;
    case 'other':
      return `the engine refused it. Check ${subject.dockerfile}.`;
  }
}

/**
 * One paragraph for a hook whose process never ran: `<title> could not start: <what and the fix> (the engine
 * said: <its words>)`, with 127 (not found) or 126 (not executable) as its exit code, as a shell would.
 */
export function explainStartFailure(problem: StartProblem, subject: StartSubject, engineWords: string, file?: ImageFile): StartExplanation {
  const exitCode = shellExitCode(problem);
  const message = `${subject.title} could not start: ${advice(problem, subject, file)} (The engine said: ${engineWords.trim()})`;
  return { ...(exitCode !== undefined ? { exitCode } : {}), message };
}

/** The path to read from the image to explain `problem` better (the command's own file), if any. */
export function fileToInspect(problem: StartProblem): string | undefined {
  if (problem.kind === 'unknown-user' || problem.kind === 'no-command' || problem.kind === 'workdir' || problem.kind === 'device' || problem.kind === 'other') return undefined;
  return problem.command?.startsWith('/') ? problem.command : undefined;
}

/**
 * The problem in the light of the command's file: a "no such file or directory" for a file that is there means
 * its #! interpreter is missing (newer runtimes say so at start, older ones after it, in the same words).
 */
export function refineWithFile(problem: StartProblem, file: ImageFile | undefined): StartProblem {
  if (problem.kind === 'not-found' && problem.command && file?.type === 'file') return { kind: 'interpreter-missing', command: problem.command };
  return problem;
}
