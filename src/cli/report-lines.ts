/** A hook run's output lines as the run report keeps them: its first and last lines, the rest counted, within a budget. */

/** Lines kept from the start of a run's output, and from its end. */
export const HEAD_LINES = 100;
export const TAIL_LINES = 400;
/** Characters kept of one line; the rest is counted in a note at its end. */
export const MAX_LINE_CHARS = 2000;
/** Characters of output all runs together keep; past it, the lines of finished runs are dropped, passed ones first. */
export const DEFAULT_BUDGET_CHARS = 16_000_000;

/** A kept line: its first character says what it is (`o` stdout, `e` stderr, `n` a note of porter's), then its text. */
export type KeptLine = string;

/** What a run's lines look like to the page. */
export interface LinesView {
  head: KeptLine[];
  /** Lines between head and tail that were not kept. */
  omitted: number;
  tail: KeptLine[];
  /** True when the budget made the report drop this run's lines (counted in `omitted`). */
  dropped: boolean;
}

/**
 * The shared allowance of every run's kept characters. When it is exceeded, the lines of the oldest finished run
 * are dropped: runs that passed first, so the lines of failures stay longest. Running runs are never dropped; each
 * is bounded by its own caps (HEAD_LINES + TAIL_LINES lines of at most MAX_LINE_CHARS).
 */
export class LineBudget {
  private used = 0;
  private readonly passed: RunLines[] = [];
  private readonly others: RunLines[] = [];

  constructor(readonly maxChars = DEFAULT_BUDGET_CHARS) {}

  /** Adds (or, negative, returns) characters; drops finished runs' lines while over the allowance. */
  charge(chars: number): void {
    this.used += chars;
    while (this.used > this.maxChars) {
      const victim = this.passed.shift() ?? this.others.shift();
      if (!victim) return;
      victim.drop();
    }
  }

  /** A run ended: its lines may be dropped from now on. */
  finished(lines: RunLines, passed: boolean): void {
    (passed ? this.passed : this.others).push(lines);
    this.charge(0);
  }

  get usedChars(): number {
    return this.used;
  }
}

/** A copy that holds no reference to the (possibly 64 KiB) string it was cut from. */
const detached = (text: string): string => JSON.parse(JSON.stringify(text)) as string;

/** One run's kept lines: HEAD_LINES from the start, the last TAIL_LINES (a ring), the count of those in between. */
export class RunLines {
  private readonly head: KeptLine[] = [];
  private ring: KeptLine[] = [];
  private next = 0;
  private skipped = 0;
  private isDropped = false;

  constructor(private readonly budget: LineBudget) {}

  /** A line of the hook's output (already masked). */
  push(text: string, stderr: boolean): void {
    this.keep(`${stderr ? 'e' : 'o'}${cut(text)}`);
  }

  /** A line porter adds, such as where a retry's attempt begins. */
  note(text: string): void {
    this.keep(`n${text}`);
  }

  /** The run ended; `passed` runs give up their lines first when the budget is exceeded. */
  finish(passed: boolean): void {
    this.budget.finished(this, passed);
  }

  /** Called by the budget: forget every kept line, counting them as omitted. */
  drop(): void {
    if (this.isDropped) return;
    const kept = [...this.head, ...this.ring];
    this.skipped += kept.length;
    this.budget.charge(-kept.reduce((n, l) => n + l.length, 0));
    this.head.length = 0;
    this.ring = [];
    this.isDropped = true;
  }

  view(): LinesView {
    const tail = this.ring.length < TAIL_LINES ? this.ring : [...this.ring.slice(this.next), ...this.ring.slice(0, this.next)];
    return { head: this.head, omitted: this.skipped, tail, dropped: this.isDropped };
  }

  private keep(line: KeptLine): void {
    if (this.isDropped) {
      this.skipped += 1;
      return;
    }
    if (this.head.length < HEAD_LINES) {
      // Kept for good, so not as a slice of the chunk it came in.
      this.head.push(detached(line));
    } else if (this.ring.length < TAIL_LINES) {
      this.ring.push(line);
    } else {
      const old = this.ring[this.next] ?? '';
      this.ring[this.next] = line;
      this.next = (this.next + 1) % TAIL_LINES;
      this.skipped += 1;
      this.budget.charge(-old.length);
    }
    this.budget.charge(line.length);
  }
}

/** A line cut to MAX_LINE_CHARS (never inside a surrogate pair), with how much was left out. */
function cut(text: string): string {
  if (text.length <= MAX_LINE_CHARS) return text;
  const code = text.charCodeAt(MAX_LINE_CHARS - 1);
  const at = code >= 0xd800 && code <= 0xdbff ? MAX_LINE_CHARS - 1 : MAX_LINE_CHARS;
  return detached(`${text.slice(0, at)} … (${text.length - at} more characters)`);
}
