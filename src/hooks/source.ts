import { realpath, stat } from 'node:fs/promises';
import { dirname, basename, join, relative, isAbsolute, sep } from 'node:path';
import type { HookConfig } from '../config/types.js';
import type { RunContext } from '../context.js';
import { UsageError } from '../errors.js';
import { redactUrl } from '../git/redact.js';

/** Where a hook's image is built from. */
export interface HookSource {
  contextDir: string;
  /** Relative to contextDir. */
  dockerfile: string;
  /** How messages name it: `.porter/hooks/lint/Dockerfile` or `repo@ref:path`. */
  display: string;
}

/** The Dockerfile is missing from a plugin checkout: the hook fails (exit 1), it is not a config error. */
export class MissingDockerfile extends Error {}

/** True when `child` is `root` or lies beneath it. */
export function isInside(root: string, child: string): boolean {
  const rel = relative(root, child);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

/** How messages name a hook's Dockerfile: its path from the repo root, or `repo@ref:path` (credentials hidden) for a plugin. */
export function hookDisplay(hook: HookConfig): string {
  return hook.repo ? `${redactUrl(hook.repo)}@${hook.ref ?? ''}:${hook.dockerfile}` : hook.dockerfile;
}

/**
 * Resolves a hook's Dockerfile from the repo root (local) or from its plugin checkout, refusing any path
 * that escapes its root, symlinks included; the build context is the Dockerfile's directory.
 */
export async function resolveHookSource(hook: HookConfig, ctx: RunContext): Promise<HookSource> {
  let root = ctx.repoDir;
  const display = hookDisplay(hook);
  if (hook.repo && hook.ref) {
    const checkout = await ctx.plugins.fetch(hook.repo, hook.ref, ctx.signal);
    root = checkout.dir;
  }
  const path = join(root, hook.dockerfile);
  const realRoot = await realpath(root);
  let real: string;
  try {
    real = await realpath(path);
    if (!(await stat(real)).isFile()) throw new MissingDockerfile(`${display} is not a file`);
  } catch (err) {
    if (err instanceof MissingDockerfile) throw err;
    throw new MissingDockerfile(`no Dockerfile at ${display}`);
  }
  if (!isInside(realRoot, real)) {
    throw new UsageError(`${ctx.config.file}:${hook.line}: hooks.${hook.list}[${hook.index}].dockerfile: ${display} resolves outside its ${hook.repo ? 'plugin checkout' : 'repository'} (through a symlink); a hook's Dockerfile must stay inside it.`);
  }
  return { contextDir: dirname(path), dockerfile: basename(path), display };
}
