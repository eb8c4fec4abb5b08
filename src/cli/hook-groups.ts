/** Where a hook's output goes: opened when it starts, closed (with trailing lines such as `::error::`) when it ends. */
export interface HookOutput {
  open(key: string, title: string): void;
  line(key: string, text: string): void;
  close(key: string, trailer: readonly string[]): void;
  /** Writes whatever is still held (an interrupted run); nothing is lost. */
  flush(): void;
}

/** Lines go out as they come; the trailer after them. */
export function createPlainOutput(write: (text: string) => void): HookOutput {
  return {
    open: () => undefined,
    line: (_key, text) => write(text),
    close: (_key, trailer) => trailer.forEach(write),
    flush: () => undefined,
  };
}

interface Held {
  title: string;
  lines: string[];
  ended: boolean;
  trailer: readonly string[];
}

/**
 * GitHub Actions output: `::group::`/`::endgroup::` around each hook's lines. Groups cannot nest or
 * interleave, so one hook at a time owns the open group and streams live; hooks running beside it are
 * held and written, whole, in the order they started, when their turn comes.
 */
export function createGitHubGroups(write: (text: string) => void): HookOutput {
  const waiting = new Map<string, Held>();
  let current: string | undefined;

  const advance = (): void => {
    for (const [key, held] of waiting) {
      write(`::group::${held.title}\n`);
      held.lines.forEach(write);
      waiting.delete(key);
      if (!held.ended) {
        current = key;
        return;
      }
      write('::endgroup::\n');
      held.trailer.forEach(write);
    }
    current = undefined;
  };

  return {
    open: (key, title) => {
      waiting.set(key, { title: escapeData(title), lines: [], ended: false, trailer: [] });
      if (current === undefined) advance();
    },
    line: (key, text) => {
      const held = waiting.get(key);
      if (held) held.lines.push(text);
      else write(text);
    },
    close: (key, trailer) => {
      if (key === current) {
        write('::endgroup::\n');
        trailer.forEach(write);
        advance();
        return;
      }
      const held = waiting.get(key);
      if (held) Object.assign(held, { ended: true, trailer });
      else trailer.forEach(write);
    },
    flush: () => {
      if (current !== undefined) write('::endgroup::\n');
      current = undefined;
      for (const held of waiting.values()) held.ended = true;
      advance();
    },
  };
}

/** A workflow command's message ends at a newline: `%`, CR and LF are escaped as GitHub's docs say. */
export function escapeData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** A workflow command's property value (`title=`) also escapes `:` and `,`. */
export function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}
