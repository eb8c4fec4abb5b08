/** Long options the original took with one dash (Go's flag package); they keep working. */
const GO_STYLE = new Set(['name', 'stack', 'keep', 'config', 'environment', 'junit', 'dry-run', 'log-format', 'quiet', 'version', 'help']);

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
