interface Entry<T> {
  promise: Promise<T>;
  controller: AbortController;
  waiting: number;
  settled: boolean;
}

/**
 * One run of a task per key for every caller, its result (or failure) kept for later callers. Each caller
 * waits under its own signal; the task itself is aborted only when every caller still waiting has given
 * up, so a hook that times out does not cancel the clone a sibling hook is waiting for; that last caller's
 * rejection waits until the task has wound down. An aborted task is forgotten, so the next caller starts afresh.
 */
export class SharedTasks<T> {
  private readonly entries = new Map<string, Entry<T>>();

  /** The result of the task for `key`, starting it with `start` unless it already runs or ran. */
  run(key: string, signal: AbortSignal, start: (signal: AbortSignal) => Promise<T>): Promise<T> {
    if (signal.aborted) return Promise.reject(signal.reason);
    let entry = this.entries.get(key);
    if (!entry || entry.controller.signal.aborted) {
      const controller = new AbortController();
      const created: Entry<T> = { controller, waiting: 0, settled: false, promise: Promise.resolve().then(() => start(controller.signal)) };
      created.promise.then(
        () => { created.settled = true; },
        () => {
          created.settled = true;
          if (controller.signal.aborted && this.entries.get(key) === created) this.entries.delete(key);
        },
      );
      this.entries.set(key, created);
      entry = created;
    }
    return this.wait(entry, signal);
  }

  private wait(entry: Entry<T>, signal: AbortSignal): Promise<T> {
    entry.waiting++;
    return new Promise<T>((resolve, reject) => {
      let done = false;
      const finish = (): boolean => {
        if (done) return false;
        done = true;
        entry.waiting--;
        signal.removeEventListener('abort', onAbort);
        return true;
      };
      const onAbort = (): void => {
        if (!finish()) return;
        if (entry.waiting > 0 || entry.settled) {
          reject(signal.reason);
          return;
        }
        // The last caller gave up: stop the task, and answer once it has cleaned up (killed git, released its lock).
        entry.controller.abort(signal.reason);
        entry.promise.then(() => reject(signal.reason), () => reject(signal.reason));
      };
      signal.addEventListener('abort', onAbort, { once: true });
      entry.promise.then(
        (value) => { if (finish()) resolve(value); },
        (err: unknown) => { if (finish()) reject(err); },
      );
    });
  }
}
