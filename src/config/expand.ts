/**
 * `${VAR}` expansion inside string values of the config, Compose-style. It runs on parsed
 * scalars, never on the raw text, so a variable's value cannot change the YAML structure.
 */

/** Finds a variable's value; undefined when it is set nowhere. */
export type Lookup = (name: string) => string | undefined;

/** The expanded text (and whether any reference was in it), or why it cannot be expanded. */
export type Expansion = { ok: true; value: string; changed: boolean } | { ok: false; message: string };

const NAME = /^[A-Za-z_][A-Za-z0-9_]*/;
const BRACED = /^([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([\s\S]*))?$/;

/** The process environment first, then `.env` (the process wins, even when it sets an empty value). */
export function makeLookup(processEnv: Record<string, string | undefined>, dotEnv: Record<string, string>): Lookup {
  return (name) => {
    const fromProcess = Object.hasOwn(processEnv, name) ? processEnv[name] : undefined;
    if (fromProcess !== undefined) return fromProcess;
    return Object.hasOwn(dotEnv, name) ? dotEnv[name] : undefined;
  };
}

/** Why an unset variable is an error, and the three ways out. */
export function unsetMessage(name: string): string {
  return `\${${name}} is not set: set it in the environment or in .env at the repo root, give a default with \${${name}:-value}, or write $$ for a literal $.`;
}

/**
 * Expands `$VAR`, `${VAR}`, `${VAR:-default}` (unset or empty), `${VAR-default}` (unset),
 * `${VAR:?message}` / `${VAR?message}` (required) and `$$` (a literal `$`). A `$` followed by
 * anything else is kept as it is. Defaults are expanded in turn.
 */
export function expandString(text: string, lookup: Lookup): Expansion {
  let out = '';
  let changed = false;
  let i = 0;
  while (i < text.length) {
    const dollar = text.indexOf('$', i);
    if (dollar < 0) {
      out += text.slice(i);
      break;
    }
    out += text.slice(i, dollar);
    const next = text[dollar + 1];
    if (next === '$') {
      out += '$';
      changed = true;
      i = dollar + 2;
    } else if (next === '{') {
      const close = findClose(text, dollar + 2);
      if (close < 0) {
        return { ok: false, message: `"\${" at "${clip(text.slice(dollar))}" has no closing "}": close it, or write $$ for a literal $.` };
      }
      const result = expandBraced(text.slice(dollar + 2, close), lookup);
      if (!result.ok) return result;
      out += result.value;
      changed = true;
      i = close + 1;
    } else {
      const name = NAME.exec(text.slice(dollar + 1))?.[0];
      if (name === undefined) {
        out += '$';
        i = dollar + 1;
        continue;
      }
      const value = lookup(name);
      if (value === undefined) return { ok: false, message: unsetMessage(name) };
      out += value;
      changed = true;
      i = dollar + 1 + name.length;
    }
  }
  return { ok: true, value: out, changed };
}

function expandBraced(body: string, lookup: Lookup): Expansion {
  const m = BRACED.exec(body);
  if (!m) {
    return {
      ok: false,
      message: `"\${${clip(body)}}" is not a valid reference: write \${NAME}, \${NAME:-default} or $NAME, where NAME is letters, digits and _, or write $$ for a literal $.`,
    };
  }
  const [, name = '', op, rest = ''] = m;
  const value = lookup(name);
  const missing = op?.startsWith(':') ? value === undefined || value === '' : value === undefined;
  if (op === undefined) {
    return value === undefined ? { ok: false, message: unsetMessage(name) } : { ok: true, value, changed: true };
  }
  if (!missing) return { ok: true, value: value ?? '', changed: true };
  if (op.endsWith('?')) {
    const why = rest ? `: ${rest}` : '';
    return { ok: false, message: `\${${name}} is required${why}. Set it in the environment or in .env at the repo root.` };
  }
  const fallback = expandString(rest, lookup);
  return fallback.ok ? { ...fallback, changed: true } : fallback;
}

/** Index of the `}` closing a `${` whose body starts at `from`, counting nested `${`; -1 if none. */
function findClose(text: string, from: number): number {
  let depth = 1;
  for (let j = from; j < text.length; j++) {
    const c = text[j];
    if (c === '$' && (text[j + 1] === '$' || text[j + 1] === '{')) {
      if (text[j + 1] === '{') depth++;
      j++;
    } else if (c === '}') {
      depth--;
      if (depth === 0) return j;
    }
  }
  return -1;
}

function clip(s: string): string {
  return s.length > 40 ? `${s.slice(0, 40)}…` : s;
}
