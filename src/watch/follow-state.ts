import { rfc3339Nano } from '../docker/engine-events.js';
import type { FollowState } from './follow-engine.js';

/** What a watcher says when a region's engine goes away or comes back; nothing for the first open (the watcher announces itself). */
export function describeFollowState(region: string, host: string, s: FollowState): string | undefined {
  if (s.state === 'lost') return `Lost the engine of region ${region} at ${host}: ${s.reason.replace(/\.$/, '')}. Asking it again until it answers; the events of the outage are handled then.`;
  if (s.state === 'back') return `The engine of region ${region} at ${host} answers again${s.sinceNano !== undefined ? `; catching up on its events since ${rfc3339Nano(s.sinceNano)}` : ''}.`;
  return undefined;
}
