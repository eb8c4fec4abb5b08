/** Which files of a build context the docker CLI would send, following its `.dockerignore` rules. */
import { lstat, readdir, readFile, readlink } from 'node:fs/promises';
import { posix, join } from 'node:path';
import dockerignoreModule from '@balena/dockerignore';

export interface ContextEntry {
  /** Relative to the context, `/`-separated, no leading `./`. */
  path: string;
  type: 'file' | 'directory' | 'symlink';
  /** Permission bits (`mode & 0o7777`), as the tar header carries them. */
  mode: number;
  size: number;
  /** Where a symlink points, verbatim (it is sent as a link, never followed). */
  linkTarget?: string;
}

// A CommonJS module whose types declare `export default`; at runtime `module.exports.default` is the factory too.
const dockerignore = dockerignoreModule.default;

function cleanPattern(pattern: string): string {
  return posix.normalize(pattern).replace(/^\/+/, '').replace(/\/+$/, '');
}

/** The Dockerfile path relative to the context, `/`-separated; a path that leaves the context is a bug upstream. */
export function normalizeDockerfile(dockerfile: string): string {
  const clean = cleanPattern(dockerfile.split('\\').join('/'));
  if (clean === '' || clean === '.' || clean === '..' || clean.startsWith('../') || posix.isAbsolute(dockerfile)) {
    throw new Error(`Dockerfile path "${dockerfile}" must name a file inside the build context`);
  }
  return clean;
}

async function readPatterns(contextDir: string): Promise<string[]> {
  try {
    const text = await readFile(join(contextDir, '.dockerignore'), 'utf8');
    // As moby reads it: a `#` in column 0 starts a comment; everything else is trimmed.
    return text.split(/\r?\n/).filter((line) => !line.startsWith('#')).map((line) => line.trim()).filter(Boolean);
  } catch (err) {
    if ((err as { code?: string }).code === 'ENOENT') return [];
    throw err;
  }
}

/** porter's workspace (payload, outputs that may hold secrets): never part of a build context. */
const PORTER_TMP = '.porter-tmp';

/**
 * Every entry that `docker build` would put in the context tar, sorted by path (parents first).
 * Like the docker CLI: the Dockerfile and `.dockerignore` are always sent; an ignored directory is only
 * walked when a `!` exception names something under it, and is not itself sent; sockets and devices are skipped.
 * Unlike it, `.porter-tmp/` at the context's root is never sent.
 */
export async function listContextFiles(contextDir: string, dockerfile: string): Promise<ContextEntry[]> {
  const patterns = [...(await readPatterns(contextDir)), `!${normalizeDockerfile(dockerfile)}`, '!.dockerignore'];
  const matcher = dockerignore({ ignorecase: false }).add(patterns);
  const exceptions = patterns.filter((p) => p.startsWith('!')).map((p) => `${cleanPattern(p.slice(1).trim())}/`);
  const entries: ContextEntry[] = [];

  const walk = async (dirRel: string): Promise<void> => {
    const names = (await readdir(join(contextDir, dirRel))).sort();
    for (const name of names) {
      if (dirRel === '' && name === PORTER_TMP) continue;
      const rel = dirRel ? `${dirRel}/${name}` : name;
      const stat = await lstat(join(contextDir, rel));
      const ignored = matcher.ignores(rel);
      const mode = stat.mode & 0o7777;
      if (stat.isDirectory()) {
        if (ignored && !exceptions.some((e) => e.startsWith(`${rel}/`))) continue;
        if (!ignored) entries.push({ path: rel, type: 'directory', mode, size: 0 });
        await walk(rel);
      } else if (ignored) {
        continue;
      } else if (stat.isFile()) {
        entries.push({ path: rel, type: 'file', mode, size: stat.size });
      } else if (stat.isSymbolicLink()) {
        entries.push({ path: rel, type: 'symlink', mode, size: 0, linkTarget: await readlink(join(contextDir, rel)) });
      }
    }
  };
  await walk('');
  return entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
