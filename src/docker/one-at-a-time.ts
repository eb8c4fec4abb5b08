/** Work of this process that must not overlap per key: an engine's network creations, by engine and name. */

/** Network creations going on in this process, by engine and name (see oneAtATime). */
const creating = new Map<string, Promise<unknown>>();

/**
 * Runs `work` after any other work of this process under `key` has settled. Two regions on one engine create the
 * same environment network at once; an engine's duplicate-name check is not atomic (Docker 20.10 can make two
 * networks of one name, after which every use of the name is "ambiguous"), so this process asks one at a time.
 */
export async function oneAtATime<T>(key: string, work: () => Promise<T>): Promise<T> {
  const before = creating.get(key) ?? Promise.resolve();
  const mine = before.catch(() => undefined).then(work);
  creating.set(key, mine);
  try {
    return await mine;
  } finally {
    if (creating.get(key) === mine) creating.delete(key);
  }
}
