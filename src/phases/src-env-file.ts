import { execFile } from 'node:child_process';
import { parse as parseDotenv } from 'dotenv';
import type { ContainerConfig, EnvironmentConfig, SrcEnvFile } from '../config/types.js';
import type { RunContext } from '../context.js';
import { UsageError } from '../errors.js';

const EXEC_TIMEOUT_MS = 60_000;
const MAX_OUTPUT_BYTES = 1024 * 1024;
const STDERR_LINES = 5;

/** The environment each container's `src_env_file` program gave, as `KEY=value` entries, by container name. */
export type SrcEnv = ReadonlyMap<string, string[]>;

/**
 * Runs every `src_env_file` program of the environment's containers (each distinct one once) on porter's host, in
 * the repo root, before anything of the phase starts. Its values become secrets of the command (masked in every
 * line from then on); they live only in memory and in the containers' environment. A program that cannot start,
 * fails, or prints a line that is not `KEY=value`: a UsageError (exit 2) naming the program and the line number.
 */
export async function runSrcEnvFiles(ctx: RunContext, env: EnvironmentConfig): Promise<SrcEnv> {
  const containers = new Map<string, ContainerConfig>();
  for (const c of env.regions.flatMap((r) => r.containers)) if (c.srcEnvFile) containers.set(c.name, c);
  const byProgram = new Map<string, Promise<Record<string, string>>>();
  const out = new Map<string, string[]>();
  for (const [name, c] of containers) {
    const spec = c.srcEnvFile as SrcEnvFile;
    const key = JSON.stringify([spec.execName, ...spec.execArgs]);
    let values = byProgram.get(key);
    if (!values) {
      values = runOne(ctx, spec, name);
      byProgram.set(key, values);
    }
    out.set(name, Object.entries(await values).map(([k, v]) => `${k}=${v}`));
  }
  return out;
}

async function runOne(ctx: RunContext, spec: SrcEnvFile, container: string): Promise<Record<string, string>> {
  const what = `src_env_file of container ${container} (${ctx.config.file}:${spec.line}: ${[spec.execName, ...spec.execArgs].join(' ')})`;
  const { stdout, stderr, failure } = await new Promise<{ stdout: string; stderr: string; failure?: string }>((resolve) => {
    execFile(spec.execName, spec.execArgs, {
      cwd: ctx.repoDir, env: { ...ctx.hostEnv }, timeout: EXEC_TIMEOUT_MS, maxBuffer: MAX_OUTPUT_BYTES, signal: ctx.signal, encoding: 'utf8',
    }, (err, out, errOut) => {
      if (!err) return resolve({ stdout: out, stderr: errOut });
      const e = err as NodeJS.ErrnoException & { code?: string | number; killed?: boolean; signal?: string };
      const why = e.code === 'ENOENT' ? 'the program was not found'
        : e.code === 'ERR_CHILD_PROCESS_STDIO_MAXBUFFER' ? `it printed more than ${MAX_OUTPUT_BYTES} bytes`
        : e.killed ? `it did not finish within ${EXEC_TIMEOUT_MS / 1000} s` : typeof e.code === 'number' ? `it exited with code ${e.code}` : e.message;
      resolve({ stdout: out, stderr: errOut, failure: why });
    });
  });
  if (ctx.signal.aborted) throw ctx.signal.reason instanceof Error ? ctx.signal.reason : new Error('aborted');
  const bad = malformedLine(stdout);
  // What the program printed is secret: only the values that parsed are known, so its stderr is masked with them.
  const values = parseDotenv(stdout);
  ctx.secrets.add(Object.values(values));
  if (failure) {
    const tail = stderr.split(/\r?\n/).filter((l) => l.trim()).slice(-STDERR_LINES).map((l) => `  ${ctx.secrets.mask(l)}`);
    throw new UsageError(`The ${what} failed: ${failure}. Nothing was started.${tail.length ? ` Its last lines on stderr:\n${tail.join('\n')}` : ''}`);
  }
  if (bad !== undefined) {
    throw new UsageError(`The ${what} printed a malformed line ${bad} (not KEY=value; its text is not shown, the values are secrets). Nothing was started.`);
  }
  return values;
}

const ASSIGNMENT = /^\s*(?:export\s+)?[\w.-]+(?:\s*=|:\s)(.*)$/;

/**
 * The number (from 1) of the first line of an env file that dotenv would silently skip: neither blank, a comment
 * nor `KEY=value` (a quoted value may run over several lines). Undefined when every line is good.
 */
export function malformedLine(text: string): number | undefined {
  const lines = text.split(/\r?\n/);
  let open: string | undefined;
  let openedAt = 0;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (open) {
      if (closes(line, open)) open = undefined;
      continue;
    }
    if (line.trim() === '' || line.trimStart().startsWith('#')) continue;
    const m = ASSIGNMENT.exec(line);
    if (!m) return i + 1;
    const value = (m[1] ?? '').trimStart();
    const quote = value[0];
    if ((quote === '"' || quote === "'" || quote === '`') && !closes(value.slice(1), quote)) {
      open = quote;
      openedAt = i + 1;
    }
  }
  return open ? openedAt : undefined;
}

function closes(text: string, quote: string): boolean {
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === quote) return true;
  }
  return false;
}
