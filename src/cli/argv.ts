import { UsageError } from '../errors.js';

/** Long options the original took with one dash (Go's flag package); they keep working. */
export const GO_STYLE: ReadonlySet<string> = new Set(['name', 'stack', 'keep', 'config', 'environment', 'junit', 'report', 'dry-run', 'log-format', 'quiet', 'version', 'help']);

/**
 * Rewrites `-name X` to `--name X` (and `-name=X`) before commander sees it: commander 13+ refuses an
 * option declared as `-name`. Stops at `--`, after which every word is an argument.
 */
export function rewriteGoFlags(argv: readonly string[]): string[] {
  const out: string[] = [];
  let passthrough = false;
  for (const word of argv) {
    if (passthrough || word === '--') {
      passthrough = true;
      out.push(word);
      continue;
    }
    const m = /^-([a-z][a-z-]+)(=.*)?$/.exec(word);
    out.push(m && GO_STYLE.has(m[1] ?? '') ? `-${word}` : word);
  }
  return out;
}

/** porter's global options that take a value, so `-C dir help build` finds `help` after them. */
const GLOBAL_WITH_VALUE = new Set(['-C', '--config', '--log-format', '--junit', '--report']);

/**
 * `porter help build hook` → `build hook --help` (global options before `help` are kept): commander's
 * own help command only looks one level down (it would show `build`'s help), and porter's commands are
 * two deep. `isCommand` says whether the words name a command; when not, that is a usage error.
 */
export function rewriteHelpCommand(argv: readonly string[], isCommand: (words: readonly string[]) => boolean): string[] {
  let i = 0;
  while (i < argv.length && (argv[i] ?? '').startsWith('-')) i += GLOBAL_WITH_VALUE.has(argv[i] ?? '') ? 2 : 1;
  const words = argv.slice(i + 1);
  if (argv[i] !== 'help' || words.length === 0 || words.some((w) => w.startsWith('-'))) return [...argv];
  if (!isCommand(words)) throw new UsageError(`porter help ${words.join(' ')}: there is no such command. Run \`porter help\` to list the commands.`);
  return [...argv.slice(0, i), ...words, '--help'];
}
