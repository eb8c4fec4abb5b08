/** The classic builder's JSON event stream (POST /build), read without trusting docker-modem's verdict. */
import { createLineSplitter } from './line-splitter.js';

export type BuildEvent =
  | { type: 'output'; text: string }
  | { type: 'progress'; step: number; total: number }
  | { type: 'error'; message: string }
  | { type: 'image'; id: string };

export interface BuildProgress {
  step: number;
  total: number;
}

/** What a finished stream said: the image id (aux.ID), the short id of "Successfully built", or the error. */
export interface BuildOutcome {
  imageId?: string;
  builtShortId?: string;
  error?: string;
}

// Event JSON lines can carry a whole chunk of a RUN step's output, escaped; allow far more than a text line.
const maxEventLength = 16 * 1024 * 1024;

/** `Step 3/7 : RUN make` → {step: 3, total: 7}; anything else → undefined. */
export function parseStep(line: string): BuildProgress | undefined {
  const m = /^Step (\d+)\/(\d+) :/.exec(line);
  return m ? { step: Number(m[1]), total: Number(m[2]) } : undefined;
}

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

function statusText(event: Record<string, unknown>): string | undefined {
  const status = event.status;
  if (typeof status !== 'string') return undefined;
  // Pull progress bars tick many times a second; only their state changes are worth a line.
  const detail = record(event.progressDetail);
  if (detail && typeof detail.current === 'number') return undefined;
  return typeof event.id === 'string' && event.id ? `${event.id}: ${status}\n` : `${status}\n`;
}

/** One JSON line of the stream → what it means; a line that is not JSON is kept as output. */
export function parseBuildEvent(line: string): BuildEvent[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return line.trim() ? [{ type: 'output', text: `${line}\n` }] : [];
  }
  const event = record(parsed);
  if (!event) return [];
  const events: BuildEvent[] = [];
  const detail = record(event.errorDetail);
  const message = typeof detail?.message === 'string' && detail.message ? detail.message : event.error;
  if (typeof message === 'string' && message) events.push({ type: 'error', message: message.trim() });
  if (typeof event.stream === 'string' && event.stream) {
    events.push({ type: 'output', text: event.stream });
    const step = parseStep(event.stream);
    if (step) events.push({ type: 'progress', ...step });
  }
  const status = statusText(event);
  if (status) events.push({ type: 'output', text: status });
  const aux = record(event.aux);
  if (typeof aux?.ID === 'string' && aux.ID) events.push({ type: 'image', id: aux.ID });
  return events;
}

export interface BuildReader {
  /** Raw bytes of the response body, in any chunking. */
  write(chunk: Buffer | string): void;
  /** The stream ended: flush the last line and say how the build went. */
  end(): BuildOutcome;
  /** The container of the RUN step in progress, if any (to remove it when the build is cancelled). */
  runningContainer(): string | undefined;
}

/** Reads the event stream incrementally: builder output lines go to `onLine`, step changes to `onProgress`. */
export function createBuildReader(onLine: (line: string) => void, onProgress?: (p: BuildProgress) => void): BuildReader {
  const outcome: BuildOutcome = {};
  let running: string | undefined;
  const text = createLineSplitter((line) => {
    const built = /^Successfully built ([0-9a-f]{12,64})$/.exec(line);
    if (built?.[1]) outcome.builtShortId = built[1];
    const started = /^ ---> Running in ([0-9a-f]{12,64})$/.exec(line);
    if (started?.[1]) running = started[1];
    else if (line.startsWith('Removing intermediate container')) running = undefined;
    onLine(line);
  });
  const handle = (event: BuildEvent): void => {
    if (event.type === 'output') text.write(event.text);
    else if (event.type === 'progress') onProgress?.({ step: event.step, total: event.total });
    else if (event.type === 'error') outcome.error ??= event.message;
    else outcome.imageId = event.id;
  };
  const json = createLineSplitter((line) => {
    for (const event of parseBuildEvent(line)) handle(event);
  }, maxEventLength);
  return {
    write: (chunk) => json.write(chunk),
    end() {
      json.end();
      text.end();
      return { ...outcome };
    },
    runningContainer: () => running,
  };
}
