import { CommanderError, type Command } from 'commander';
import { ExitCode, PorterError } from '../errors.js';
import { rewriteGoFlags, rewriteHelpCommand } from './argv.js';
import { buildProgram, commanderExitCode, type CliIO } from './program.js';

/** Runs porter with the given I/O and resolves to its exit code; errors become messages, never stack traces for user errors. */
export async function runCli(io: CliIO): Promise<number> {
  let code: number = ExitCode.ok;
  const program = buildProgram(io, (c) => (code = c));
  try {
    await program.parseAsync(rewriteHelpCommand(rewriteGoFlags(io.argv), (words) => isCommand(program, words)), { from: 'user' });
    return code;
  } catch (err) {
    if (err instanceof CommanderError) return commanderExitCode(err);
    if (err instanceof PorterError) {
      io.stderr(`porter: ${err.message}\n`);
      return err.exitCode;
    }
    io.stderr(`porter: internal error — this is a bug in porter, please report it with the lines below.\n${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    return ExitCode.failed;
  }
}

/** True when `words` name a command of the tree, e.g. ['build', 'hook']. */
function isCommand(program: Command, words: readonly string[]): boolean {
  let cmd: Command | undefined = program;
  for (const word of words) cmd = cmd?.commands.find((c) => c.name() === word || c.aliases().includes(word));
  return cmd !== undefined;
}
