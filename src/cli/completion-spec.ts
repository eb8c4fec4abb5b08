/** What shell completion knows of porter's command line, read from the commander tree so the two cannot drift. */
import type { Command, Option } from 'commander';

/** What the value of an option is completed from. */
export type ValueSource = 'hook-lists' | 'environments' | 'file' | 'directory' | 'choices' | 'none';

export interface OptionSpec {
  /** `-e`, `--environment`, and the original's single-dash spelling (`-environment`) where porter takes it. */
  flags: string[];
  /** The spellings offered when completing an option (the short and the long one, not the Go-style one). */
  offered: string[];
  description: string;
  takesValue: boolean;
  values: ValueSource;
  choices: string[];
}

export interface CommandSpec {
  /** The words that name it: [] for porter itself, ['build', 'hook']. */
  path: string[];
  description: string;
  subcommands: string[];
  /** Its options and, for porter's commands, the global ones. */
  options: OptionSpec[];
  /** Words its first argument may be (`completion bash|zsh|fish`). */
  arguments: string[];
}

const SOURCES: Record<string, ValueSource> = {
  name: 'hook-lists', environment: 'environments', config: 'file', junit: 'file', report: 'file', C: 'directory',
};

function optionSpec(o: Option, goStyle: ReadonlySet<string>): OptionSpec {
  const long = o.long ? [o.long] : [];
  const short = o.short ? [o.short] : [];
  const name = o.attributeName();
  const bare = (o.long ?? '').replace(/^--/, '');
  const choices = o.argChoices ?? [];
  const takesValue = o.required || o.optional;
  return {
    flags: [...short, ...long, ...(goStyle.has(bare) ? [`-${bare}`] : [])],
    offered: [...short, ...long],
    description: o.description,
    takesValue,
    values: !takesValue ? 'none' : choices.length > 0 ? 'choices' : (SOURCES[name] ?? SOURCES[bare] ?? 'none'),
    choices,
  };
}

/**
 * Every command of the tree (porter itself, `build`, `build hook`…) with its subcommands and options; `goStyle` names
 * the long options porter also takes with one dash. Hidden options and commander's own `help` command are left out.
 */
export function completionSpecs(program: Command, goStyle: ReadonlySet<string>): CommandSpec[] {
  const visible = (c: Command): Option[] => c.options.filter((o) => !o.hidden);
  const globals = visible(program).map((o) => optionSpec(o, goStyle));
  const help: OptionSpec = { flags: ['-h', '--help', '-help'], offered: ['-h', '--help'], description: 'show help', takesValue: false, values: 'none', choices: [] };
  // --version is porter's own, not its commands'.
  const commandGlobals = globals.filter((o) => !o.flags.includes('--version'));
  const out: CommandSpec[] = [];
  const walk = (cmd: Command, path: string[]): void => {
    const subs = cmd.commands.filter((c) => c.name() !== 'help');
    const own = cmd === program ? [] : visible(cmd).map((o) => optionSpec(o, goStyle));
    const args = cmd.registeredArguments.flatMap((a) => a.argChoices ?? []);
    const options = [...own, ...(cmd === program ? globals : commandGlobals), help];
    out.push({ path, description: cmd.description(), subcommands: subs.map((c) => c.name()), options, arguments: args });
    for (const sub of subs) walk(sub, [...path, sub.name()]);
  };
  walk(program, []);
  return out;
}
