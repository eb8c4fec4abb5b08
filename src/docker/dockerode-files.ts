/**
 * Reading a file of an image without running it: a container is created (never started), the file comes out
 * through the archive API, and the container goes. Part of the dockerode adapter (a type import only); the
 * image needs no shell or tool of its own, so this works on data-only and scratch images too.
 */
import type { Readable } from 'node:stream';
import type Dockerode from 'dockerode';
import type { DockerEngine, ImageFile } from './engine.js';
import { answerStatus } from './engine-answer.js';
import { engineCalls } from './engine-errors.js';

export type FileOperations = Pick<DockerEngine, 'readImageFile'>;

const cleanupTimeoutMs = 15_000;

/** The first tar entry of an archive: its mode and up to `maxBytes` of its content; the rest is skipped. */
async function firstEntry(archive: Readable, maxBytes: number): Promise<ImageFile | undefined> {
  const { extract } = await import('tar-stream');
  const reader = extract();
  archive.pipe(reader);
  try {
    for await (const entry of reader) {
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of entry as AsyncIterable<Buffer>) {
        if (size < maxBytes) chunks.push(chunk.subarray(0, maxBytes - size));
        size += chunk.length;
      }
      const found = entry.header;
      return { mode: found.mode ?? 0, type: found.type ?? 'file', head: Buffer.concat(chunks) };
    }
    return undefined;
  } finally {
    archive.destroy();
  }
}

/** The file operations of the adapter; `docker` is the lazily connected client of dockerode-engine.ts. */
export function fileOperations(docker: () => Promise<Dockerode>, host: string): FileOperations {
  const call = engineCalls(docker, host);
  return {
    readImageFile: ({ image, path, maxBytes, labels }, signal) =>
      call(async (d) => {
        // A command the image never runs: create needs one when the image has neither CMD nor ENTRYPOINT.
        const container = await d.createContainer({ Image: image, Cmd: ['/'], Labels: labels, abortSignal: signal } as Dockerode.ContainerCreateOptions);
        try {
          const archive = (await container.getArchive({ path, abortSignal: signal } as { path: string })) as unknown as Readable;
          return await firstEntry(archive, maxBytes);
        } catch (err) {
          if (answerStatus(err) === 404) return undefined;
          throw err;
        } finally {
          await container.remove({ force: true, v: true, abortSignal: AbortSignal.timeout(cleanupTimeoutMs) }).catch(() => undefined);
        }
      }),
  };
}
