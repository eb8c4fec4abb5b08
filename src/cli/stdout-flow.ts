/** Keeping porter's memory flat when whoever reads its stdout is slower than the hooks write. */
import type { Writable } from 'node:stream';

/** How much may wait to be written to stdout before porter stops reading hook output: a few seconds of a busy log. */
export const MAX_QUEUED_BYTES = 1024 * 1024;

/**
 * The `outputReady` of a stream that queues what its reader has not taken yet (a pipe): undefined while less than
 * `max` bytes wait, else one shared promise that resolves once the stream drained, or closed (a reader that left
 * never drains it). Streams written synchronously (files, terminals) never wait.
 */
export function whenDrained(stream: Writable, max = MAX_QUEUED_BYTES): () => Promise<void> | undefined {
  let waiting: Promise<void> | undefined;
  return () => {
    if (waiting || stream.destroyed || stream.writableLength < max) return waiting;
    waiting = new Promise<void>((resolve) => {
      const done = (): void => {
        stream.off('drain', done).off('close', done).off('error', done);
        waiting = undefined;
        resolve();
      };
      stream.on('drain', done).on('close', done).on('error', done);
    });
    return waiting;
  };
}
