/** This repository's own plugins/, as a service clones them: `repo:` a bare repository holding them at a tag. */
import { cp } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { git } from './git-remote.js';
import { tempDir } from './temp-dirs.js';

const pluginsDir = fileURLToPath(new URL('../../plugins/', import.meta.url));

/** A `file://` URL of a bare repository whose commit tagged `tag` holds plugins/ as it is in the working tree now. */
export async function firstPartyPluginsRepo(tag: string): Promise<string> {
  const root = await tempDir('porter-first-party-test-');
  const work = join(root, 'porter-work');
  await cp(pluginsDir, join(work, 'plugins'), { recursive: true });
  git(root, 'init', '--quiet', '--initial-branch=main', work);
  git(work, 'add', '--all');
  git(work, 'commit', '--quiet', '-m', 'plugins');
  git(work, 'tag', tag);
  git(root, 'clone', '--quiet', '--bare', work, join(root, 'porter.git'));
  return `file://${join(root, 'porter.git')}`;
}
