/** One timed child process: wall time from spawn to exit, and its peak RSS as the kernel counted it. */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';

export interface Command {
  /** argv[0] is the program (e.g. process.execPath). */
  argv: string[];
  env: Record<string, string>;
  cwd?: string;
}

export interface Sample {
  ms: number;
  /** Peak resident set size in MB (GNU time's %M: the child's, or its largest waited-for descendant's). */
  rssMb: number | undefined;
  code: number | null;
  output: string;
}

const GNU_TIME = '/usr/bin/time';

/** True when GNU time is there to report peak RSS; without it samples carry no RSS. */
export const canMeasureRss = existsSync(GNU_TIME);

/**
 * Runs `cmd` under `/usr/bin/time -f %M -o <file>`: both porter and its floor go through the same wrapper, so
 * its few hundred microseconds are on both sides. Output is captured (not shown) for the failure message.
 */
export async function measure(cmd: Command, scratch: string): Promise<Sample> {
  const rssFile = join(scratch, `rss-${process.pid}-${Math.random().toString(36).slice(2)}`);
  const argv = canMeasureRss ? [GNU_TIME, '-f', '%M', '-o', rssFile, ...cmd.argv] : cmd.argv;
  const started = performance.now();
  const child = spawn(argv[0] ?? '', argv.slice(1), { env: cmd.env, cwd: cmd.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  const chunks: Buffer[] = [];
  child.stdout.on('data', (c: Buffer) => chunks.push(c));
  child.stderr.on('data', (c: Buffer) => chunks.push(c));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (c) => resolve(c));
  });
  const ms = performance.now() - started;
  let rssMb: number | undefined;
  if (canMeasureRss) {
    const text = await readFile(rssFile, 'utf8').catch(() => '');
    const kb = Number(text.trim().split('\n').at(-1));
    rssMb = Number.isFinite(kb) && kb > 0 ? kb / 1024 : undefined;
    await rm(rssFile, { force: true });
  }
  return { ms, rssMb, code, output: Buffer.concat(chunks).toString('utf8') };
}

/** The middle value (mean of the two middle ones for an even count). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  if (sorted.length === 0) return NaN;
  return sorted.length % 2 ? (sorted[mid] ?? NaN) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}
