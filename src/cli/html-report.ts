import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { once } from 'node:events';
import { dirname, resolve } from 'node:path';
import { UsageError } from '../errors.js';
import type { JsonEvent } from './json-events.js';
import { renderReport, type ReportEnd } from './report-html.js';
import { LineBudget } from './report-lines.js';
import { createReportModel, type SectionOf } from './report-runs.js';

export interface HtmlReportOptions {
  /** The --report path, relative to `cwd` (the service repo) when not absolute. */
  file: string;
  cwd: string;
  /** The command line, shown at the top. */
  command: string;
  sectionOf?: SectionOf;
  budget?: LineBudget;
  now?: () => number;
}

export interface HtmlReport {
  /** One event, as `--log-format json` prints it. */
  emit(event: JsonEvent): void;
  /** Writes the page (after the run-end event, whose exit code it shows); rejects with a UsageError when it cannot. */
  write(): Promise<void>;
}

/** Writes the pieces to `path` through a temporary file, so a reader never sees half a page. */
async function writePieces(path: string, pieces: Iterable<string>): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`;
  const out = createWriteStream(tmp);
  const failed = once(out, 'error').then(([err]) => Promise.reject(err as Error));
  failed.catch(() => undefined);
  try {
    for (const piece of pieces) {
      if (!out.write(piece)) await Promise.race([once(out, 'drain'), failed]);
    }
    out.end();
    await Promise.race([once(out, 'finish'), failed]);
    await rename(tmp, path);
  } catch (err) {
    out.destroy();
    await rm(tmp, { force: true });
    throw err;
  }
}

const cannotWrite = (file: string, path: string, err: unknown): UsageError =>
  new UsageError(`--report ${file}: cannot write the HTML report to ${path} (${(err as NodeJS.ErrnoException).code ?? String(err)}). Name a file in a writable directory.`, { cause: err });

/**
 * The `--report FILE.html` renderer: fed the same events as `--log-format json`, it writes a page saying "running"
 * at once (so a bad path is a usage error before anything runs, and a porter killed outright leaves a page that says
 * it did not finish), then the whole report once the run ended, however it ended.
 */
export async function createHtmlReport(opts: HtmlReportOptions): Promise<HtmlReport> {
  const path = resolve(opts.cwd, opts.file);
  const now = opts.now ?? Date.now;
  const { model, add } = createReportModel(opts.budget ?? new LineBudget(), opts.sectionOf);
  const end: ReportEnd = { command: opts.command };
  try {
    await mkdir(dirname(path), { recursive: true });
    await writePieces(path, renderReport(model, end, now()));
  } catch (err) {
    throw cannotWrite(opts.file, path, err);
  }
  return {
    emit: (event) => {
      add(event);
      if (event.type === 'run-end') {
        if (typeof event.exitCode === 'number') end.exitCode = event.exitCode;
        if (typeof event.durationMs === 'number') end.durationMs = event.durationMs;
      }
    },
    write: async () => {
      try {
        await writePieces(path, renderReport(model, end, now()));
      } catch (err) {
        throw cannotWrite(opts.file, path, err);
      }
    },
  };
}
