import { realpath, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { ConfigError } from '../errors.js';
import type { ConfigProblem } from '../errors.js';
import { checkEnvironments } from './check-environments.js';
import { checkHooks } from './check-hooks.js';
import { checkEventHooks } from './event-hooks.js';
import { checkSchema } from './check-schema.js';
import { normalizeConfig } from './normalize.js';
import { configSchema } from './schema.js';
import type { CheckContext, Place, TreeNode } from './tree.js';
import type { IgnoredKey, PorterConfig } from './types.js';

export { findEnvironment } from './find-environment.js';

/** Sorts problems by line and drops exact repeats (an alias can make one mistake appear twice). */
export function sortProblems(problems: readonly ConfigProblem[]): ConfigProblem[] {
  const seen = new Set<string>();
  return [...problems]
    .sort((a, b) => a.line - b.line || a.path.localeCompare(b.path))
    .filter((p) => {
      const key = `${p.line}\0${p.path}\0${p.message}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
}

/**
 * Checks a config tree against `schema/porter-config.schema.json`, then what a schema cannot say
 * (paths inside the repo, plugin fields, uniqueness, pairs of fields), and returns the
 * normalised config. Throws one ConfigError with every problem found, `earlier` ones included.
 */
export async function validateConfig(
  tree: TreeNode,
  opts: { file: string; repoDir: string; earlier?: readonly ConfigProblem[]; ignored?: readonly IgnoredKey[]; strict?: boolean },
): Promise<PorterConfig> {
  const problems: ConfigProblem[] = [...(opts.earlier ?? [])];
  const ignored = uniqueIgnored(opts.ignored ?? []);
  if (opts.strict) {
    for (const k of ignored) problems.push({ file: opts.file, line: k.line, path: k.path, message: `is a key of the original porter that does nothing on Docker (${k.why}); remove it, or validate without --strict to have it ignored.` });
  }
  const flagged = new Set<string>();
  const report = (at: Place, message: string): void => {
    problems.push({ file: opts.file, line: at.line, path: at.path, message });
  };
  const schema = configSchema();
  checkSchema(tree, schema, schema, (at, message) => {
    flagged.add(at.path);
    report(at, message);
  });
  if (tree.kind === 'map') {
    const ctx: CheckContext = {
      realRoot: await realpath(opts.repoDir).catch(() => resolve(opts.repoDir)),
      report,
      clean: (path) => !flagged.has(path),
    };
    await checkHooks(tree, ctx);
    await checkEnvironments(tree, ctx);
    checkEventHooks(tree, ctx);
  }
  if (problems.length > 0 || tree.kind !== 'map') throw new ConfigError(sortProblems(problems));
  const defaultBuilder = await stat(resolve(opts.repoDir, 'Dockerfile.build')).then((s) => s.isFile(), () => false);
  return { ...normalizeConfig(tree, opts.file, { defaultBuilder }), ignoredKeys: ignored };
}

/** One entry per key as written: an anchor merged into three regions is one key on one line. */
function uniqueIgnored(found: readonly IgnoredKey[]): IgnoredKey[] {
  const seen = new Set<string>();
  return found.filter((k) => {
    const id = `${k.line}\0${k.key}`;
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  }).sort((a, b) => a.line - b.line);
}
