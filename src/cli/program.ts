import { resolve } from 'node:path';
import { Argument, Command, CommanderError, Option } from 'commander';
import type { InteractiveTerminal } from '../commands/debug-shell.js';
import type { ProcessOwner } from '../context.js';
import { ExitCode, UsageError } from '../errors.js';
import type { PorterEvent } from '../events.js';
import { eventRunSections } from './event-run-sections.js';
import { createReporter, useColor, type ReporterOptions } from './reporter.js';
import type { SectionOf } from './report-runs.js';
import { reportRun } from './report-run.js';
import { VERSION } from './version.js';

/** What the CLI gets from its process: main.ts fills it, tests can too. */
export interface CliIO {
  argv: readonly string[];
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
  stdout: (text: string) => void;
  /** A promise while stdout is behind its reader (resolves once it caught up); undefined when writing can go on. */
  outputReady?: () => Promise<void> | undefined;
  stderr: (text: string) => void;
  stdoutIsTTY: boolean;
  /** The terminal's width when stdout is one (for the progress line). */
  stdoutColumns?: number;
  signal: AbortSignal;
  /** This process, recorded on the containers it starts (stale-container clean-up). */
  owner: ProcessOwner;
  /** Set when stdin and stdout are a terminal: asks a question there and resolves to the answer (`porter init`). */
  ask?: (question: string) => Promise<string>;
  /** porter's terminal when stdin and stdout are both one: `porter debug --shell` needs it. */
  terminal?: InteractiveTerminal;
}

export interface GlobalOptions {
  C?: string;
  config?: string;
  logFormat: 'text' | 'json';
  junit?: string;
  report?: string;
  quiet?: boolean;
  color: boolean;
  dryRun?: boolean;
  repoTransfer?: 'auto' | 'mount' | 'copy';
}

