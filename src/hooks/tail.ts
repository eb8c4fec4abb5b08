/** Keeps the last N lines of a stream, for failure summaries, without keeping the stream. */
export class TailBuffer {
  private readonly buf: string[] = [];
  constructor(private readonly size: number) {}

  push(line: string): void {
    this.buf.push(line);
    if (this.buf.length > this.size) this.buf.shift();
  }

  lines(): string[] {
    return [...this.buf];
  }
}
