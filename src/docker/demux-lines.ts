/** A container's multiplexed attach stream, cut into stdout and stderr lines as it arrives. */
import { Writable, type Readable } from 'node:stream';
import type { LineSplitter } from './line-splitter.js';

/** docker-modem's `demuxStream`, passed in so this module needs no dockerode import. */
export type DemuxStream = (stream: Readable, stdout: Writable, stderr: Writable) => void;

// A Writable that hands each chunk to the splitter synchronously: nothing queues, so output never piles up here.
function lineSink(split: LineSplitter): Writable {
  return new Writable({
    write(chunk: Buffer, _encoding, done) {
      try {
        split.write(chunk);
        done();
      } catch (err) {
        done(err as Error);
      }
    },
  });
}

/**
 * Demultiplexes `stream` into the two splitters. Resolves when the engine ends the stream (after the container
 * exited and its output was copied); rejects if it breaks or a sink throws. Does not flush the splitters.
 */
export function demuxLines(demux: DemuxStream, stream: Readable, stdout: LineSplitter, stderr: LineSplitter): Promise<void> {
  return new Promise((resolve, reject) => {
    const out = lineSink(stdout);
    const err = lineSink(stderr);
    out.on('error', (e) => stream.destroy(e));
    err.on('error', (e) => stream.destroy(e));
    stream.on('error', reject);
    stream.on('end', resolve);
    // Closed without an end: destroyed by porter (abort) or cut by the engine.
    stream.on('close', () => reject(Object.assign(new Error('aborted'), { code: 'ECONNRESET' })));
    demux(stream, out, err);
  });
}