/** What every command action receives: the parsed options and arguments, the process's I/O, and the event sink. */
export interface CommandRun {
  opts: GlobalOptions & Record<string, unknown>;
  /** The command's positional arguments (`completion bash` → ['bash']). */
  args: readonly string[];
  /** The whole command tree (what `porter completion` describes). */
  program: Command;
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
      // `porter watch` gives each event run a section of the HTML report of its own.
      const sections = cmd.name() === 'watch' ? eventRunSections() : undefined;
      const reporter = await createReporter(reporterOptions(opts, io, sections?.sectionOf));
      const emit = sections ? (e: PorterEvent): void => { sections.note(e); reporter.emit(e); } : reporter.emit;
      const outcome = await reportRun(reporter, io, opts.logFormat === 'json', async (runIo) => action(await commands())({ opts, args: cmd.args, program, io: runIo, emit }));
      done(outcome.code);
      if (outcome.failed) throw outcome.error;
    };

  const program = new Command('porter')
    .description("Runs a service's deployment pipeline on Docker: build phases wrapped in pre_/post_ hooks.")
    .version(VERSION, '-V, --version', 'print porter\'s version')
    .option('-C <dir>', 'the service repo (default: the current directory)')
    .option('--config <path>', 'config file, relative to the repo (default: .porter/config)')
    .addOption(new Option('--log-format <format>', 'text for people, json for machines: one event a line').choices(['text', 'json']).default('text'))
    .option('--junit <file>', 'also write a JUnit XML report, a testcase per hook run (path relative to the repo)')
    .option('--report <file>', 'also write an HTML report: a timeline of the hook runs and their output (path relative to the repo)')
    .addOption(new Option('--repo-transfer <mode>', 'how hooks get the repo: auto (a copy when the engine cannot see it), mount, copy (default: repo_transfer in the config, else auto)').choices(['auto', 'mount', 'copy']))
    .option('-q, --quiet', 'print only the summary and the output of failed hooks')
    .option('--no-color', 'no colours, even on a terminal (NO_COLOR does the same)')
    .addHelpText('after', '\nExamples:\n  porter build hook -name smoke -e Stage\n  porter --log-format json --junit report.xml build hook -name smoke\n  porter help build hook')
    .showHelpAfterError('(run `porter help` or `porter <command> --help` for usage)')
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr });

  const build = program.command('build').description('run a build phase wrapped in its hooks, a user-defined hook list, or clean up');
  const env = () => new Option('-e, --environment <env>', 'the environment from .porter/config');
  const dry = () => new Option('--dry-run', 'print the plan; build, clone and run nothing');
  const lockTimeout = () => new Option('--lock-timeout <duration>', "how long to wait for another porter holding the environment's lock, then exit 2").default('10m');

  build.command('hook').description('run one user-defined hook list (`-name X` works too)')
    .requiredOption('-n, --name <name>', 'the hook list to run').addOption(env()).addOption(dry())
    .addHelpText('after', '\nExample:\n  porter build hook -name smoke -e Stage')
    .action(withRun((m) => m.hookAction));
  build.command('pack').description('pre_pack hooks, then build the container images and save the payload, then post_pack hooks').addOption(dry())
    .addHelpText('after', '\nExample:\n  porter build pack')
    .action(withRun((m) => m.packAction));
  build.command('provision').description('pre_provision, then a new stack in every region of ENV, waited healthy, then post_provision')
    .addOption(env().makeOptionMandatory()).addOption(dry()).addOption(lockTimeout())
    .addHelpText('after', '\nExample:\n  porter build provision -e Stage')
    .action(withRun((m) => m.provisionAction));
  build.command('promote').description("pre_promote, then move ENV's alias <service> to the new stack (or to --stack ID), then post_promote")
    .addOption(env()).option('--stack <id>', 'promote this stack instead of the one last provisioned (or, in a fresh clone, the newest healthy one of this version)').addOption(dry()).addOption(lockTimeout())
    .addHelpText('after', '\nExamples:\n  porter build promote -e Stage\n  porter build promote -e Stage --stack 3fa2c1d-m1abc2de')
    .action(withRun((m) => m.promoteAction));
  build.command('prune').description("pre_prune, then remove ENV's stacks that are not promoted, keeping the N newest, then post_prune")
    .addOption(env()).option('--keep <n>', 'how many of the newest unpromoted stacks to keep', '0').addOption(dry()).addOption(lockTimeout())
    .addHelpText('after', '\nExample:\n  porter build prune -e Stage --keep 1')
    .action(withRun((m) => m.pruneAction));
  build.command('rollback').description("pre_rollback, then move ENV's alias back to the stack promoted before the current one (or --to STACK), then post_rollback")
    .addOption(env().makeOptionMandatory()).option('--to <stack>', 'roll back to this stack instead of the previous one in the promotion history').addOption(dry()).addOption(lockTimeout())
    .addHelpText('after', '\nExit: 2 when there is nothing to roll back to, or the stack is gone or unhealthy.\nExamples:\n  porter build rollback -e Stage\n  porter build rollback -e Stage --to 3fa2c1d-m1abc2de')
    .action(withRun((m) => m.rollbackAction));
  build.command('teardown').description('pre_teardown, then remove every stack of ENV in every region (the promoted one too), its network, images and records, then post_teardown')
    .addOption(env().makeOptionMandatory()).addOption(dry()).addOption(lockTimeout())
    .addHelpText('after', '\nExamples:\n  porter build teardown -e Stage --dry-run\n  porter build teardown -e Stage')
    .action(withRun((m) => m.teardownAction));
  build.command('status').description("list ENV's stacks per region (id, version, age, health, URL, promoted) and the last promotions, from the engines")
    .addOption(env().makeOptionMandatory())
    .addHelpText('after', '\nExamples:\n  porter build status -e Stage\n  porter --log-format json build status -e Stage')
    .action(withRun((m) => m.statusAction));
  build.command('clean').description("remove .porter-tmp/, this service's hook images, containers and cached clones").addOption(dry())
    .addHelpText('after', '\nExample:\n  porter build clean')
    .action(withRun((m) => m.cleanAction));

  program.command('init').description('write a first .porter/config, an example hook list `smoke` and its Dockerfile (asks a few questions on a terminal)')
    .addHelpText('after', '\nExamples:\n  porter init\n  porter init && porter build hook -name smoke')
    .action(withRun((m) => m.initAction));

  program.command('completion').description('print a shell completion script: commands, options, and hook lists and environments from the config')
    .addArgument(new Argument('[shell]', 'bash, zsh or fish').choices(['bash', 'zsh', 'fish']))
    .addOption(new Option('--values <what>', 'print the hook lists or environments of the config, one a line (what the scripts ask)').choices(['hook-lists', 'environments']).hideHelp())
    .addHelpText('after', '\nExamples:\n  porter completion bash > ~/.local/share/bash-completion/completions/porter\n  source <(porter completion bash)\n  porter completion fish > ~/.config/fish/completions/porter.fish')
    .action(withRun((m) => m.completionAction));

  program.command('watch').description("follow the events of ENV's stacks (a container dies, turns unhealthy...) and run the hook lists named under events:")
    .addOption(env().makeOptionMandatory())
    .option('--max-events <n>', 'end after N events have run their hook lists')
    .option('--until-idle <seconds>', 'end after this many seconds with no event and no run (30, or 90s, 5m)')
    .addHelpText('after', '\nExit: 0, or 1 when a hook run failed; 130 on Ctrl-C or SIGTERM.\nExamples:\n  porter watch -e Stage\n  porter --log-format json watch -e Stage --until-idle 60')
    .action(withRun((m) => m.watchAction));

  program.command('debug').argument('[target]', 'the hook, as LIST/NAME (e.g. smoke/greet)')
    .description('run one hook again exactly as it last ran (its image, environment and earlier outputs), or open a shell in its container')
    .addOption(env()).option('--region <region>', 'the region whose run to replay, when it ran in several')
    .option('--shell [program]', 'open an interactive shell (default sh) in the hook\'s container instead of running its command; needs a terminal')
    .option('--keep', 'leave the container afterwards (its name is printed; `porter build clean` removes it)')
    .addHelpText('after', '\nExamples:\n  porter debug smoke/greet\n  porter debug post_provision/notify -e Stage --region eu\n  porter debug smoke/greet --shell --keep')
    .action(withRun((m) => m.debugAction));

  build.addHelpText('after', '\nExample:\n  porter build hook -name smoke -e Stage --dry-run');
  const config = program.command('config').description('work with .porter/config');
  config.addHelpText('after', '\nExample:\n  porter config validate');
  config.command('validate').description('check the config and report every problem with file:line and key path')
    .option('--strict', "refuse the original porter's AWS-only keys instead of ignoring them")
    .addHelpText('after', '\nExample:\n  porter config validate --config .porter/config')
    .action(withRun((m) => m.validateAction));

  for (const cmd of [...program.commands, ...build.commands, ...config.commands]) {
    cmd.configureHelp({ showGlobalOptions: true }).exitOverride().configureOutput({ writeOut: io.stdout, writeErr: io.stderr }).showHelpAfterError(`(run \`porter ${cmd.parent === program ? cmd.name() : `${cmd.parent?.name()} ${cmd.name()}`} --help\` for usage)`);
  }
  return program;
}

