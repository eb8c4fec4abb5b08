#!/usr/bin/env node
import { hostname } from 'node:os';
import { ExitCode } from '../errors.js';
import { runCli } from './run-cli.js';

/** The process edge: signals become one AbortController; the only process.exit in porter. */
async function main(): Promise<void> {
  const controller = new AbortController();
  let interrupts = 0;
  const onSignal = (sig: NodeJS.Signals): void => {
    interrupts += 1;
    if (interrupts === 1) {
      process.stderr.write(`\nporter: ${sig} received: stopping containers and cleaning up (press Ctrl-C again to exit at once)\n`);
      controller.abort();
      return;
    }
    process.stderr.write('porter: exiting without waiting for cleanup\n');
    process.exit(ExitCode.interrupted);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const code = await runCli({
    argv: process.argv.slice(2),
    env: process.env,
    cwd: process.cwd(),
    stdout: (text) => void process.stdout.write(text),
    stderr: (text) => void process.stderr.write(text),
    stdoutIsTTY: Boolean(process.stdout.isTTY),
    ...(process.stdout.isTTY ? { stdoutColumns: process.stdout.columns } : {}),
    signal: controller.signal,
    owner: { pid: process.pid, host: hostname(), isAlive },
  });
  process.exitCode = controller.signal.aborted ? ExitCode.interrupted : code;
  // Flush stdout before leaving, then make sure no stray handle keeps us alive.
  process.stdout.write('', () => process.exit(process.exitCode));
}

/** Signal 0 probes a pid: EPERM means it exists but belongs to another user. */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

void main();
