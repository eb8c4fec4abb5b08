import { realpath } from 'node:fs/promises';
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
import type { PorterConfig } from './types.js';

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
  opts: { file: string; repoDir: string; earlier?: readonly ConfigProblem[] },
): Promise<PorterConfig> {
  const problems: ConfigProblem[] = [...(opts.earlier ?? [])];
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
  return normalizeConfig(tree, opts.file);
}
