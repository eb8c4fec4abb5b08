import type { PorterEvent } from '../events.js';
import { jsonLine } from './json-events.js';
import { createTextRenderer } from './render-text.js';

export interface ReporterOptions {
  format: 'text' | 'json';
  color: boolean;
  quiet: boolean;
  githubActions: boolean;
  /** stdout is a terminal: enables the transient build progress line (text format only). */
  tty?: boolean;
  columns?: number;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  junit?: string;
  cwd?: string;
  /** The clock of the JSON lines' `time` field. */
  now?: () => Date;
}

export interface Reporter {
  emit(event: PorterEvent): void;
  /** Writes what is written at the end (the JUnit file); rejects with a PorterError when it cannot. */
  close(): Promise<void>;
}

/**
 * Fans events out to the chosen renderer and, with --junit, to the JUnit collector. In JSON format
 * stdout carries one JSON event a line and nothing else.
 */
export async function createReporter(opts: ReporterOptions): Promise<Reporter> {
  const sinks: Array<(e: PorterEvent) => void> = [];
  if (opts.format === 'json') {
    const now = opts.now ?? (() => new Date());
    sinks.push((e) => opts.stdout(jsonLine(e, now())));
  } else {
    sinks.push(createTextRenderer({
      write: opts.stdout, color: opts.color, quiet: opts.quiet, githubActions: opts.githubActions,
      progress: Boolean(opts.tty), ...(opts.columns ? { columns: opts.columns } : {}),
    }));
  }
  let close = async (): Promise<void> => undefined;
  if (opts.junit) {
    const { createJUnitCollector } = await import('./junit.js');
    const junit = createJUnitCollector(opts.junit, opts.cwd ?? '.');
    sinks.push(junit.emit);
    close = junit.write;
  }
  return { emit: (e) => sinks.forEach((s) => s(e)), close };
}

/**
 * Colours only for people at a terminal: not with --no-color, not when stdout is not a TTY, not when
 * NO_COLOR is set to anything but the empty string (no-color.org), never in JSON.
 */
export function useColor(o: { flag: boolean; tty: boolean; env: Readonly<Record<string, string | undefined>>; format: 'text' | 'json' }): boolean {
  return o.flag && o.tty && !o.env.NO_COLOR && o.format === 'text';
}
