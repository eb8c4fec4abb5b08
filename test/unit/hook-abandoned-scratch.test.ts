import assert from 'node:assert/strict';
import { mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { ProcessOwner } from '../../src/context.js';
import { claimScratch, removeAbandonedScratch } from '../../src/hooks/abandoned-scratch.js';
import { removeTempDirs, tempDir } from '../helpers/temp-dirs.js';

after(() => removeTempDirs());

const me: ProcessOwner = { pid: 100, host: 'ci-1', isAlive: (pid) => pid === 100 || pid === 200 };

describe('removeAbandonedScratch', () => {
  it('removes the scratch of dead porter processes of this host, and nothing else', async () => {
    const run = join(await tempDir('porter-scratch-test-'), 'run');
    await claimScratch(join(run, 'mine'), me);
    await claimScratch(join(run, 'live'), { ...me, pid: 200 });
    await claimScratch(join(run, 'dead'), { ...me, pid: 300 });
    await claimScratch(join(run, 'elsewhere'), { ...me, pid: 300, host: 'ci-2' });
    await mkdir(join(run, 'unmarked'));
    assert.equal(await removeAbandonedScratch(run, me), 1);
    assert.deepEqual((await readdir(run)).sort(), ['elsewhere', 'live', 'mine', 'unmarked']);
  });

  it('is a no-op when there is no run directory', async () => {
    assert.equal(await removeAbandonedScratch(join(await tempDir('porter-scratch-test-'), 'run'), me), 0);
  });
});