function reporterOptions(opts: GlobalOptions, io: CliIO, sectionOf?: SectionOf): ReporterOptions {
  return {
    format: opts.logFormat,
    color: useColor({ flag: opts.color, tty: io.stdoutIsTTY, env: io.env, format: opts.logFormat }),
    tty: io.stdoutIsTTY && io.env.TERM !== 'dumb',
    ...(io.stdoutColumns ? { columns: io.stdoutColumns } : {}),
    quiet: Boolean(opts.quiet),
    githubActions: io.env.GITHUB_ACTIONS === 'true',
    stdout: io.stdout,
    stderr: io.stderr,
    // Like --config, a relative --junit or --report path is relative to the service repo (-C), as with git -C.
    cwd: resolve(io.cwd, opts.C ?? '.'),
    ...(opts.junit ? { junit: opts.junit } : {}),
    ...(opts.report ? { report: { file: opts.report, command: ['porter', ...io.argv].join(' '), ...(sectionOf ? { sectionOf } : {}) } } : {}),
  };
}

/** Turns commander's own exits into porter's codes: help and version are 0, anything else is a usage error. */
export function commanderExitCode(err: CommanderError): number {
  if (['commander.helpDisplayed', 'commander.help', 'commander.version'].includes(err.code)) return ExitCode.ok;
  return ExitCode.usage;
}

export { CommanderError, UsageError };
