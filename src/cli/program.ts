import { Command, CommanderError, Option } from 'commander';
import { ExitCode, InterruptedError, PorterError, UsageError } from '../errors.js';
import type { PorterEvent } from '../events.js';
import { createReporter, type ReporterOptions } from './reporter.js';
import { VERSION } from './version.js';

/** What the CLI gets from its process: main.ts fills it, tests can too. */
export interface CliIO {
  argv: readonly string[];
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  stdoutIsTTY: boolean;
  signal: AbortSignal;
}

export interface GlobalOptions {
  C?: string;
  config?: string;
  logFormat: 'text' | 'json';
  junit?: string;
  quiet?: boolean;
  color: boolean;
  dryRun?: boolean;
}

/** What every command action receives: the parsed options, the process's I/O, and the event sink. */
export interface CommandRun {
  opts: GlobalOptions & Record<string, unknown>;
  io: CliIO;
  emit: (event: PorterEvent) => void;
}

type Action = (run: CommandRun) => Promise<number>;

/** Lazily loaded command implementations, so `porter --help` does not load Docker or git code. */
const commands = () => import('./actions.js');

/** Builds the commander tree; each action is a thin call into src/commands through `withRun`. */
export function buildProgram(io: CliIO, done: (code: number) => void): Command {
  const withRun = (action: (m: Awaited<ReturnType<typeof commands>>) => Action) =>
    async (...args: unknown[]): Promise<void> => {
      const cmd = args.at(-1) as Command;
      const opts = cmd.optsWithGlobals<GlobalOptions & Record<string, unknown>>();
      const reporter = await createReporter(reporterOptions(opts, io));
      const started = Date.now();
      let code: number = ExitCode.failed;
      try {
        code = await action(await commands())({ opts, io, emit: reporter.emit });
        if (io.signal.aborted) throw new InterruptedError();
      } catch (err) {
        code = err instanceof PorterError ? err.exitCode : ExitCode.failed;
        throw err;
      } finally {
        reporter.emit({ type: 'run-end', exitCode: code, durationMs: Date.now() - started });
        await reporter.close();
        done(code);
      }
    };

  const program = new Command('porter')
    .description("Runs a service's deployment pipeline on Docker: build phases wrapped in pre_/post_ hooks.")
    .version(VERSION, '-V, --version', 'print porter\'s version')
    .option('-C <dir>', 'the service repo (default: the current directory)')
    .option('--config <path>', 'config file, relative to the repo (default: .porter/config)')
    .addOption(new Option('--log-format <format>', 'text for people, json for machines: one event a line').choices(['text', 'json']).default('text'))
    .option('--junit <file>', 'also write a JUnit XML report, a testcase per hook run')
    .option('-q, --quiet', 'print only the summary and the output of failed hooks')
    .option('--no-color', 'no colours, even on a terminal (NO_COLOR does the same)')
    .showHelpAfterError('(run `porter help` or `porter <command> --help` for usage)')
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr });

  const build = program.command('build').description('run a build phase wrapped in its hooks, a user-defined hook list, or clean up');
  const env = () => new Option('-e, --environment <env>', 'the environment from .porter/config');
  const dry = () => new Option('--dry-run', 'print the plan; build, clone and run nothing');

  build.command('hook').description('run one user-defined hook list (`-name X` works too)')
    .requiredOption('-n, --name <name>', 'the hook list to run').addOption(env()).addOption(dry())
    .addHelpText('after', '\nExample:\n  porter build hook -name smoke -e Stage')
    .action(withRun((m) => m.hookAction));
  build.command('clean').description("remove .porter-tmp/, this service's hook images, containers and cached clones")
    .addHelpText('after', '\nExample:\n  porter build clean')
    .action(withRun((m) => m.cleanAction));

  const config = program.command('config').description('work with .porter/config');
  config.command('validate').description('check the config and report every problem with file:line and key path')
    .addHelpText('after', '\nExample:\n  porter config validate --config .porter/config')
    .action(withRun((m) => m.validateAction));

  for (const cmd of [build, config, ...build.commands, ...config.commands]) {
    cmd.exitOverride().configureOutput({ writeOut: io.stdout, writeErr: io.stderr }).showHelpAfterError(`(run \`porter ${cmd.parent === program ? cmd.name() : `${cmd.parent?.name()} ${cmd.name()}`} --help\` for usage)`);
  }
  return program;
}

function reporterOptions(opts: GlobalOptions, io: CliIO): ReporterOptions {
  return {
    format: opts.logFormat,
    color: opts.color && io.stdoutIsTTY && io.env.NO_COLOR === undefined && opts.logFormat === 'text',
    quiet: Boolean(opts.quiet),
    githubActions: io.env.GITHUB_ACTIONS === 'true',
    stdout: io.stdout,
    stderr: io.stderr,
    ...(opts.junit ? { junit: opts.junit, cwd: io.cwd } : {}),
  };
}

/** Turns commander's own exits into porter's codes: help and version are 0, anything else is a usage error. */
export function commanderExitCode(err: CommanderError): number {
  if (['commander.helpDisplayed', 'commander.help', 'commander.version'].includes(err.code)) return ExitCode.ok;
  return ExitCode.usage;
}

export { CommanderError, UsageError };
