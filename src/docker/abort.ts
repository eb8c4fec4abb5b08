/** One AbortError shape for every cancelled engine call, whatever the library rejected with. */

/** An Error named `AbortError` (code ABORT_ERR), carrying the signal's reason as `cause`; `isAbort` recognises it. */
export function abortError(signal: AbortSignal): Error {
  const err = new Error('The operation was aborted', { cause: signal.reason });
  err.name = 'AbortError';
  Object.assign(err, { code: 'ABORT_ERR' });
  return err;
}

/** Throws `abortError(signal)` when the signal has already fired. */
export function throwIfAborted(signal: AbortSignal): void {
  if (signal.aborted) throw abortError(signal);
}

export interface AbortWatch {
  /** Rejects with an AbortError when the signal fires; never resolves. Safe to leave unawaited. */
  readonly promise: Promise<never>;
  /** Stops listening to the signal. */
  dispose(): void;
}

/** A promise to race long waits against, so an abort is noticed even while a request is in flight. */
export function watchAbort(signal: AbortSignal): AbortWatch {
  let onAbort = (): void => {};
  const promise = new Promise<never>((_, reject) => {
    onAbort = () => reject(abortError(signal));
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
  promise.catch(() => {});
  return { promise, dispose: () => signal.removeEventListener('abort', onAbort) };
}
