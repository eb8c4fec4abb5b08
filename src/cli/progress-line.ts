/** Output for a terminal that may show one transient status line below the real ones. */
export interface ProgressTerminal {
  /** Writes whole lines; a status line being shown is cleared first and redrawn after. */
  write(text: string): void;
  /** A build reached `step` of `total`. */
  progress(key: string, label: string, step: number, total: number): void;
  /** A build finished (or its hook began running): its part of the status line goes. */
  done(key: string): void;
  /** Clears the status line for good (the run ended). */
  finish(): void;
}

const CLEAR = '\r\u001b[K';

/**
 * A compact `building lint: step 3 of 7` line, redrawn in place with a carriage return and cleared
 * (erase-line) before every real line, so it never ends up in the scrollback. When `enabled` is false
 * (not a TTY, JSON, --quiet, GitHub Actions) only `write` does anything.
 */
export function createProgressTerminal(write: (text: string) => void, opts: { enabled: boolean; columns: number }): ProgressTerminal {
  const builds = new Map<string, { label: string; step: number; total: number }>();
  let shown = false;
  const clear = (): void => {
    if (shown) write(CLEAR);
    shown = false;
  };
  const draw = (): void => {
    if (builds.size === 0) return clear();
    const parts = [...builds.values()].map((b) => `${b.label}: step ${b.step} of ${b.total}`);
    write(`${CLEAR}${truncate(`building ${parts.join(' · ')}`, Math.max(opts.columns - 1, 10))}`);
    shown = true;
  };
  return {
    write: (text) => {
      clear();
      write(text);
      if (opts.enabled && builds.size > 0) draw();
    },
    progress: (key, label, step, total) => {
      if (!opts.enabled) return;
      builds.set(key, { label, step, total });
      draw();
    },
    done: (key) => {
      if (builds.delete(key) && opts.enabled) draw();
    },
    finish: () => {
      builds.clear();
      clear();
    },
  };
}

/** Cuts a line to `width` characters so the terminal never wraps it (a wrapped line cannot be cleared with \r). */
export function truncate(text: string, width: number): string {
  const chars = [...text];
  return chars.length <= width ? text : `${chars.slice(0, width - 1).join('')}…`;
}
