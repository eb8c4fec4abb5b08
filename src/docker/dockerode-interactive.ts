/**
 * An interactive shell in a hook's container (`porter debug --shell`). Part of the dockerode adapter (a type
 * import only). The container's main process is the shell itself, waiting on a stdin that is open and never
 * written, so the container outlives the interactive session (`--keep` leaves it for `docker exec`); the
 * session is an exec with a TTY, its size kept to the terminal's.
 */
import type { Duplex } from 'node:stream';
import type Dockerode from 'dockerode';
import { abortError, throwIfAborted, watchAbort } from './abort.js';
import { ImageNotFound, StartFailure, type DockerEngine, type TerminalStreams } from './engine.js';
import { answerMessage, answerStatus } from './engine-answer.js';
import { engineCalls } from './engine-errors.js';
import { hostConfig } from './dockerode-run-files.js';
import { isStartRefusal } from './start-refusal.js';

export type InteractiveOperations = Pick<DockerEngine, 'runShell'>;

const cleanupTimeoutMs = 15_000;
const session = 'an interactive shell was open';

const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The exec's exit code once the engine has noticed its process ended (it may say `Running` a moment longer). */
async function execExitCode(exec: Dockerode.Exec): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const info = (await exec.inspect()) as { Running?: boolean; ExitCode?: number | null };
    if (!info.Running && typeof info.ExitCode === 'number') return info.ExitCode;
    await pause(100);
  }
  throw new Error(`the engine reported no exit code for exec ${exec.id}`);
}

/** Keeps the exec's TTY the terminal's size; the first resize can come before the engine has the TTY, so it is retried. */
function followSize(exec: Dockerode.Exec, terminal: TerminalStreams): () => void {
  const resize = async (tries: number): Promise<void> => {
    const { columns, rows } = terminal.size();
    for (let i = 0; i < tries; i++) {
      if (await exec.resize({ h: rows, w: columns }).then(() => true, () => false)) return;
      await pause(50);
    }
  };
  void resize(10);
  return terminal.onResize(() => void resize(1));
}

/** The interactive operations of the adapter; `docker` is the lazily connected client of dockerode-engine.ts. */
export function interactiveOperations(docker: () => Promise<Dockerode>, host: string): InteractiveOperations {
  const call = engineCalls(docker, host);
  return {
    runShell: (req, terminal, signal) =>
      call(async (d) => {
        throwIfAborted(signal);
        const aborted = watchAbort(signal);
        let container: Dockerode.Container | undefined;
        let started = false;
        let stream: Duplex | undefined;
        let stopResize = (): void => {};
        try {
          try {
            container = await d.createContainer({
              Image: req.image, Env: req.env, WorkingDir: req.workingDir, Labels: req.labels, name: req.name,
              Entrypoint: [req.shell], Cmd: [], Tty: false, OpenStdin: true, StdinOnce: false,
              AttachStdin: false, AttachStdout: false, AttachStderr: false,
              HostConfig: hostConfig(req),
            });
            if (req.putFiles) await container.putArchive(await req.putFiles.tar(), { path: req.putFiles.path, abortSignal: signal } as { path: string });
            await container.start();
            started = true;
          } catch (err) {
            if (!container && answerStatus(err) === 404) throw new ImageNotFound(req.image, { cause: err });
            if (isStartRefusal(answerStatus(err), answerMessage(err))) throw new StartFailure(answerMessage(err));
            throw err;
          }
          const exec = await container.exec({ Cmd: [req.shell], AttachStdin: true, AttachStdout: true, AttachStderr: true, Tty: true });
          const attached = (await exec.start({ hijack: true, stdin: true, Tty: true } as Dockerode.ExecStartOptions)) as unknown as Duplex;
          stream = attached;
          stopResize = followSize(exec, terminal);
          const ended = new Promise<void>((resolve) => {
            attached.once('end', resolve);
            attached.once('close', resolve);
            attached.once('error', () => resolve());
          });
          attached.pipe(terminal.output, { end: false });
          terminal.input.pipe(attached);
          await Promise.race([ended, aborted.promise]);
          return { exitCode: await execExitCode(exec) };
        } catch (err) {
          if (signal.aborted) throw abortError(signal);
          throw err;
        } finally {
          stopResize();
          aborted.dispose();
          if (stream) {
            terminal.input.unpipe(stream);
            stream.unpipe(terminal.output);
            stream.destroy();
          }
          if (container && (!req.keep || !started || signal.aborted)) {
            await container.remove({ force: true, v: true, abortSignal: AbortSignal.timeout(cleanupTimeoutMs) }).catch(() => undefined);
          }
        }
      }, session),
  };
}
