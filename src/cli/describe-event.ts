import type { WatchedEvent } from '../events.js';

const VERB: Record<string, string> = {
  die: 'exited', oom: 'ran out of memory', unhealthy: 'turned unhealthy', healthy: 'turned healthy',
  start: 'started', stop: 'was stopped', restart: 'was restarted',
};

/** An event in one line, as `porter watch` prints it: `web-1 exited with code 137 (stack 3fa2c1d-m1abc2de, region local)`. */
export function describeEvent(e: WatchedEvent): string {
  const verb = VERB[e.kind] ?? e.kind;
  const code = e.kind === 'die' && e.exitCode !== undefined ? ` with code ${e.exitCode}` : '';
  return `${e.container} ${verb}${code} (stack ${e.stack}, region ${e.region})`;
}
