import type { PorterEvent } from '../events.js';
import { createTextRenderer } from './render-text.js';

export interface ReporterOptions {
  format: 'text' | 'json';
  color: boolean;
  quiet: boolean;
  githubActions: boolean;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  junit?: string;
  cwd?: string;
}

export interface Reporter {
  emit(event: PorterEvent): void;
  /** Writes what is written at the end (the JUnit file). */
  close(): Promise<void>;
}

/** Fans events out to the chosen renderer and, with --junit, to the JUnit collector. */
export async function createReporter(opts: ReporterOptions): Promise<Reporter> {
  const sinks: Array<(e: PorterEvent) => void> = [];
  if (opts.format === 'json') {
    sinks.push((e) => opts.stdout(`${JSON.stringify({ time: new Date().toISOString(), ...e })}\n`));
  } else {
    sinks.push(createTextRenderer({ write: opts.stdout, color: opts.color, quiet: opts.quiet, githubActions: opts.githubActions }));
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
