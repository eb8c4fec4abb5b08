/** The output slots of a repo copy: what the engine's path stat says, and when a slot can serve the next hook run. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodePathStat } from '../../src/docker/dockerode-run-files.js';
import type { PathStat } from '../../src/docker/engine.js';
import { slotUntouched } from '../../src/docker/repo-transfer.js';

const header = (stat: object): string => Buffer.from(JSON.stringify(stat)).toString('base64');

test('the engine path stat is decoded: kind from Go os.FileMode type bits, permission bits, size and mtime', () => {
  // Values as Docker 20.10 answered a HEAD /containers/{id}/archive for a directory, a file and a symlink.
  assert.deepEqual(decodePathStat(header({ name: 'porter', size: 4096, mode: 2147484159, mtime: '2000-01-01T00:00:00Z', linkTarget: '' })),
    { size: 4096, perm: 0o777, kind: 'directory', mtime: '2000-01-01T00:00:00Z' });
  assert.deepEqual(decodePathStat(header({ name: 'output', size: 4, mode: 438, mtime: '2026-12-02T18:45:50.155141639Z', linkTarget: '' })),
    { size: 4, perm: 0o666, kind: 'file', mtime: '2026-12-02T18:45:50.155141639Z' });
  assert.equal(decodePathStat(header({ name: 'sh', size: 12, mode: 134218239, linkTarget: '/bin/busybox' })).kind, 'symlink');
  // A named pipe (os.ModeNamedPipe, 1 << 25) and a setuid file (os.ModeSetuid, 1 << 23: not a type).
  assert.equal(decodePathStat(header({ mode: 2 ** 25 + 0o644 })).kind, 'other');
  assert.deepEqual(decodePathStat(header({ mode: 2 ** 23 + 0o755 })), { size: 0, perm: 0o755, kind: 'file', mtime: '' });
});

const file = (over: Partial<PathStat> = {}): PathStat => ({ size: 0, perm: 0o666, kind: 'file', mtime: '2026-12-02T10:00:00.5Z', ...over });
const dir = (over: Partial<PathStat> = {}): PathStat => ({ size: 4096, perm: 0o777, kind: 'directory', mtime: '2000-01-01T00:00:00Z', ...over });

test('a slot serves again only when its file is empty and its directory as made', () => {
  assert.equal(slotUntouched(file(), dir()), true);
  // The file's own mtime does not matter: written, then emptied again, it holds nothing.
  assert.equal(slotUntouched(file({ mtime: '2026-12-02T11:00:00Z' }), dir()), true);
  assert.equal(slotUntouched(file({ size: 4 }), dir()), false, 'an output was written');
  assert.equal(slotUntouched(undefined, dir()), false, 'the file was removed');
  assert.equal(slotUntouched(file({ kind: 'symlink' }), dir()), false, 'the file was replaced by a link');
  assert.equal(slotUntouched(file({ perm: 0o600 }), dir()), false, 'another user could not write it');
  assert.equal(slotUntouched(file(), dir({ mtime: '2026-12-02T10:00:01Z' })), false, 'a file was added beside it');
  assert.equal(slotUntouched(file(), dir({ perm: 0o755 })), false);
  assert.equal(slotUntouched(file(), undefined), false);
});
