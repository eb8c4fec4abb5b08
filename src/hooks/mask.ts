/** Replaces each secret value with `***` wherever it appears in a line, the longest first. */
export type Masker = (line: string) => string;

/** Builds the masker for a set of secret values; empty values are ignored (they would mask everything). */
export function createMasker(values: Iterable<string>): Masker {
  // A multi-line secret reaches the log one line at a time, so each of its lines is a secret too.
  const pieces = [...values].flatMap((v) => [v, ...v.split(/\r?\n/)]).filter((v) => v.length > 0);
  const secrets = [...new Set(pieces)].sort((a, b) => b.length - a.length);
  if (secrets.length === 0) return (line) => line;
  return (line) => {
    let out = line;
    for (const s of secrets) if (out.includes(s)) out = out.split(s).join('***');
    return out;
  };
}
