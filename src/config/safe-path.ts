import { realpath, stat } from 'node:fs/promises';
import { dirname, isAbsolute, join, posix, relative, sep } from 'node:path';

/** `./a//b/` → `a/b`: how a relative path from the config is stored. */
export function normalizeRelPath(rel: string): string {
  return posix.normalize(rel).replace(/\/+$/, '').replace(/^\.\//, '') || '.';
}

function inside(root: string, child: string): boolean {
  const rel = relative(root, child);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}

function absolute(rel: string): boolean {
  return isAbsolute(rel) || /^[A-Za-z]:[\\/]/.test(rel) || rel.startsWith('\\');
}

/**
 * Why a path from the config is unsafe or unusable inside the repo, or undefined when it is fine:
 * absolute, `..` out of the root, or (when something exists there or on the way) a symlink that
 * resolves outside `realRoot`. With `mustExist`, a missing file or a directory is a problem too.
 */
export async function repoPathProblem(realRoot: string, rel: string, what: string, mustExist: boolean): Promise<string | undefined> {
  if (absolute(rel)) return `"${rel}" is an absolute path; write the ${what}'s path relative to the repo root.`;
  const norm = normalizeRelPath(rel);
  if (norm === '..' || norm.startsWith('../')) return `"${rel}" leaves the repo root; porter only uses files inside the repo, so move the ${what} into it.`;
  const full = join(realRoot, norm);
  let probe = full;
  for (;;) {
    let real: string;
    try {
      real = await realpath(probe);
    } catch {
      const parent = dirname(probe);
      if (probe === realRoot || !inside(realRoot, parent)) return mustExist ? missing(rel, what, full) : undefined;
      probe = parent;
      continue;
    }
    if (!inside(realRoot, real)) {
      return `"${rel}" resolves outside the repo root through a symlink (to ${real}); porter only uses files inside the repo, so replace the link with the file.`;
    }
    if (!mustExist) return undefined;
    if (probe !== full) return missing(rel, what, full);
    const isDir = (await stat(real)).isDirectory();
    return isDir ? `"${rel}" is a directory; name the ${what} inside it, such as ${posix.join(norm, 'Dockerfile')}.` : undefined;
  }
}

/** Why a path inside a plugin's clone is unsafe, or undefined: it must be relative, with no `..` at all (symlinks are checked after the clone). */
export function pluginPathProblem(rel: string): string | undefined {
  if (absolute(rel)) return `"${rel}" is an absolute path; a plugin's dockerfile is a path inside its repository, such as hooks/Dockerfile.`;
  if (rel.split(/[\\/]/).includes('..')) return `"${rel}" contains "..", and a plugin's dockerfile must stay inside its repository; write the path from the repository's root.`;
  return undefined;
}

function missing(rel: string, what: string, full: string): string {
  return `no ${what} at "${rel}" (looked for ${full}); the path is relative to the repo root.`;
}
