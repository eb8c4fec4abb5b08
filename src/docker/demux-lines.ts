/** A container's multiplexed attach stream, cut into stdout and stderr lines as it arrives. */
import { Writable, type Readable } from 'node:stream';
import type { LineSplitter } from './line-splitter.js';

/** docker-modem's `demuxStream`, passed in so this module needs no dockerode import. */
export type DemuxStream = (stream: Readable, stdout: Writable, stderr: Writable) => void;

// A Writable that hands each chunk to the splitter synchronously: nothing queues, so output never piles up here.
function lineSink(split: LineSplitter, afterWrite: () => void): Writable {
  return new Writable({
    write(chunk: Buffer, _encoding, done) {
      try {
        split.write(chunk);
        afterWrite();
        done();
      } catch (err) {
        done(err as Error);
      }
    },
  });
}

/** Asked after each chunk: a promise means "stop reading until it resolves" (whoever shows the lines is behind). */
export type OutputReady = () => Promise<void> | undefined;

/**
 * Demultiplexes `stream` into the two splitters. Resolves when the engine ends the stream (after the container
 * exited and its output was copied); rejects if it breaks or a sink throws. Does not flush the splitters.
 * With `ready`, reading pauses while the lines' reader is behind: the container then waits on its own
 * writes, instead of porter holding its output in memory.
 */
export function demuxLines(demux: DemuxStream, stream: Readable, stdout: LineSplitter, stderr: LineSplitter, ready?: OutputReady): Promise<void> {
  return new Promise((resolve, reject) => {
    let paused = false;
    const throttle = (): void => {
      const wait = paused ? undefined : ready?.();
      if (!wait) return;
      paused = true;
      stream.pause();
      void wait.then(() => {
        paused = false;
        stream.resume();
      });
    };
    const out = lineSink(stdout, throttle);
    const err = lineSink(stderr, throttle);
    out.on('error', (e) => stream.destroy(e));
    err.on('error', (e) => stream.destroy(e));
    stream.on('error', reject);
    stream.on('end', resolve);
    // Closed without an end: destroyed by porter (abort) or cut by the engine.
    stream.on('close', () => reject(Object.assign(new Error('aborted'), { code: 'ECONNRESET' })));
    demux(stream, out, err);
  });
}
