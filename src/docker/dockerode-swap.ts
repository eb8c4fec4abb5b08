/**
 * The DockerEngine methods a hot swap needs to set an old container aside and bring it back (stop, rename, start
 * again), over dockerode. Part of the dockerode adapter: it only sees the client dockerode-engine.ts creates.
 */
import type Dockerode from 'dockerode';
import { answerStatus } from './engine-answer.js';
import type { DockerEngine } from './engine.js';
import { engineCalls } from './engine-errors.js';

export type SwapOperations = Pick<DockerEngine, 'stopContainer' | 'renameContainer' | 'restartStopped'>;

/** Seconds a stopped container gets to finish what it serves before the engine kills it. */
const STOP_GRACE_SECONDS = 10;

/** The swap operations of the adapter; `docker` is the lazily connected client of dockerode-engine.ts. */
export function swapOperations(docker: () => Promise<Dockerode>, host: string): SwapOperations {
  const call = engineCalls(docker, host);
  return {
    stopContainer: (id) =>
      call(async (d) => {
        try {
          await d.getContainer(id).stop({ t: STOP_GRACE_SECONDS });
        } catch (err) {
          // 304: stopped already.
          if (answerStatus(err) !== 304) throw err;
        }
      }),
    renameContainer: (id, name) => call(async (d) => void (await d.getContainer(id).rename({ name }))),
    restartStopped: (id) =>
      call(async (d) => {
        try {
          await d.getContainer(id).start();
        } catch (err) {
          if (answerStatus(err) !== 304) throw err;
        }
      }),
  };
}
