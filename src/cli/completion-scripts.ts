/**
 * `porter completion bash|zsh|fish`: the scripts, written from the command tree. Commands and flags are in the
 * script; hook-list names and environments are asked of porter when a word is completed (`porter completion
 * --values hook-lists|environments`, with the -C and --config of the line being typed), so they follow the config.
 */
import type { CommandSpec, OptionSpec, ValueSource } from './completion-spec.js';

const sq = (text: string): string => `'${text.replace(/'/g, "'\\''")}'`;
const unique = (words: string[]): string[] => [...new Set(words)];
const withValue = (specs: readonly CommandSpec[], source?: ValueSource): string[] =>
  unique(specs.flatMap((c) => c.options).filter((o) => o.takesValue && (source === undefined || o.values === source)).flatMap((o) => o.flags));
const patterns = (flags: readonly string[]): string => flags.join('|');

/** Every command path a line can be at, with `help` in front of the ones that have subcommands (`porter help build`). */
function paths(specs: readonly CommandSpec[]): { key: string; spec: CommandSpec; help: boolean }[] {
  return specs.flatMap((spec) => [
    { key: spec.path.join(' '), spec, help: false },
    ...(spec.subcommands.length > 0 ? [{ key: ['help', ...spec.path].join(' '), spec, help: true }] : []),
  ]);
}

/** The bash script: a `_porter` function for `complete -F`. */
export function bashCompletion(specs: readonly CommandSpec[]): string {
  const lines = [
    '# porter completion for bash. In this shell: source <(porter completion bash)',
    '# For good: porter completion bash > ~/.local/share/bash-completion/completions/porter',
    '_porter_values() {',
    '  local i args=()',
    '  for ((i = 1; i < COMP_CWORD; i++)); do',
    '    case ${COMP_WORDS[i]} in',
    // The shell has not expanded a ~ in the words being typed: do it for porter.
    '      -C|--config|-config) args+=("${COMP_WORDS[i]}" "${COMP_WORDS[i+1]/#\\~/$HOME}") ;;',
    '    esac',
    '  done',
    '  "${COMP_WORDS[0]}" "${args[@]}" completion --values "$1" 2>/dev/null',
    '}',
    '',
    '_porter() {',
    // Not `path` nor `words`: zsh ties those names to $PATH and to its completion's words.
    '  local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]} at= skip= i w offer',
    '  for ((i = 1; i < COMP_CWORD; i++)); do',
    '    w=${COMP_WORDS[i]}',
    '    if [[ -n $skip ]]; then skip=; continue; fi',
    '    case $w in',
    `      ${patterns(withValue(specs))}) skip=1 ;;`,
    '      -*) ;;',
    '      *) at+=${at:+ }$w ;;',
    '    esac',
    '  done',
    '  case $prev in',
    `    ${patterns(withValue(specs, 'hook-lists'))}) COMPREPLY=($(compgen -W "$(_porter_values hook-lists)" -- "$cur")); return ;;`,
    `    ${patterns(withValue(specs, 'environments'))}) COMPREPLY=($(compgen -W "$(_porter_values environments)" -- "$cur")); return ;;`,
  ];
  for (const o of unique(specs.flatMap((c) => c.options).filter((x) => x.values === 'choices').map((x) => JSON.stringify(x)))) {
    const opt = JSON.parse(o) as OptionSpec;
    lines.push(`    ${patterns(opt.flags)}) COMPREPLY=($(compgen -W ${sq(opt.choices.join(' '))} -- "$cur")); return ;;`);
  }
  lines.push(
    `    ${patterns(withValue(specs, 'directory'))}) COMPREPLY=($(compgen -d -- "$cur")); return ;;`,
    `    ${patterns(withValue(specs, 'file'))}) COMPREPLY=($(compgen -f -- "$cur")); return ;;`,
    `    ${patterns(withValue(specs, 'none'))}) return ;;`,
    '  esac',
    '  case $at in',
  );
  for (const { key, spec, help } of paths(specs)) {
    const options = unique(spec.options.flatMap((o) => o.offered)).join(' ');
    const next = [...spec.subcommands, ...spec.arguments].join(' ');
    lines.push(help
      ? `    ${sq(key)}) offer=${sq(spec.subcommands.join(' '))} ;;`
      : `    ${sq(key)}) if [[ $cur == -* ]]; then offer=${sq(options)}; else offer=${sq(next)}; fi ;;`);
  }
  lines.push(
    '    *) if [[ $cur == -* ]]; then offer=\'--help\'; else offer=; fi ;;',
    '  esac',
    '  COMPREPLY=($(compgen -W "$offer" -- "$cur"))',
    '}',
    '',
    'complete -F _porter porter',
    '',
  );
  return lines.join('\n');
}

