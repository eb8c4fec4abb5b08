import { durationProblem } from './duration.js';
import { pluginFieldProblem } from './git-fields.js';
import { pluginPathProblem, repoPathProblem } from './safe-path.js';
import { suggest } from './suggest.js';
import { entry, get, getString, keyPlace } from './tree.js';
import type { CheckContext, MapNode, Place, TreeNode } from './tree.js';
import { RESERVED_HOOK_LISTS, RUN_ONCE_LISTS } from './types.js';

/** The checks on `hooks` and `hook_timeout` that the schema cannot express: pairs of fields, uniqueness, paths, repo URLs, secrets. */
export async function checkHooks(root: MapNode, ctx: CheckContext): Promise<void> {
  const hookTimeout = get(root, 'hook_timeout');
  if (hookTimeout) checkDuration(hookTimeout, ctx);
  const hooks = get(root, 'hooks');
  if (hooks?.kind !== 'map') return;
  for (const list of hooks.entries) {
    const close = RESERVED_HOOK_LISTS.includes(list.key) ? undefined : suggest(list.key, RESERVED_HOOK_LISTS);
    if (close !== undefined && ctx.clean(list.value.path)) {
      ctx.report(keyPlace(list), `hook list "${list.key}" is not a phase list, so porter would run it only with "build hook -name ${list.key}"; did you mean ${close}? If it is meant as a user-defined list, give it a name less like ${close}.`);
    }
    if (list.value.kind !== 'seq') continue;
    const names = new Map<string, Place>();
    for (const hook of list.value.items) {
      if (hook.kind !== 'map') continue;
      await checkHook(hook, ctx);
      checkRunPolicy(hook, list.key, ctx);
      const name = entry(hook, 'name');
      const text = getString(hook, 'name');
      if (!name || text === undefined) continue;
      const first = names.get(text);
      if (first) {
        ctx.report(keyPlace(name), `"${text}" is already the name of ${first.path} (line ${first.line}); hook names must be unique within a list, so rename one of them (lines ${first.line} and ${name.keyLine}).`);
      } else {
        names.set(text, { line: name.keyLine, path: hook.path });
      }
    }
  }
}

async function checkHook(hook: MapNode, ctx: CheckContext): Promise<void> {
  const repo = get(hook, 'repo');
  const ref = get(hook, 'ref');
  const dockerfile = get(hook, 'dockerfile');
  const repoText = getString(hook, 'repo');
  const at = (key: string): Place => ({ line: hook.line, path: `${hook.path}.${key}` });
  if (repo) {
    const problem = repoText === undefined ? undefined : pluginFieldProblem('repo', repoText);
    if (problem && ctx.clean(repo.path)) ctx.report(repo, problem);
    const refText = getString(hook, 'ref');
    const refProblem = refText === undefined ? undefined : pluginFieldProblem('ref', refText);
    if (ref && refProblem && ctx.clean(ref.path)) ctx.report(ref, refProblem);
    if (!ref) ctx.report(at('ref'), 'is missing: a plugin hook (one with repo:) needs ref: a branch, tag or commit sha to check out.');
    const path = getString(hook, 'dockerfile');
    const pathProblem = path === undefined ? undefined : pluginPathProblem(path);
    if (dockerfile && pathProblem && ctx.clean(dockerfile.path)) ctx.report(dockerfile, pathProblem);
  } else {
    if (ref) ctx.report(ref, 'is only for plugin hooks: add repo: (the plugin\'s git URL), or remove ref.');
    if (!dockerfile) {
      ctx.report(at('dockerfile'), 'is missing: a local hook needs dockerfile: (its Dockerfile\'s path from the repo root); a plugin needs repo: and ref: instead.');
    } else {
      await checkRepoPath(dockerfile, 'Dockerfile', true, ctx);
    }
  }
  const envFile = get(hook, 'env_file');
  if (envFile) await checkRepoPath(envFile, 'env_file', false, ctx);
  const timeout = get(hook, 'timeout');
  if (timeout) checkDuration(timeout, ctx);
  const keys = checkEnvironment(get(hook, 'environment'), ctx);
  const secrets = get(hook, 'secrets');
  if (secrets?.kind === 'seq') {
    for (const s of secrets.items) {
      if (s.kind !== 'scalar' || typeof s.value !== 'string' || keys.has(s.value) || !ctx.clean(s.path)) continue;
      ctx.report(s, `"${s.value}" is not in this hook's environment, so there is no value to mask; add it to environment (as ${s.value}: to pass it from the host) or remove it from secrets.`);
    }
  }
}

/** Reports reserved and repeated keys of a hook's `environment` (map or list form) and returns the keys. */
function checkEnvironment(env: TreeNode | undefined, ctx: CheckContext): Set<string> {
  const keys = new Set<string>();
  const reserved = (key: string, at: Place): void => {
    if (key.startsWith('PORTER_')) ctx.report(at, `"${key}" is reserved: porter sets the PORTER_ variables itself, so rename this one.`);
  };
  if (env?.kind === 'map') {
    for (const e of env.entries) {
      keys.add(e.key);
      reserved(e.key, keyPlace(e));
    }
  } else if (env?.kind === 'seq') {
    const seen = new Map<string, Place>();
    for (const item of env.items) {
      if (item.kind !== 'scalar' || typeof item.value !== 'string' || !ctx.clean(item.path)) continue;
      const key = item.value.split('=', 1)[0] ?? '';
      keys.add(key);
      reserved(key, item);
      const first = seen.get(key);
      if (first !== undefined) ctx.report(item, `"${key}" is already set by ${first.path} (line ${first.line}); keep one of the two entries.`);
      else seen.set(key, item);
    }
  }
  return keys;
}

async function checkRepoPath(node: TreeNode, what: string, mustExist: boolean, ctx: CheckContext): Promise<void> {
  if (node.kind !== 'scalar' || typeof node.value !== 'string' || !ctx.clean(node.path)) return;
  const problem = await repoPathProblem(ctx.realRoot, node.value, what, mustExist);
  if (problem) ctx.report(node, problem);
}

/** Reports a duration that parses but is zero or over 24h (the schema checks its form). */
export function checkDuration(node: TreeNode, ctx: CheckContext): void {
  if (node.kind !== 'scalar' || typeof node.value !== 'string' || !ctx.clean(node.path)) return;
  const problem = durationProblem(node.value);
  if (problem) ctx.report(node, problem);
}

/** `run_policy` means "on the environment's first provision": anywhere but pre_/post_provision it would mean nothing. */
function checkRunPolicy(hook: MapNode, list: string, ctx: CheckContext): void {
  const policy = get(hook, 'run_policy');
  if (!policy || RUN_ONCE_LISTS.includes(list) || !ctx.clean(policy.path)) return;
  ctx.report(policy, `has no meaning in ${list}: run_policy says whether a hook runs on every provision of an environment or only on its first, so it is only for pre_provision and post_provision hooks. Remove it, or move the hook to one of those lists.`);
}
