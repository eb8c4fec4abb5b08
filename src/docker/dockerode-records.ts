/** Small facts porter keeps in the engine itself (promotion history, run-once marks): labelled empty volumes. */
import { createHash } from 'node:crypto';
import type Dockerode from 'dockerode';
import type { DockerEngine, EngineRecord } from './engine.js';
import { answerStatus } from './engine-answer.js';
import { engineCalls } from './engine-errors.js';
import { labelFilters } from './labels.js';

export type RecordOperations = Pick<DockerEngine, 'writeRecord' | 'listRecords' | 'removeRecords'>;

/**
 * A record's volume name: `porter-record-` and a hash of its labels, so writing the same record twice is one
 * volume (labels cannot change on an engine object: a new fact is a new record) and any label value is allowed.
 */
export function recordName(labels: Record<string, string>): string {
  const text = JSON.stringify(Object.entries(labels).sort(([a], [b]) => a.localeCompare(b)));
  return `porter-record-${createHash('sha256').update(text).digest('hex').slice(0, 32)}`;
}

/** The record operations of the adapter; `docker` is the lazily connected client of dockerode-engine.ts. */
export function recordOperations(docker: () => Promise<Dockerode>, host: string): RecordOperations {
  const call = engineCalls(docker, host);
  return {
    writeRecord: (labels) =>
      call(async (d) => {
        if (Object.keys(labels).length === 0) throw new Error('a record needs labels');
        // Creating a volume that exists with the same options returns it: writing a record is idempotent.
        await d.createVolume({ Name: recordName(labels), Labels: labels });
      }),

    listRecords: (labels) =>
      call(async (d) => {
        const answer = (await d.listVolumes({ filters: labelFilters(labels) })) as { Volumes?: { Name: string; Labels?: Record<string, string> | null }[] | null };
        return (answer.Volumes ?? []).map((v): EngineRecord => ({ name: v.Name, labels: v.Labels ?? {} }));
      }),

    removeRecords: (labels) =>
      call(async (d) => {
        // An empty filter matches every volume on the engine: refusing it is cheaper than explaining it.
        if (Object.keys(labels).length === 0) throw new Error('refusing to remove records by an empty label filter');
        const answer = (await d.listVolumes({ filters: labelFilters(labels) })) as { Volumes?: { Name: string }[] | null };
        let removed = 0;
        for (const v of answer.Volumes ?? []) {
          try {
            await d.getVolume(v.Name).remove();
            removed += 1;
          } catch (err) {
            if (answerStatus(err) !== 404) throw err;
          }
        }
        return removed;
      }),
  };
}
