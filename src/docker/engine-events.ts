/** The engine's event stream, in porter's words: what `porter watch` follows (the DockerEngine port's followEvents). */

/** One container event of an engine. */
export interface EngineEvent {
  /** The engine's action: die, oom, start, stop, restart, `health_status: healthy`, `health_status: unhealthy`… */
  action: string;
  containerId: string;
  /** Its name on the engine, without the leading slash. */
  containerName: string;
  /** Its `porter.*` labels (the engine sends a container's labels with each of its events). */
  labels: Record<string, string>;
  /** die: the container's exit code. */
  exitCode?: number;
  /** When it happened, by the engine's clock, in nanoseconds since the epoch. */
  timeNano: bigint;
}

/** Which container events to follow, and from when. */
export interface EventFilter {
  /** Containers carrying every one of these labels (an empty value: carries the label). */
  labels: Record<string, string>;
  /** The engine's actions wanted: die, oom, health_status, start, stop, restart. */
  actions: string[];
  /** First the events the engine still holds from this time on (its clock), then new ones as they happen. */
  sinceNano?: bigint;
}

/** What followEvents calls: `open` once the engine accepted the subscription, `event` for each event in order. */
export interface EventHandlers {
  open?: () => void;
  event: (event: EngineEvent) => void;
}

const ACTION = /^[a-z_]+(: [a-z]+)?$/;

/**
 * One line of the engine's `/events` stream as an EngineEvent; undefined for anything else (not JSON, not a container
 * event). `timeNano` is read from the text itself: as a JSON number it would lose its last digits.
 */
export function parseEventLine(line: string): EngineEvent | undefined {
  let raw: { Type?: unknown; Action?: unknown; status?: unknown; id?: unknown; Actor?: { ID?: unknown; Attributes?: Record<string, unknown> } };
  try {
    raw = JSON.parse(line) as typeof raw;
  } catch {
    return undefined;
  }
  const action = typeof raw.Action === 'string' ? raw.Action : raw.status;
  const id = raw.Actor?.ID ?? raw.id;
  const nano = /"timeNano":\s*(\d+)/.exec(line)?.[1];
  if (raw.Type !== 'container' || typeof action !== 'string' || !ACTION.test(action) || typeof id !== 'string' || nano === undefined) return undefined;
  const attributes = raw.Actor?.Attributes ?? {};
  const labels: Record<string, string> = {};
  for (const [key, value] of Object.entries(attributes)) if (key.startsWith('porter.') && typeof value === 'string') labels[key] = value;
  const exit = attributes.exitCode;
  const exitCode = typeof exit === 'string' && /^-?\d+$/.test(exit) ? Number(exit) : undefined;
  const name = typeof attributes.name === 'string' ? attributes.name.replace(/^\//, '') : id.slice(0, 12);
  return { action, containerId: id, containerName: name, labels, ...(exitCode !== undefined ? { exitCode } : {}), timeNano: BigInt(nano) };
}

/** A time in nanoseconds as the engine's `since` parameter takes it: `seconds.nanoseconds`. */
export function sinceParameter(nano: bigint): string {
  return `${nano / 1_000_000_000n}.${(nano % 1_000_000_000n).toString().padStart(9, '0')}`;
}

/** A time in nanoseconds as RFC 3339 in UTC with all nine digits, as the engine writes times. */
export function rfc3339Nano(nano: bigint): string {
  const ms = Number(nano / 1_000_000n);
  const fraction = (nano % 1_000_000_000n).toString().padStart(9, '0');
  return `${new Date(ms).toISOString().slice(0, 19)}.${fraction}Z`;
}

/** An RFC 3339 time (up to nine fraction digits, `Z` or an offset) in nanoseconds since the epoch; undefined when it does not parse. */
export function parseRfc3339Nano(text: string): bigint | undefined {
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)$/.exec(text);
  const ms = m ? Date.parse(`${m[1]}${m[3]}`) : Number.NaN;
  if (!m || Number.isNaN(ms)) return undefined;
  return BigInt(ms) * 1_000_000n + BigInt((m[2] ?? '').padEnd(9, '0'));
}
