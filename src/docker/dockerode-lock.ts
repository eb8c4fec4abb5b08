/**
 * The engine side of porter's environment lock (phases/environment-lock.ts): a container that is created and never
 * started. The engine refuses a second container of the same name (409) atomically, so creating it is taking the
 * lock; its labels say who holds it; a small file inside it (written through the archive API, which works on a
 * container that never ran) carries the holder's heartbeat and what it is doing. The container runs from
 * `porter-lock:1`, an empty image porter imports when the engine lacks it and removes with the last lock.
 * Part of the dockerode adapter (a type import only).
 */
import type { Readable } from 'node:stream';
import type Dockerode from 'dockerode';
import { extract, pack } from 'tar-stream';
import type { DockerEngine, LockState } from './engine.js';
import { answerStatus } from './engine-answer.js';
import { engineCalls } from './engine-errors.js';
import { Label } from './labels.js';

export type LockOperations = Pick<DockerEngine, 'createLock' | 'readLock' | 'writeLock' | 'removeLock'>;

const LOCK_IMAGE = 'porter-lock:1';
const NOTE_FILE = 'porter-lock.json';
const IMPORT_TRIES = 3;

/** A tar of one file: the note, as putArchive takes it. */
function noteArchive(note: string): NodeJS.ReadableStream {
  const tar = pack();
  tar.entry({ name: NOTE_FILE, mode: 0o644, mtime: new Date() }, note);
  tar.finalize();
  return tar as unknown as NodeJS.ReadableStream;
}

async function readNote(archive: Readable): Promise<string> {
  const reader = extract();
  archive.pipe(reader);
  try {
    for await (const entry of reader) {
      const chunks: Buffer[] = [];
      for await (const chunk of entry as AsyncIterable<Buffer>) chunks.push(chunk);
      return Buffer.concat(chunks).toString('utf8');
    }
    return '';
  } finally {
    archive.destroy();
  }
}

/** An empty image (one empty layer) to create lock containers from: no registry, no base image needed. */
async function importLockImage(d: Dockerode): Promise<void> {
  const empty = pack();
  empty.finalize();
  const stream = (await d.importImage(empty as unknown as NodeJS.ReadableStream, { repo: 'porter-lock', tag: '1', changes: [`LABEL ${Label.lock}=image`] } as object)) as unknown as Readable;
  for await (const chunk of stream) void chunk;
}

/** The lock operations of the adapter; `docker` is the lazily connected client of dockerode-engine.ts. */
export function lockOperations(docker: () => Promise<Dockerode>, host: string): LockOperations {
  const call = engineCalls(docker, host);
  return {
    createLock: (name, labels, note) =>
      call(async (d) => {
        for (let attempt = 1; ; attempt++) {
          try {
            // A command is required to create a container from an image without one; it never runs.
            const container = await d.createContainer({ name, Image: LOCK_IMAGE, Cmd: ['lock'], Labels: { ...labels, [Label.lock]: name }, NetworkDisabled: true });
            await container.putArchive(noteArchive(note), { path: '/' });
            return container.id;
          } catch (err) {
            if (answerStatus(err) === 409) return undefined;
            // The image is missing (first lock on this engine, or the last lock's release just removed it).
            if (answerStatus(err) !== 404 || attempt >= IMPORT_TRIES) throw err;
            await importLockImage(d);
          }
        }
      }),

    readLock: (name) =>
      call(async (d): Promise<LockState | undefined> => {
        try {
          const container = d.getContainer(name);
          const info = await container.inspect();
          // Not there yet (its holder is writing it), or the container is being removed as we read (500 "RWLayer ... nil"): no note.
          const note = await container.getArchive({ path: `/${NOTE_FILE}` }).then((archive) => readNote(archive as unknown as Readable), (err: unknown) => {
            if (answerStatus(err) === 404 || answerStatus(err) === 500) return '';
            throw err;
          });
          return { id: info.Id, labels: info.Config.Labels ?? {}, note };
        } catch (err) {
          if (answerStatus(err) === 404) return undefined;
          throw err;
        }
      }),

    writeLock: (id, note) =>
      call(async (d) => {
        try {
          await d.getContainer(id).putArchive(noteArchive(note), { path: '/' });
          return true;
        } catch (err) {
          if (answerStatus(err) === 404) return false;
          throw err;
        }
      }),

    removeLock: (id) =>
      call(async (d) => {
        try {
          await d.getContainer(id).remove({ force: true, v: true });
        } catch (err) {
          if (answerStatus(err) !== 404 && answerStatus(err) !== 409) throw err;
        }
        // The image goes with the last lock; while another lock container uses it the engine refuses (409), as wanted.
        await d.getImage(LOCK_IMAGE).remove().catch(() => undefined);
      }),
  };
}
