/** The porter CLI spawned as a user runs it (`node --import tsx src/cli/main.ts`), never a stale dist/. */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const main = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));

/** Set in every spawned porter's environment: a hook must never see it. */
export const SENTINEL = { name: 'PORTER_TEST_SENTINEL', value: 'sentinel-must-not-leak-4f1c' } as const;

export interface PorterExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface PorterProcess {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves once stdout matches (rejects after `timeoutMs` or when porter exits first). */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<void>;
  exited: Promise<PorterExit>;
}

/**
 * A small, explicit environment: PATH, HOME, DOCKER_HOST when the tests use one, the sentinel, then
 * `env` (a value of `undefined` removes the variable).
 */
export function porterEnv(env: Record<string, string | undefined> = {}): Record<string, string> {
  const base: Record<string, string | undefined> = {
    PATH: process.env.PATH, HOME: process.env.HOME, DOCKER_HOST: process.env.DOCKER_HOST, [SENTINEL.name]: SENTINEL.value, ...env,
  };
  return Object.fromEntries(Object.entries(base).filter((e): e is [string, string] => e[1] !== undefined));
}

/** What only a bug in porter prints: its "internal error" line (any output format) or a stack trace on stderr. */
export function bugMarks(stdout: string, stderr: string): string | undefined {
  if (/internal error/.test(stdout + stderr)) return 'an "internal error"';
  if (/^\s+at .+[:(]/m.test(stderr)) return 'a stack trace';
  return undefined;
}

/** Starts `porter -C <repo> ...args` in the background. */
export function startPorter(repo: string, args: readonly string[], env: Record<string, string | undefined> = {}): PorterProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', main, '-C', repo, ...args], { cwd: root, env: porterEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  const watchers = new Set<() => void>();
  // Decoded as streams: a character split across two reads must not become two U+FFFD.
  child.stdout?.setEncoding('utf8');
  child.stderr?.setEncoding('utf8');
  child.stdout?.on('data', (text: string) => {
    out += text;
    for (const w of watchers) w();
  });
  child.stderr?.on('data', (text: string) => void (err += text));
  // Whatever a test makes porter do, a user must never see a bug's marks: every spawned run is checked.
  const exited = new Promise<PorterExit>((resolve, reject) => {
    child.on('close', (code, signal) => {
      for (const w of watchers) w();
      const bug = bugMarks(out, err);
      if (bug) reject(new Error(`porter printed ${bug} (exit ${code ?? signal}):\n--- stdout\n${out.slice(-4000)}\n--- stderr\n${err.slice(-4000)}`));
      else resolve({ code, signal, stdout: out, stderr: err });
    });
  });
  const waitFor = (pattern: RegExp, timeoutMs = 30_000): Promise<void> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => done(new Error(`porter printed nothing matching ${pattern} within ${timeoutMs} ms:\n${out}\n${err}`)), timeoutMs);
      const check = (): void => {
        if (pattern.test(out)) done();
        else if (child.exitCode !== null || child.signalCode !== null) done(new Error(`porter exited before printing ${pattern}:\n${out}\n${err}`));
      };
      const done = (e?: Error): void => {
        clearTimeout(timer);
        watchers.delete(check);
        if (e) reject(e);
        else resolve();
      };
      watchers.add(check);
      check();
    });
  return { child, stdout: () => out, stderr: () => err, waitFor, exited };
}

/** Runs `porter -C <repo> ...args` to its end. */
export function runPorter(repo: string, args: readonly string[], env: Record<string, string | undefined> = {}): Promise<PorterExit> {
  return startPorter(repo, args, env).exited;
}

/** The lines a hook printed, without their `[list hook]` prefix. */
export function hookLines(stdout: string, prefix: string): string[] {
  const head = `[${prefix}] `;
  return stdout.split('\n').filter((l) => l.startsWith(head)).map((l) => l.slice(head.length));
}

/** The summary's row for a hook: `status`, and the rest of the line (duration, exit code, attempts). */
export function summaryRow(stdout: string, name: string): { status: string; rest: string } | undefined {
  const summary = stdout.slice(stdout.lastIndexOf('\nSummary:\n'));
  for (const line of summary.split('\n')) {
    const m = /^ {2}(passed|failed|skipped|timed-out|cancelled)\s+(.*)$/.exec(line);
    if (m?.[2]?.startsWith(`${name}  `) || m?.[2] === name) return { status: m[1] ?? '', rest: m[2].slice(name.length).trim() };
  }
  return undefined;
}

/** The reason the summary gives under a failed (or timed-out) hook's row: its indented lines, trimmed; fails when there is no such row. */
export function failureText(stdout: string, title: string): string {
  const lines = stdout.slice(stdout.lastIndexOf('\nSummary:\n')).split('\n');
  const at = lines.findIndex((l) => /^ {2}(failed|timed-out)\s/.test(l) && l.includes(` ${title} `));
  if (at < 0) throw new Error(`no failed row for ${title} in:\n${stdout}`);
  const out: string[] = [];
  for (const line of lines.slice(at + 1)) {
    if (!line.startsWith('      ')) break;
    out.push(line.trim());
  }
  return out.join('\n');
}
