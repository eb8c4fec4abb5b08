/** Masking a stream whose over-long lines arrive in pieces (of at most 64 Ki, so memory stays bounded). */

/** What a piece masker needs of the command's secrets (a SecretSet). */
export interface Secrets {
  mask(line: string): string;
  /** Every string `mask` replaces, longest first. */
  pieces(): readonly string[];
}

/**
 * Masks one stream's lines and pieces of lines. A secret cut in two by a piece boundary would pass a per-line
 * masker in halves that a reader puts back together, so the end of a piece that could begin a secret is held
 * back and masked with the next piece. Returns the masked text to show, or undefined when all of it is held.
 */
export function createPieceMasker(secrets: Secrets): (text: string, partial: boolean) => string | undefined {
  let carry = '';
  return (piece, partial) => {
    const text = carry + piece;
    carry = '';
    if (!partial) return secrets.mask(text);
    const list = secrets.pieces();
    const longest = list[0]?.length ?? 0;
    // Any secret that continues into the next piece starts in the last `longest - 1` characters.
    let cut = Math.max(0, text.length - Math.max(0, longest - 1));
    // Move the cut back before a secret that spans it, so that every secret is masked whole on one side.
    for (let moved = true; moved;) {
      moved = false;
      for (const s of list) {
        for (let at = text.indexOf(s, Math.max(0, cut - s.length + 1)); at !== -1 && at < cut; at = text.indexOf(s, at + 1)) {
          if (at + s.length > cut) {
            cut = at;
            moved = true;
          }
        }
      }
    }
    carry = text.slice(cut);
    return cut > 0 ? secrets.mask(text.slice(0, cut)) : undefined;
  };
}
