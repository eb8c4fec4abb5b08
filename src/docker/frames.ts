/** The engine's multiplexed stream format (attach and logs without a TTY): 8-byte headers, then payloads. */

/** One payload of the stream: 1 = stdout, 2 = stderr (0 = stdin, never sent to porter). */
export interface Frame {
  stream: number;
  payload: Buffer;
}

export interface FrameReader {
  /** Feeds bytes; returns every frame completed by them, in order. */
  push(chunk: Buffer): Frame[];
  /** Bytes of an incomplete frame still waiting for the rest. */
  pending(): number;
}

const HEADER = 8;

/**
 * Cuts the stream into frames as Docker's "stdcopy" writes them: `[stream, 0, 0, 0, size (uint32 BE)]`
 * then `size` bytes. Frames may arrive split across chunks or several to a chunk.
 */
export function createFrameReader(): FrameReader {
  let buffered: Buffer = Buffer.alloc(0);
  return {
    push(chunk) {
      buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
      const frames: Frame[] = [];
      while (buffered.length >= HEADER) {
        const size = buffered.readUInt32BE(4);
        if (buffered.length < HEADER + size) break;
        frames.push({ stream: buffered[0] ?? 1, payload: buffered.subarray(HEADER, HEADER + size) });
        buffered = buffered.subarray(HEADER + size);
      }
      return frames;
    },
    pending: () => buffered.length,
  };
}
