/** cachedCheckout: what the plugin fetcher would answer for a cached tag or sha, from the cache alone. */
import assert from 'node:assert/strict';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { cachedCheckout } from '../../src/git/cached-checkout.js';
import { createPluginFetcher } from '../../src/git/simple-git-fetcher.js';
import { removeTree } from '../../src/git/plugin-cache.js';
import { createPluginRemote, gitSpy, tempRoot, type PluginRemote } from '../helpers/git-remote.js';

const never = (): AbortSignal => new AbortController().signal;

describe('cachedCheckout', { timeout: 60_000 }, () => {
  let root = '';
  let remote: PluginRemote & { firstCommit: string };
  let url = '';
  let cacheDir = '';
  let env: Record<string, string> = {};
  let log = '';
  const calls = async (): Promise<string[]> => (await readFile(log, 'utf8')).split('\n').filter(Boolean);

  before(async () => {
    root = await tempRoot('porter-cached-checkout-test-');
    remote = await createPluginRemote(root, 'tools', { Dockerfile: 'FROM busybox\n' });
    remote.tag('v1.0.0');
    remote.tag('v1.1.0', 'an annotated tag');
    remote.tag('both');
    remote.branch('both');
    remote.commit({ 'README.md': 'on the branch named like a tag\n' });
    url = `file://${remote.bare}`;
    cacheDir = join(root, 'cache');
    const spy = await gitSpy(root);
    log = spy.log;
    env = { PATH: `${spy.binDir}:${process.env.PATH ?? ''}` };
  });

  after(async () => {
    await removeTree(root);
  });

  test('nothing is cached yet: undefined, without running git', async () => {
    assert.equal(await cachedCheckout(cacheDir, url, 'v1.0.0', env, never()), undefined);
    assert.equal(await cachedCheckout(cacheDir, url, remote.firstCommit, env, never()), undefined);
    assert.deepEqual(await calls(), []);
  });

  test('a tag (plain or annotated) and a sha the fetcher checked out: the same checkout, with one git call and no fetch', async () => {
    const fetcher = createPluginFetcher({ cacheDir, env });
    const byFetcher = await Promise.all(['v1.0.0', 'v1.1.0', remote.firstCommit].map((ref) => fetcher.fetch(url, ref, never())));
    await rm(log);
    for (const [i, ref] of ['v1.0.0', 'v1.1.0', remote.firstCommit].entries()) {
      assert.deepEqual(await cachedCheckout(cacheDir, url, ref, env, never()), byFetcher[i], ref);
    }
    const made = await calls().catch(() => []);
    assert.equal(made.length, 2, made.join('\n'));
    assert.ok(made.every((c) => / for-each-ref /.test(c)), made.join('\n'));
  });

  test('a branch, a name that is both branch and tag, an unknown name: undefined (the fetcher fetches those)', async () => {
    const fetcher = createPluginFetcher({ cacheDir, env });
    await fetcher.fetch(url, 'main', never());
    await fetcher.fetch(url, 'both', never());
    for (const ref of ['main', 'both', 'v9']) assert.equal(await cachedCheckout(cacheDir, url, ref, env, never()), undefined, ref);
  });

  test('a tag whose commit has no checkout yet, and an unsafe ref: undefined', async () => {
    remote.branch('side');
    remote.commit({ 'side.txt': 'only on the side branch\n' });
    remote.tag('v2.0.0');
    const fetcher = createPluginFetcher({ cacheDir, env });
    // Fetching main brings the new tag into the mirror without checking out its commit.
    await fetcher.fetch(url, 'main', never());
    assert.equal(await cachedCheckout(cacheDir, url, 'v2.0.0', env, never()), undefined);
    assert.equal(await cachedCheckout(cacheDir, url, '--upload-pack=touch /tmp/x', env, never()), undefined);
  });
});
