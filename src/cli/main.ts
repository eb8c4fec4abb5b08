#!/usr/bin/env node
import { hostname } from 'node:os';
import { ExitCode } from '../errors.js';
import { runCli } from './run-cli.js';
import { whenDrained } from './stdout-flow.js';
import { processTerminal } from './terminal.js';
import { terminalAsk } from './terminal-ask.js';
import { isPidAlive } from '../pid-alive.js';

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
  // Its reader went away (`porter … | head`, a CI log collector that died): nobody sees the run any more, so stop
  // it as Ctrl-C would, instead of dying on EPIPE with a stack trace and the containers still running.
  let stdoutClosed = false;
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (stdoutClosed) return;
    stdoutClosed = true;
    process.stderr.write(`porter: stdout was closed (${err.code ?? err.message}): stopping containers and cleaning up\n`);
    controller.abort();
  });
  // A closed stderr leaves nowhere to say anything; it must not end the run either.
  process.stderr.on('error', () => {});
  // A promise nothing can settle any more (a request on a connection that died unnoticed) would let Node end the
  // process with exit code 0 and nothing said: for a CI job the worst answer. Call it what it is, and fail.
  let finished = false;
  process.on('beforeExit', () => {
    if (finished) return;
    process.stderr.write('porter: internal error — this is a bug in porter: it stopped with work unfinished and nothing left to wait for. Please report it with the command you ran.\n');
    process.exit(controller.signal.aborted ? ExitCode.interrupted : ExitCode.failed);
  });
  const terminal = processTerminal();
  const code = await runCli({
    argv: process.argv.slice(2),
    env: process.env,
    cwd: process.cwd(),
    stdout: (text) => void process.stdout.write(text),
    outputReady: whenDrained(process.stdout),
    stderr: (text) => void process.stderr.write(text),
    stdoutIsTTY: Boolean(process.stdout.isTTY),
    ...(process.stdout.isTTY ? { stdoutColumns: process.stdout.columns } : {}),
    signal: controller.signal,
    // PORTER_HOST_ID names this machine in locks and on containers when hostnames are not unique (CI job containers).
    owner: { pid: process.pid, host: process.env.PORTER_HOST_ID || hostname(), isAlive: isPidAlive },
    ...(process.stdin.isTTY && process.stdout.isTTY ? { ask: terminalAsk(process.stdin, process.stdout, controller.signal, () => onSignal('SIGINT')) } : {}),
    ...(terminal ? { terminal } : {}),
  });
  finished = true;
  process.exitCode = controller.signal.aborted ? ExitCode.interrupted : code;
  // Flush stdout before leaving, then make sure no stray handle keeps us alive.
  process.stdout.write('', () => process.exit(process.exitCode));
}


void main();
