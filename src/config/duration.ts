const PART = /([0-9]+(?:\.[0-9]+)?)(ms|h|m|s)/y;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** The longest duration porter accepts: Node's timers fire at once beyond 2^31-1 ms (about 24.8 days). */
export const MAX_DURATION_MS = 24 * 3_600_000;

/**
 * Milliseconds in a Go-style duration (`500ms`, `90s`, `10m`, `1h30m`, `1.5h`), or undefined
 * when the text is not one. A bare number has no unit and is not a duration.
 */
export function parseDuration(text: string): number | undefined {
  if (text.length === 0 || text.length > 64) return undefined;
  let total = 0;
  PART.lastIndex = 0;
  while (PART.lastIndex < text.length) {
    const m = PART.exec(text);
    if (!m) return undefined;
    total += Number(m[1]) * (UNIT_MS[m[2] ?? ''] ?? NaN);
  }
  return Number.isFinite(total) ? Math.round(total) : undefined;
}

/** Why a duration is unusable as a timeout (zero, or longer than 24h), or undefined when it is fine. */
export function durationProblem(text: string): string | undefined {
  const ms = parseDuration(text);
  if (ms === undefined) return `"${text}" is not a duration; write a number and a unit, such as 500ms, 90s, 10m or 1h30m.`;
  if (ms <= 0) return `"${text}" is zero; give a timeout longer than 0, or leave the key out.`;
  if (ms > MAX_DURATION_MS) return `"${text}" is longer than 24h, the longest timeout porter accepts.`;
  return undefined;
}
