/** Reading the engine's HTTP answers the way docker-modem hands them over. */

/** The HTTP status of a failed engine request, when it got that far. */
export function answerStatus(err: unknown): number | undefined {
  const code = (err as { statusCode?: unknown } | undefined)?.statusCode;
  return typeof code === 'number' ? code : undefined;
}

/** The engine's own words: docker-modem wraps them as "(HTTP code 400) unexpected - <message> ". */
export function answerMessage(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return (/^\(HTTP code \d+\) [^-]*- ([\s\S]*)$/.exec(message)?.[1] ?? message).trim();
}

/** Port-binding refusals, as moby words them ("port is already allocated", "address already in use"). */
export function isPortTaken(message: string): boolean {
  return /port is already allocated|address already in use/i.test(message);
}

/** The first `error` of a JSON-lines progress stream (image load, pull), if any. */
export function progressError(text: string): string | undefined {
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      const event = JSON.parse(line) as { error?: unknown; errorDetail?: { message?: unknown } };
      const message = event.errorDetail?.message ?? event.error;
      if (typeof message === 'string' && message) return message;
    } catch {
      // Not JSON: the engine's progress is informative only.
    }
  }
  return undefined;
}
