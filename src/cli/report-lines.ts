/** A hook run's output lines as the run report keeps them: its first and last lines, the rest counted, within a budget. */
import { LinePage } from './report-line-page.js';

/** Lines (and their bytes, as UTF-8) kept from the start of a run's output, and from its end. */
export const HEAD_LINES = 100;
export const HEAD_BYTES = 32 * 1024;
export const TAIL_LINES = 400;
export const TAIL_BYTES = 128 * 1024;
/** Characters kept of one line; the rest is counted in a note at its end. */
export const MAX_LINE_CHARS = 2000;
/** Bytes of output all runs together keep; past it, the lines of finished runs are dropped, passed ones first. */
export const DEFAULT_BUDGET_BYTES = 16 * 1024 * 1024;

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
 * The shared allowance of every run's kept bytes. When it is exceeded, the lines of the oldest finished run
 * are dropped: runs that passed first, so the lines of failures stay longest. Running runs are never dropped; each
 * is bounded by its own caps (HEAD_BYTES + TAIL_BYTES).
 */
export class LineBudget {
  private used = 0;
  private readonly passed: RunLines[] = [];
  private readonly others: RunLines[] = [];

  constructor(readonly maxBytes = DEFAULT_BUDGET_BYTES) {}

  /** Adds (or, negative, returns) bytes; drops finished runs' lines while over the allowance. */
  charge(bytes: number): void {
    this.used += bytes;
    while (this.used > this.maxBytes) {
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

  get usedBytes(): number {
    return this.used;
  }
}

/**
 * One run's kept lines: its first HEAD_LINES (at most HEAD_BYTES), at least its last TAIL_LINES / 2 (at most
 * TAIL_LINES, and TAIL_BYTES) and the count of those in between. The tail is two pages: when the newer one is full,
 * the older one's lines are counted as omitted and its buffer takes the next lines. Its memory is bounded while it
 * runs, whatever the hook writes, and the lines passing through make no garbage (see LinePage).
 */
export class RunLines {
  private readonly head = new LinePage(HEAD_BYTES, HEAD_LINES);
  private headDone = false;
  private readonly older = new LinePage(TAIL_BYTES / 2, TAIL_LINES / 2);
  private readonly newer = new LinePage(TAIL_BYTES / 2, TAIL_LINES / 2);
  private skipped = 0;
  private isDropped = false;

  constructor(private readonly budget: LineBudget) {}

  /** A line of the hook's output (already masked). */
  push(text: string, stderr: boolean): void {
    this.keep(stderr ? 'e' : 'o', cut(text));
  }

  /** A line porter adds, such as where a retry's attempt begins. */
  note(text: string): void {
    this.keep('n', text);
  }

  /** The run ended; `passed` runs give up their lines first when the budget is exceeded. */
  finish(passed: boolean): void {
    for (const page of [this.head, this.older, this.newer]) page.shrink();
    this.budget.finished(this, passed);
  }

  /** Called by the budget: forget every kept line, counting them as omitted. */
  drop(): void {
    if (this.isDropped) return;
    this.isDropped = true;
    for (const page of [this.head, this.older, this.newer]) {
      this.skipped += page.lineCount;
      this.budget.charge(-page.byteCount);
      page.clear();
      page.shrink();
    }
  }

  view(): LinesView {
    return { head: this.head.lines(), omitted: this.skipped, tail: [...this.older.lines(), ...this.newer.lines()], dropped: this.isDropped };
  }

  private keep(kind: string, text: string): void {
    if (this.isDropped) {
      this.skipped += 1;
      return;
    }
    const before = this.head.byteCount + this.older.byteCount + this.newer.byteCount;
    if (!this.headDone && !this.head.add(kind, text)) this.headDone = true;
    if (this.headDone && !this.newer.add(kind, text)) {
      this.skipped += this.older.lineCount;
      this.older.clear();
      this.older.swap(this.newer);
      this.newer.add(kind, text);
    }
    this.budget.charge(this.head.byteCount + this.older.byteCount + this.newer.byteCount - before);
  }
}

/** A line cut to MAX_LINE_CHARS (never inside a surrogate pair), with how much was left out. */
function cut(text: string): string {
  if (text.length <= MAX_LINE_CHARS) return text;
  const code = text.charCodeAt(MAX_LINE_CHARS - 1);
  const at = code >= 0xd800 && code <= 0xdbff ? MAX_LINE_CHARS - 1 : MAX_LINE_CHARS;
  return `${text.slice(0, at)} … (${text.length - at} more characters)`;
}
