import assert from 'node:assert/strict';
import { chmod, readdir, readlink, rm, writeFile, lstat } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { after, describe, test } from 'node:test';
import tar from 'tar-fs';
import { hashContext, packContext } from '../../src/docker/build-context.js';
import { listContextFiles } from '../../src/docker/context-files.js';
import { removeTempDirs, tempDir, writeTree, type FixtureTree } from '../helpers/temp-dirs.js';

const tree: FixtureTree = {
  Dockerfile: 'FROM busybox\nCOPY . /app/\n',
  '.dockerignore': '# comment line\nsecret.env\n*.log\nnode_modules\nbuild/\n!build/keep.txt\ndocs/**/*.md\n',
  'app.js': 'console.log(1)\n',
  'run.sh': { content: '#!/bin/sh\necho hi\n', mode: 0o755 },
  'secret.env': 'TOKEN=do-not-send\n',
  'debug.log': 'noise\n',
  'node_modules/dep/index.js': 'module.exports = 1\n',
  'build/out.bin': 'compiled\n',
  'build/keep.txt': 'keep me\n',
  'docs/guide/intro.md': '# ignored by **\n',
  'docs/guide/diagram.svg': '<svg/>\n',
  'link-to-app': { symlink: 'app.js' },
  'empty-dir/.gitkeep': '',
};

async function context(extra: FixtureTree = {}): Promise<string> {
  const dir = await tempDir('porter-ctx-unit-');
  await writeTree(dir, { ...tree, ...extra });
  return dir;
}

async function unpack(contextDir: string, dockerfile = 'Dockerfile'): Promise<string[]> {
  const out = await tempDir('porter-unpacked-');
  await pipeline(await packContext(contextDir, dockerfile), tar.extract(out));
  const found: string[] = [];
  const walk = async (rel: string): Promise<void> => {
    for (const name of await readdir(join(out, rel))) {
      const path = rel ? `${rel}/${name}` : name;
      const stat = await lstat(join(out, path));
      if (stat.isDirectory()) await walk(path);
      else found.push(path);
    }
  };
  await walk('');
  return found.sort();
}

const sent = ['.dockerignore', 'Dockerfile', 'app.js', 'build/keep.txt', 'docs/guide/diagram.svg', 'empty-dir/.gitkeep', 'link-to-app', 'run.sh'];

describe('packContext', () => {
  after(removeTempDirs);

  test('sends exactly the files .dockerignore lets through, with ! exceptions inside an ignored directory', async () => {
    assert.deepEqual(await unpack(await context()), sent);
  });

  test('always sends the Dockerfile and .dockerignore, even when .dockerignore names them', async () => {
    const dir = await context({ '.dockerignore': 'Dockerfile\n.dockerignore\n*\n' });
    assert.deepEqual(await unpack(dir), ['.dockerignore', 'Dockerfile']);
  });

  test('walks into an ignored directory to send a Dockerfile that lives there', async () => {
    const dir = await context({ 'hooks/lint/Dockerfile': 'FROM busybox\n', 'hooks/lint/other.txt': 'x', '.dockerignore': 'hooks\n' });
    const files = await unpack(dir, 'hooks/lint/Dockerfile');
    assert.ok(files.includes('hooks/lint/Dockerfile'));
    assert.ok(!files.includes('hooks/lint/other.txt'));
  });

  test('keeps modes and sends symlinks as links, not as the files they point to', async () => {
    const dir = await context();
    const out = await tempDir('porter-unpacked-');
    await pipeline(await packContext(dir, 'Dockerfile'), tar.extract(out));
    assert.equal((await lstat(join(out, 'run.sh'))).mode & 0o777, 0o755);
    assert.equal(await readlink(join(out, 'link-to-app')), 'app.js');
  });

  test('lists entries sorted, parents before children, with modes, sizes and link targets', async () => {
    const entries = await listContextFiles(await context(), 'Dockerfile');
    const paths = entries.map((e) => e.path);
    assert.deepEqual(paths, [...paths].sort());
    assert.ok(paths.indexOf('empty-dir') < paths.indexOf('empty-dir/.gitkeep'));
    assert.ok(!paths.includes('build'), 'an ignored directory is walked for exceptions but not itself sent');
    assert.deepEqual(entries.find((e) => e.path === 'link-to-app'), { path: 'link-to-app', type: 'symlink', mode: 0o777, size: 0, linkTarget: 'app.js' });
    assert.equal(entries.find((e) => e.path === 'app.js')?.size, 15);
  });

  test('never sends porter\'s own .porter-tmp/ workspace, and its changes do not change the hash', async () => {
    const dir = await context({ '.porter-tmp/outputs.json': '{"TOKEN":"s3cret"}', '.porter-tmp/payload.tar': 'x', 'sub/.porter-tmp/kept.txt': 'only the root one is porter\'s\n' });
    const sent = await unpack(dir);
    assert.equal(sent.some((p) => p.startsWith('.porter-tmp/')), false);
    assert.equal(sent.includes('sub/.porter-tmp/kept.txt'), true);
    const before = await hashContext(dir, 'Dockerfile', {});
    await writeFile(join(dir, '.porter-tmp/outputs.json'), '{"TOKEN":"changed"}');
    assert.equal(await hashContext(dir, 'Dockerfile', {}), before);
  });

  test('refuses a Dockerfile path outside the context', async () => {
    await assert.rejects(packContext(await context(), '../Dockerfile'), /inside the build context/);
  });
});

