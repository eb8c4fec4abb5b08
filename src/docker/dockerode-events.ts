/**
 * The engine's event stream over dockerode (part of the adapter: it only sees the client dockerode-engine.ts creates).
 */
import type { Readable } from 'node:stream';
import type Dockerode from 'dockerode';
import { EngineError } from '../errors.js';
import type { DockerEngine } from './engine.js';
import { connectionDetail, toEngineError } from './engine-errors.js';
import { parseEventLine, sinceParameter } from './engine-events.js';
import { labelFilter } from './labels.js';
import { createLineSplitter } from './line-splitter.js';

type GetEvents = (opts: { filters: Record<string, string[]>; since?: string; abortSignal: AbortSignal }) => Promise<Readable>;

/** followEvents of the adapter; `docker` is the lazily connected client of dockerode-engine.ts. */
export function eventOperations(docker: () => Promise<Dockerode>, host: string): Pick<DockerEngine, 'followEvents'> {
  return {
    async followEvents(filter, handlers, signal) {
      if (signal.aborted) return;
      const d = await docker();
      let stream: Readable;
      try {
        // `since` with nanoseconds is a string, which dockerode's typings (a number) do not allow.
        stream = await (d.getEvents.bind(d) as unknown as GetEvents)({
          filters: { type: ['container'], event: filter.actions, label: labelFilter(filter.labels) },
          ...(filter.sinceNano !== undefined ? { since: sinceParameter(filter.sinceNano) } : {}),
          abortSignal: signal,
        });
      } catch (err) {
        if (signal.aborted) return;
        throw toEngineError(err, host) ?? err;
      }
      handlers.open?.();
      const lines = createLineSplitter((line) => {
        const event = parseEventLine(line);
        if (event) handlers.event(event);
      });
      const stop = (): void => void stream.destroy();
      signal.addEventListener('abort', stop, { once: true });
      let broke: unknown = new Error('connection closed');
      try {
        for await (const chunk of stream) lines.write(chunk as Buffer);
      } catch (err) {
        broke = err;
      } finally {
        signal.removeEventListener('abort', stop);
        stream.destroy();
      }
      if (signal.aborted) return;
      // The stream has no end of its own: it ended because the engine stopped or the connection broke.
      throw new EngineError(`The Docker engine at ${host} stopped sending events (${connectionDetail(broke)}).`, { cause: broke });
    },
  };
}
