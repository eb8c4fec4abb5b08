import type { PorterEvent } from '../events.js';
import { toJsonEvent, type JsonEvent } from './json-events.js';
import { createTextRenderer } from './render-text.js';
import type { SectionOf } from './report-runs.js';

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
  /**
   * `--report FILE.html`, with the command line its page shows. `sectionOf` groups the page into sections, each with
   * its own timeline (`porter watch`: one per event run, from the key its events carry); without it, one section.
   */
  report?: { file: string; command: string; sectionOf?: SectionOf };
  cwd?: string;
  /** The clock of the JSON lines' `time` field. */
  now?: () => Date;
}

export interface Reporter {
  emit(event: PorterEvent): void;
  /** Writes what is written before the run-end event (the JUnit file); rejects with a PorterError when it cannot. */
  close(): Promise<void>;
  /** Writes what shows the run-end event too (the HTML report); rejects with a PorterError when it cannot. */
  finish(): Promise<void>;
}

/**
 * Fans events out to the chosen renderer and, with --junit and --report, to their collectors. In JSON format
 * stdout carries one JSON event a line and nothing else; the HTML report is built from those very JSON events
 * (with the same `time`), so the two always agree. Rejects with a UsageError when the report cannot be written.
 */
export async function createReporter(opts: ReporterOptions): Promise<Reporter> {
  const sinks: Array<(e: PorterEvent) => void> = [];
  const jsonSinks: Array<(e: JsonEvent) => void> = [];
  if (opts.format === 'json') {
    // JSON.stringify escapes newlines, so an event is always exactly one line.
    jsonSinks.push((e) => opts.stdout(`${JSON.stringify(e)}\n`));
  } else {
    sinks.push(createTextRenderer({
      write: opts.stdout, writeErr: opts.stderr, color: opts.color, quiet: opts.quiet, githubActions: opts.githubActions,
      progress: Boolean(opts.tty), ...(opts.columns ? { columns: opts.columns } : {}),
    }));
  }
  let close = async (): Promise<void> => undefined;
  let finish = async (): Promise<void> => undefined;
  if (opts.junit) {
    const { createJUnitCollector } = await import('./junit.js');
    const junit = createJUnitCollector(opts.junit, opts.cwd ?? '.');
    sinks.push(junit.emit);
    close = junit.write;
  }
  if (opts.report) {
    const { createHtmlReport } = await import('./html-report.js');
    const report = await createHtmlReport({ ...opts.report, cwd: opts.cwd ?? '.' });
    jsonSinks.push(report.emit);
    finish = report.write;
  }
  if (jsonSinks.length > 0) {
    const now = opts.now ?? (() => new Date());
    sinks.push((e) => {
      const json = toJsonEvent(e, now());
      for (const sink of jsonSinks) sink(json);
    });
  }
  return { emit: (e) => sinks.forEach((s) => s(e)), close, finish };
}

/**
 * Colours only for people at a terminal: not with --no-color, not when stdout is not a TTY, not when
 * NO_COLOR is set to anything but the empty string (no-color.org), never in JSON.
 */
export function useColor(o: { flag: boolean; tty: boolean; env: Readonly<Record<string, string | undefined>>; format: 'text' | 'json' }): boolean {
  return o.flag && o.tty && !o.env.NO_COLOR && o.format === 'text';
}
