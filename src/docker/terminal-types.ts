/** What `porter debug --shell` asks of an engine: a waiting container and the user's terminal (re-exported by engine.ts). */
import type { Readable, Writable } from 'node:stream';
import type { RunRequest } from './engine.js';

/** A container whose main process only waits, and an interactive shell in it on a terminal (`porter debug --shell`). */
export interface ShellRequest extends Pick<RunRequest, 'image' | 'env' | 'binds' | 'labels' | 'name' | 'workingDir' | 'network' | 'volumes' | 'putFiles'> {
  /** The program run twice: as the container's waiting main process (stdin open, never written) and as the terminal's shell. */
  shell: string;
  /** Leave the container running after the shell exits (for `docker exec`); otherwise it is removed. */
  keep?: boolean;
}

/** The user's terminal as a shell needs it: its keys in, the screen out, its size and when that changes. Raw mode is the caller's. */
export interface TerminalStreams {
  input: Readable;
  output: Writable;
  size(): { columns: number; rows: number };
  /** Calls `listener` after each change of size; returns the way to stop. */
  onResize(listener: () => void): () => void;
}
