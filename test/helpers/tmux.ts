/** A real terminal for tests of interactive commands: a tmux server of its own, keys sent, the screen read. */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from './temp-dirs.js';

export interface Terminal {
  /** Types `keys` (tmux key names: `Enter`, `C-c`, or literal text). */
  send(...keys: string[]): void;
  /** Types `text` exactly as written. */
  type(text: string): void;
  /** What the terminal shows now, trailing blank lines dropped. */
  screen(): string;
  /** Resolves with the screen once it matches `pattern`; fails with the screen after `timeoutMs`. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<string>;
  resize(columns: number, rows: number): void;
  /** Ends the tmux server, and with it whatever still runs in it. */
  close(): void;
}

/** Why tmux cannot be used here, or undefined when it can (scripts/setup-docker installs it on Debian). */
export function tmuxMissing(): string | undefined {
  const found = spawnSync('tmux', ['-V'], { encoding: 'utf8' });
  return found.status === 0 ? undefined : 'tmux is not installed (scripts/setup-docker installs it: apt-get install tmux)';
}

/**
 * Starts `command` (a shell command line) in a new tmux server whose socket is in a test temp dir (tmux leaves
 * it behind otherwise), in a terminal of `columns` x `rows`, with exactly `env` as its environment. After the
 * command ends the pane stays, showing `exit=<code>`.
 */
export async function openTerminal(command: string, env: Record<string, string>, columns = 100, rows = 30): Promise<Terminal> {
  const socket = join(await tempDir('porter-tmux-test-'), 'socket');
  const tmux = (...args: string[]): string => execFileSync('tmux', ['-S', socket, '-f', '/dev/null', ...args], { encoding: 'utf8', env: { ...env, TERM: 'xterm-256color' } });
  tmux('new-session', '-d', '-s', 'main', '-x', String(columns), '-y', String(rows), `${command}; echo "exit=$?"; sleep 3600`);
  const screen = (): string => tmux('capture-pane', '-p', '-J', '-t', 'main').replace(/\n+$/, '');
  return {
    send: (...keys) => void tmux('send-keys', '-t', 'main', ...keys),
    type: (text) => void tmux('send-keys', '-t', 'main', '-l', text),
    screen,
    async waitFor(pattern, timeoutMs = 60_000) {
      const until = Date.now() + timeoutMs;
      for (;;) {
        const now = screen();
        if (pattern.test(now)) return now;
        if (Date.now() > until) assert.fail(`the terminal showed nothing matching ${pattern} within ${timeoutMs} ms:\n${now}`);
        await new Promise((r) => setTimeout(r, 200));
      }
    },
    resize: (c, r) => void tmux('resize-window', '-t', 'main', '-x', String(c), '-y', String(r)),
    close: () => {
      spawnSync('tmux', ['-S', socket, 'kill-server']);
      rmSync(socket, { force: true });
    },
  };
}
