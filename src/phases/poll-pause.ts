/**
 * The pause after the `check`-th check (from 0) of something porter waits for: short at first, since a service
 * often gets there within milliseconds and every pause after that is time the deploy waits for nothing; doubling
 * from 20 ms up to `steadyMs`, then every `steadyMs`.
 */
export function pollPause(check: number, steadyMs: number): number {
  return Math.min(20 * 2 ** Math.min(check, 16), steadyMs);
}
