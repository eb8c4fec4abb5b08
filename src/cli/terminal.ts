import { isatty } from 'node:tty';
import type { InteractiveTerminal } from '../commands/debug-shell.js';

/**
 * porter's own terminal when stdin and stdout are both one (undefined for a pipe or a CI job). stdin is touched
 * only when a shell asks for it, so other commands never open it.
 */
export function processTerminal(): InteractiveTerminal | undefined {
  if (!isatty(0) || !isatty(1)) return undefined;
  const out = process.stdout;
  return {
    get input() {
      return process.stdin;
    },
    output: out,
    size: () => ({ columns: out.columns || 80, rows: out.rows || 24 }),
    onResize: (listener) => {
      out.on('resize', listener);
      return () => void out.off('resize', listener);
    },
    // Keys typed before the shell is ready wait in the paused stream: piping it to the shell starts the flow.
    setRaw: (on) => {
      process.stdin.setRawMode(on);
      if (!on) process.stdin.pause();
    },
  };
}