/** The zsh script: the bash one through zsh's bashcompinit, so both shells complete exactly alike. */
export function zshCompletion(specs: readonly CommandSpec[]): string {
  return [
    '# porter completion for zsh. In this shell: source <(porter completion zsh)',
    '# For good: porter completion zsh > ~/.porter-completion.zsh, and `source ~/.porter-completion.zsh` in ~/.zshrc',
    '(( $+functions[compdef] )) || { autoload -U +X compinit && compinit; }',
    'autoload -U +X bashcompinit && bashcompinit',
    ...bashCompletion(specs).split('\n').slice(2),
  ].join('\n');
}

/** The fish script: one `complete` line per command and option, conditioned on the subcommands seen. */
export function fishCompletion(specs: readonly CommandSpec[]): string {
  const lines = [
    '# porter completion for fish. In this shell: porter completion fish | source',
    '# For good: porter completion fish > ~/.config/fish/completions/porter.fish',
    'function __porter_values',
    '    set -l tokens (commandline -opc)',
    '    set -l args',
    '    for i in (seq 2 (count $tokens))',
    '        switch $tokens[$i]',
    '            case -C --config -config',
    '                set -a args $tokens[$i] $tokens[(math $i + 1)]',
    '        end',
    '    end',
    '    $tokens[1] $args completion --values $argv[1] 2>/dev/null',
    'end',
    'complete -c porter -f',
  ];
  // A command is offered where its parent was typed and none of its siblings yet.
  for (const spec of specs.filter((s) => s.path.length > 0)) {
    const siblings = specs.find((s) => s.path.join(' ') === spec.path.slice(0, -1).join(' '))?.subcommands ?? [];
    const condition = spec.path.length === 1 ? '__fish_use_subcommand' : `__fish_seen_subcommand_from ${spec.path.at(-2)}; and not __fish_seen_subcommand_from ${siblings.join(' ')}`;
    lines.push(`complete -c porter -n ${sq(condition)} -a ${sq(spec.path.at(-1) ?? '')} -d ${sq(spec.description)}`);
  }
  for (const spec of specs) {
    const where = spec.path.length === 0 ? '' : ` -n ${sq(`__fish_seen_subcommand_from ${spec.path.at(-1)}`)}`;
    // porter's own options that its commands do not take (--version) only before a command.
    const commandsTake = (o: OptionSpec): boolean => spec.path.length > 0 || specs.slice(1).some((c) => c.options.some((x) => x.flags.join() === o.flags.join()));
    if (spec.arguments.length > 0) lines.push(`complete -c porter${where} -a ${sq(spec.arguments.join(' '))}`);
    const own = spec.path.length === 0 ? spec.options : spec.options.filter((o) => !specs[0]?.options.some((g) => g.flags.join() === o.flags.join()));
    for (const o of own) {
      const names = o.flags.map((f) => (f.startsWith('--') ? `-l ${f.slice(2)}` : f.length === 2 ? `-s ${f.slice(1)}` : `-o ${f.slice(1)}`)).join(' ');
      const value = !o.takesValue ? '' : o.values === 'hook-lists' ? " -x -a '(__porter_values hook-lists)'" : o.values === 'environments' ? " -x -a '(__porter_values environments)'"
        : o.values === 'choices' ? ` -x -a ${sq(o.choices.join(' '))}` : o.values === 'directory' ? " -x -a '(__fish_complete_directories)'" : o.values === 'file' ? ' -r -F' : ' -x';
      lines.push(`complete -c porter${commandsTake(o) ? where : " -n '__fish_use_subcommand'"} ${names}${value} -d ${sq(o.description)}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
