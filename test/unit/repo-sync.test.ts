import assert from 'node:assert/strict';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { after, test } from 'node:test';
import { pack } from 'tar-stream';
import { applyVolumeTar, entryPath, fingerprint, type Fingerprints } from '../../src/docker/repo-sync.js';
import { removeTempDirs, tempDir, writeTree } from '../helpers/temp-dirs.js';

after(removeTempDirs);

const old = new Date('2020-01-01T00:00:00Z');
const later = new Date('2020-01-02T00:00:00Z');

type Entry = { name: string; type?: 'file' | 'directory' | 'symlink'; mode?: number; mtime?: Date; content?: string; linkname?: string };

/** A tar as the engine's archive API gives a volume: every entry under `porter-repo-transfer/`. */
function volumeTar(entries: Entry[], root = 'porter-repo-transfer'): Readable {
  const tar = pack();
  tar.entry({ name: `${root}/`, type: 'directory', mode: 0o755, mtime: old });
  for (const e of entries) {
    const header = { name: `${root}/${e.name}`, type: e.type ?? 'file', mode: e.mode ?? 0o644, mtime: e.mtime ?? old, ...(e.linkname ? { linkname: e.linkname } : {}) };
    if ((e.type ?? 'file') === 'file') tar.entry(header, e.content ?? '');
    else tar.entry(header);
  }
  tar.finalize();
  return tar as unknown as Readable;
}

const print = (e: Entry): string => fingerprint({ type: e.type ?? 'file', mode: e.mode ?? 0o644, size: Buffer.byteLength(e.content ?? ''), mtime: e.mtime ?? old, linkname: e.linkname ?? '' });

test('entryPath: under the volume directory only, never climbing out', () => {
  assert.equal(entryPath('porter-repo-transfer/'), '');
  assert.equal(entryPath('porter-repo-transfer/a/b.txt'), 'a/b.txt');
  assert.equal(entryPath('./porter-repo-transfer/a'), 'a');
  assert.equal(entryPath('other/a'), undefined);
  assert.equal(entryPath('porter-repo-transfer/../etc/passwd'), undefined);
});

test('only what changed since the last sync is written; what the volume lost is removed; the rest of the checkout is left', async () => {
  const repo = await tempDir();
  await writeTree(repo, { 'same.txt': 'porter wrote this since\n', 'edit.txt': 'edit\n', 'gone.txt': 'gone\n', 'ignored/x': 'never sent\n' });
  const before: Fingerprints = new Map([
    ['same.txt', print({ name: 'same.txt', content: 'same\n' })],
    ['edit.txt', print({ name: 'edit.txt', content: 'edit\n' })],
    ['gone.txt', print({ name: 'gone.txt', content: 'gone\n' })],
  ]);
  const outcome = await applyVolumeTar(volumeTar([
    { name: 'same.txt', content: 'same\n' },
    { name: 'edit.txt', content: 'edit\nmore\n', mtime: later },
    { name: 'new', type: 'directory', mode: 0o700 },
    { name: 'new/run.sh', content: '#!/bin/sh\n', mode: 0o755, mtime: later },
    { name: 'link', type: 'symlink', linkname: 'edit.txt' },
  ]), repo, before);
  assert.equal(await readFile(join(repo, 'same.txt'), 'utf8'), 'porter wrote this since\n', 'an unchanged entry overwrote the checkout');
  assert.equal(await readFile(join(repo, 'edit.txt'), 'utf8'), 'edit\nmore\n');
  assert.equal((await stat(join(repo, 'new/run.sh'))).mode & 0o777, 0o755);
  assert.equal((await stat(join(repo, 'new'))).mode & 0o777, 0o700);
  assert.equal(await readFile(join(repo, 'link'), 'utf8'), 'edit\nmore\n');
  await assert.rejects(stat(join(repo, 'gone.txt')), { code: 'ENOENT' });
  assert.equal(await readFile(join(repo, 'ignored/x'), 'utf8'), 'never sent\n');
  assert.deepEqual({ written: outcome.written, removed: outcome.removed }, { written: 4, removed: 1 });
  assert.deepEqual([...outcome.after.keys()].sort(), ['edit.txt', 'link', 'new', 'new/run.sh', 'same.txt']);
});

test('a tar that is not the volume (no porter-repo-transfer/ directory) removes nothing', async () => {
  const repo = await tempDir();
  await writeFile(join(repo, 'keep.txt'), 'keep\n');
  const before: Fingerprints = new Map([['keep.txt', print({ name: 'keep.txt', content: 'keep\n' })]]);
  await assert.rejects(applyVolumeTar(volumeTar([{ name: 'x' }], 'elsewhere'), repo, before), /without its porter-repo-transfer\/ directory/);
  assert.equal(await readFile(join(repo, 'keep.txt'), 'utf8'), 'keep\n');
});

test('an entry that would land outside the checkout through a symlinked directory is not written', async () => {
  const repo = await tempDir();
  const outside = await tempDir();
  await writeTree(repo, { out: { symlink: outside } });
  await applyVolumeTar(volumeTar([{ name: 'out/evil.txt', content: 'x' }]), repo, new Map());
  await assert.rejects(stat(join(outside, 'evil.txt')), { code: 'ENOENT' });
});