describe('hashContext', () => {
  after(removeTempDirs);

  test('is stable for the same inputs and a 64-hex sha256', async () => {
    const dir = await context();
    const first = await hashContext(dir, 'Dockerfile', { A: '1' });
    assert.match(first, /^[0-9a-f]{64}$/);
    assert.equal(await hashContext(dir, 'Dockerfile', { A: '1' }), first);
    assert.equal(await hashContext(await context(), 'Dockerfile', { A: '1' }), first, 'another directory with the same files');
  });

  test('changes when a sent file changes, is added or removed, or changes mode', async () => {
    const dir = await context();
    const base = await hashContext(dir, 'Dockerfile', {});
    const changes: Array<[string, () => Promise<void>]> = [
      ['content', () => writeFile(join(dir, 'app.js'), 'console.log(2)\n')],
      ['new file', () => writeFile(join(dir, 'new.txt'), 'x')],
      ['exception file', () => writeFile(join(dir, 'build/keep.txt'), 'changed')],
      ['mode', () => chmod(join(dir, 'app.js'), 0o700)],
      ['removal', () => rm(join(dir, 'run.sh'))],
    ];
    let previous = base;
    for (const [what, change] of changes) {
      await change();
      const next = await hashContext(dir, 'Dockerfile', {});
      assert.notEqual(next, previous, `hash should change on ${what}`);
      previous = next;
    }
  });

  test('changes with a symlink target, the build args, or the Dockerfile name', async () => {
    const dir = await context({ 'Dockerfile.other': 'FROM busybox\n' });
    const base = await hashContext(dir, 'Dockerfile', { A: '1' });
    assert.notEqual(await hashContext(dir, 'Dockerfile', { A: '2' }), base);
    assert.notEqual(await hashContext(dir, 'Dockerfile', { A: '1', B: '' }), base);
    assert.notEqual(await hashContext(dir, 'Dockerfile.other', { A: '1' }), base);
    await rm(join(dir, 'link-to-app'));
    await writeTree(dir, { 'link-to-app': { symlink: 'run.sh' } });
    assert.notEqual(await hashContext(dir, 'Dockerfile', { A: '1' }), base);
  });

  test('does not change when an ignored file changes or appears', async () => {
    const dir = await context();
    const base = await hashContext(dir, 'Dockerfile', {});
    await writeFile(join(dir, 'secret.env'), 'TOKEN=rotated\n');
    await writeFile(join(dir, 'build/out.bin'), 'recompiled\n');
    await writeTree(dir, { 'fresh.log': 'more noise', 'node_modules/other/x.js': '1', 'docs/guide/more.md': '# more' });
    assert.equal(await hashContext(dir, 'Dockerfile', {}), base);
  });

  test('does not depend on the order build args are given in', async () => {
    const dir = await context();
    assert.equal(await hashContext(dir, 'Dockerfile', { A: '1', B: '2' }), await hashContext(dir, 'Dockerfile', { B: '2', A: '1' }));
  });
});
