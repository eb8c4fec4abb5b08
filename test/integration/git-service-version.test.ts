/** PORTER_SERVICE_VERSION from real git: the scrubbed environment, and a checkout owned by another uid (safe.directory). */
import assert from 'node:assert/strict';
import { chown, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { serviceVersion } from '../../src/git/service-version.js';
import { git } from '../helpers/git-remote.js';
import { removeTempDirs, tempDir } from '../helpers/temp-dirs.js';

const PATH = process.env.PATH ?? '/usr/bin:/bin';

async function committedRepo(): Promise<{ dir: string; short: string }> {
  const dir = await tempDir('porter-version-test-');
  git(dir, 'init', '--quiet', '--initial-branch=main');
  git(dir, 'commit', '--quiet', '--allow-empty', '-m', 'one');
  return { dir, short: git(dir, 'rev-parse', '--short', 'HEAD') };
}

after(() => removeTempDirs());

describe('serviceVersion', () => {
  it('is the short sha of HEAD, "unversioned" outside a repo, and ignores a GIT_DIR in porter\'s environment', { timeout: 20_000 }, async () => {
    const { dir, short } = await committedRepo();
    const other = await committedRepo();
    git(other.dir, 'commit', '--quiet', '--allow-empty', '-m', 'two');
    assert.equal(await serviceVersion(dir, { PATH }), short);
    assert.equal(await serviceVersion(dir, { PATH, GIT_DIR: join(other.dir, '.git'), GIT_WORK_TREE: other.dir }), short);
    assert.equal(await serviceVersion(await tempDir('porter-version-test-'), { PATH }), 'unversioned');
  });

  it('reads a checkout owned by another uid when the user\'s git config lists it in safe.directory, as git itself does', { timeout: 20_000 }, async (t) => {
    if (process.getuid?.() !== 0) {
      process.stderr.write('\n*** SKIPPED: giving a repo to another uid needs root\n\n');
      t.skip('needs root to chown');
      return;
    }
    const { dir, short } = await committedRepo();
    const home = await tempDir('porter-version-test-');
    await chown(dir, 4242, 4242);
    // Without safe.directory git refuses the repo ("dubious ownership"), so porter cannot read its version.
    assert.equal(await serviceVersion(dir, { PATH, HOME: home }), 'unversioned');
    await writeFile(join(home, '.gitconfig'), `[safe]\n\tdirectory = ${dir}\n`);
    assert.equal(await serviceVersion(dir, { PATH, HOME: home }), short);
    // The XDG location of the user's git config counts too.
    const xdg = await tempDir('porter-version-test-');
    await mkdir(join(xdg, 'git'));
    await writeFile(join(xdg, 'git', 'config'), `[safe]\n\tdirectory = ${dir}\n`);
    assert.equal(await serviceVersion(dir, { PATH, HOME: await tempDir('porter-version-test-'), XDG_CONFIG_HOME: xdg }), short);
  });
});
