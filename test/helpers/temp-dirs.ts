/** Real temporary directories for tests, and trees of files written into them. */
import { chmod, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const tempDirs: string[] = [];

/** A fresh directory under the OS temp dir, removed by `removeTempDirs`. */
export async function tempDir(prefix = 'porter-test-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
}

/** Removes every directory `tempDir` made in this process. */
export async function removeTempDirs(): Promise<void> {
  await Promise.all(tempDirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
}

/** A file's text, or its text and mode, or a symlink. */
export type FixtureFile = string | { content: string | Buffer; mode?: number } | { symlink: string };
export type FixtureTree = Record<string, FixtureFile>;

/** Writes `files` (paths relative to `dir`, parents created) into `dir`. */
export async function writeTree(dir: string, files: FixtureTree): Promise<void> {
  for (const [rel, file] of Object.entries(files)) {
    const path = join(dir, rel);
    await mkdir(dirname(path), { recursive: true });
    if (typeof file === 'string') await writeFile(path, file);
    else if ('symlink' in file) await symlink(file.symlink, path);
    else {
      await writeFile(path, file.content);
      if (file.mode !== undefined) await chmod(path, file.mode);
    }
  }
}

