/** The builder pattern's build args: the `ARG`s a Dockerfile declares that have a value in porter's environment. */

/** Instructions of a Dockerfile, continuation lines joined and comments dropped (the default `\` escape). */
function instructions(text: string): string[] {
  const out: string[] = [];
  let current = '';
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (current === '' && (line === '' || line.startsWith('#'))) continue;
    if (current !== '' && line.startsWith('#')) continue;
    if (line.endsWith('\\')) {
      current += `${line.slice(0, -1)} `;
      continue;
    }
    out.push(`${current}${line}`.trim());
    current = '';
  }
  if (current.trim()) out.push(current.trim());
  return out;
}

/** The names every `ARG` instruction declares, in order, once each (`ARG A`, `ARG B=1 C`). */
export function declaredArgs(dockerfile: string): string[] {
  const names: string[] = [];
  for (const instruction of instructions(dockerfile)) {
    const m = /^arg\s+(.+)$/i.exec(instruction);
    if (!m) continue;
    for (const word of (m[1] ?? '').split(/\s+/)) {
      const name = word.split('=')[0] ?? '';
      if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(name) && !names.includes(name)) names.push(name);
    }
  }
  return names;
}

/** The `ARG`s with neither a default in the Dockerfile (`ARG A=1`) nor a value in `env`: what `validate_build_args_exist` refuses. */
export function argsWithoutValue(dockerfile: string, env: Readonly<Record<string, string | undefined>>): string[] {
  const defaulted = new Set<string>();
  for (const instruction of instructions(dockerfile)) {
    const m = /^arg\s+(.+)$/i.exec(instruction);
    for (const word of (m?.[1] ?? '').split(/\s+/)) if (word.includes('=')) defaulted.add(word.split('=')[0] ?? '');
  }
  return declaredArgs(dockerfile).filter((name) => !defaulted.has(name) && env[name] === undefined);
}

/** The build args to send: each declared ARG that `env` has a value for. */
export function buildArgsFor(dockerfile: string, env: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const args: Record<string, string> = {};
  for (const name of declaredArgs(dockerfile)) {
    const value = env[name];
    if (value !== undefined) args[name] = value;
  }
  return args;
}
