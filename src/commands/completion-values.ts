import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parse } from 'yaml';
import { DEFAULT_CONFIG_PATH } from '../config/load.js';
import { RESERVED_HOOK_LISTS } from '../config/types.js';

/** What a shell asks porter for while completing a word. */
export type CompletionValues = 'hook-lists' | 'environments';

const isMap = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The names a word may be completed to, read from the config as it is now: the user-defined hook lists (what
 * `build hook -name` runs) or the environments. Read leniently, without validating or expanding: a config being
 * edited still completes, and one that cannot be read completes to nothing rather than to an error on the prompt.
 */
export async function completionValues(repoDir: string, configPath: string | undefined, what: CompletionValues): Promise<string[]> {
  let doc: unknown;
  try {
    doc = parse(await readFile(resolve(repoDir, configPath ?? DEFAULT_CONFIG_PATH), 'utf8'));
  } catch {
    return [];
  }
  if (!isMap(doc)) return [];
  if (what === 'hook-lists') return isMap(doc.hooks) ? Object.keys(doc.hooks).filter((l) => !RESERVED_HOOK_LISTS.includes(l)) : [];
  const envs = Array.isArray(doc.environments) ? doc.environments : [];
  return envs.map((e) => (isMap(e) && typeof e.name === 'string' ? e.name : undefined)).filter((n): n is string => n !== undefined);
}
