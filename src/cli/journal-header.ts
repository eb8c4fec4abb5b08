import type { CommandRun } from './program.js';
import { VERSION } from './version.js';

/** What a command's run journal is headed with: the command line as typed and this porter's version. */
export function journalHeader(run: CommandRun): { command: string; porterVersion: string } {
  return { command: run.io.argv.join(' '), porterVersion: VERSION };
}
