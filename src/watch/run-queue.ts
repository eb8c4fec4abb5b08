/**
 * The event runs of a watcher: queued in the order their events came, never dropped, at most `limit` at once, and one
 * at a time per key (a `once_per` container or stack). A waiting run whose key is busy does not hold back the runs
 * behind it that are free to go.
 */
export class RunQueue {
  readonly #limit: number;
  readonly #waiting: { key: string | undefined; job: () => Promise<void> }[] = [];
  readonly #busy = new Set<string>();
  #running = 0;
  #idle: (() => void)[] = [];

  constructor(limit: number) {
    this.#limit = limit;
  }

  /** Runs waiting for their turn. */
  get waiting(): number {
    return this.#waiting.length;
  }

  /** Runs going now. */
  get running(): number {
    return this.#running;
  }

  /** Queues `job` (which must not reject); it starts at once when there is room and its key is free. */
  add(key: string | undefined, job: () => Promise<void>): void {
    this.#waiting.push({ key, job });
    this.#next();
  }

  /** Resolves once nothing runs or waits. */
  drained(): Promise<void> {
    if (this.#running === 0 && this.#waiting.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  /** Forgets the runs that have not started (an interrupt); returns how many. Running ones go on to their end. */
  clear(): number {
    const dropped = this.#waiting.splice(0).length;
    this.#settle();
    return dropped;
  }

  #next(): void {
    for (let i = 0; i < this.#waiting.length && this.#running < this.#limit; ) {
      const item = this.#waiting[i];
      if (!item || (item.key !== undefined && this.#busy.has(item.key))) {
        i++;
        continue;
      }
      this.#waiting.splice(i, 1);
      this.#running += 1;
      if (item.key !== undefined) this.#busy.add(item.key);
      void item.job().finally(() => {
        this.#running -= 1;
        if (item.key !== undefined) this.#busy.delete(item.key);
        this.#next();
        this.#settle();
      });
    }
  }

  #settle(): void {
    if (this.#running > 0 || this.#waiting.length > 0) return;
    for (const resolve of this.#idle.splice(0)) resolve();
  }
}
