/** Bytes in, whole lines out: what container output and build events are cut into. */
import { StringDecoder } from 'node:string_decoder';

/** Longest line delivered in one piece (UTF-16 units); longer ones arrive in pieces so memory stays bounded. */
export const maxLineLength = 64 * 1024;

export interface LineSplitter {
  /** Feeds bytes (or text); complete lines go to the sink synchronously. */
  write(chunk: Buffer | string): void;
  /** Delivers whatever is pending as a last line, even without a trailing newline. */
  end(): void;
}

function cutAt(text: string, limit: number): number {
  // Never split a surrogate pair: the piece would end in half a character.
  const code = text.charCodeAt(limit - 1);
  return code >= 0xd800 && code <= 0xdbff && limit > 1 ? limit - 1 : limit;
}

/**
 * Splits UTF-8 bytes on `\n` (dropping a `\r` before it), decoding across chunk boundaries;
 * invalid bytes become U+FFFD instead of throwing. `partial` is true for each piece of an over-long
 * line but its last: more of the same line follows.
 */
export function createLineSplitter(onLine: (line: string, partial: boolean) => void, limit = maxLineLength): LineSplitter {
  const decoder = new StringDecoder('utf8');
  let pending = '';
  let ended = false;

  // A line longer than the limit goes out in pieces; only its last piece loses a trailing `\r`.
  const emit = (line: string): void => {
    let rest = line;
    while (rest.length > limit) {
      const cut = cutAt(rest, limit);
      onLine(rest.slice(0, cut), true);
      rest = rest.slice(cut);
    }
    onLine(rest.endsWith('\r') ? rest.slice(0, -1) : rest, false);
  };

  const drain = (text: string): void => {
    let start = 0;
    for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', start)) {
      emit(text.slice(start, nl));
      start = nl + 1;
    }
    pending = text.slice(start);
    while (pending.length > limit) {
      const cut = cutAt(pending, limit);
      onLine(pending.slice(0, cut), true);
      pending = pending.slice(cut);
    }
  };

  return {
    write(chunk) {
      if (ended) return;
      drain(pending + (typeof chunk === 'string' ? chunk : decoder.write(chunk)));
    },
    end() {
      if (ended) return;
      ended = true;
      const rest = pending + decoder.end();
      pending = '';
      if (rest.length > 0) emit(rest);
    },
  };
}
