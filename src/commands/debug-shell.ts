import type { RunContext } from '../context.js';
import { StartFailure, type ShellRequest, type TerminalStreams } from '../docker/engine.js';
import { UsageError } from '../errors.js';

/** porter's own terminal, for an interactive shell: its streams and size, and raw mode (keys, Ctrl-C included, go to the shell). */
export interface InteractiveTerminal extends TerminalStreams {
  setRaw(on: boolean): void;
}

/**
 * `porter debug --shell`: the shell on the user's terminal, in raw mode so every key (Ctrl-C, Ctrl-D, arrows)
 * goes to it, in a container of the hook's image with its environment and mounts. Resolves to the shell's exit
 * code; a container kept with `--keep` is named, with how to get back in.
 */
export async function openShell(ctx: RunContext, title: string, req: ShellRequest, terminal: InteractiveTerminal): Promise<number> {
  ctx.emit({ type: 'message', level: 'info', text: `Opening ${req.shell} in ${title}'s container, with its environment and /repo_root. Leave with exit (or Ctrl-D).` });
  let exitCode: number;
  terminal.setRaw(true);
  try {
    ({ exitCode } = await ctx.engine.runShell(req, terminal, ctx.signal));
  } catch (err) {
    if (!(err instanceof StartFailure)) throw err;
    throw new UsageError(`debug ${title} --shell: ${req.shell} cannot be started in the hook's image (${ctx.secrets.mask(err.message)}). Name a shell the image has with --shell= (sh, bash, or a path such as /bin/ash).`, { cause: err });
  } finally {
    terminal.setRaw(false);
  }
  if (req.keep) {
    ctx.emit({ type: 'message', level: 'info', text: `Kept the container ${req.name ?? ''}, still running: \`docker exec -it ${req.name ?? ''} ${req.shell}\` to go back in, \`docker cp\` to copy files out; \`porter build clean\` removes it.` });
  }
  return exitCode;
}
