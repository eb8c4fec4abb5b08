/** Replaces each secret value with `***` wherever it appears in a line, the longest first. */
export type Masker = (line: string) => string;

/** The strings a masker replaces for these values, longest first: each value, and each line of a multi-line one. */
export function secretPieces(values: Iterable<string>): string[] {
  // A multi-line secret reaches the log one line at a time, so each of its lines is a secret too.
  const pieces = [...values].flatMap((v) => [v, ...v.split(/\r?\n/)]).filter((v) => v.length > 0);
  return [...new Set(pieces)].sort((a, b) => b.length - a.length);
}

/** Builds the masker for a set of secret values; empty values are ignored (they would mask everything). */
export function createMasker(values: Iterable<string>): Masker {
  const secrets = secretPieces(values);
  if (secrets.length === 0) return (line) => line;
  return (line) => {
    let out = line;
    for (const s of secrets) if (out.includes(s)) out = out.split(s).join('***');
    return out;
  };
}

/**
 * Every secret value declared by any hook of a command, so a value one hook declares secret is masked in
 * every hook's lines after that — not only in the declaring hook's own output.
 */
export class SecretSet {
  private values = new Set<string>();
  private masker: Masker = (line) => line;

  /** Adds values (empty ones are ignored); lines masked from now on hide them. */
  add(values: Iterable<string>): void {
    const before = this.values.size;
    for (const v of values) if (v !== '') this.values.add(v);
    if (this.values.size !== before) this.masker = createMasker(this.values);
  }

  /** The line with every known secret replaced by `***`. */
  mask(line: string): string {
    return this.masker(line);
  }

  /** What `mask` replaces (see secretPieces), longest first. */
  pieces(): string[] {
    return secretPieces(this.values);
  }
}
