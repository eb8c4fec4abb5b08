/** Hook images on the real engine: one build per distinct hook, a changed hook replaces its image, a lost image is rebuilt. */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { openSession } from '../../src/commands/session.js';
import type { PorterEvent } from '../../src/events.js';
import { HookImages } from '../../src/hooks/hook-image.js';
import { runHook } from '../../src/hooks/run-hook.js';
import { describeDocker, removeTempDirs, sweepAfterSuite, uniqueRunId } from '../helpers/docker.js';
import { engineApi, engineList, labelQuery } from '../helpers/engine-api.js';
import { hookRepo, scriptHook } from '../helpers/hook-repo.js';
import { porterEnv, runPorter } from '../helpers/porter-cli.js';

const service = uniqueRunId();
const labels = { 'porter.service': service };

interface ListedImage {
  Id: string;
  RepoTags: string[] | null;
  Labels: Record<string, string>;
}
const imagesOf = (extra: Record<string, string> = {}): Promise<ListedImage[]> => engineList<ListedImage>(`/images/json?${labelQuery({ ...labels, ...extra })}`);

after(() => removeTempDirs());

await describeDocker('hook images', () => {
  sweepAfterSuite(labels);

  test('hooks with identical inputs share one build: no duplicate or dangling image', { timeout: 60_000 }, async () => {
    const hooks = ['a', 'b', 'c'].map((n) => scriptHook('ok.sh', { name: n, concurrent: true })).join('\n');
    const repo = await hookRepo(`service_name: ${service}\nhooks:\n  same:\n${hooks}\n`, { 'scripts/ok.sh': 'echo ok\n' });
    const r = await runPorter(repo, ['build', 'hook', '-name', 'same']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const images = await imagesOf();
    assert.equal(images.length, 1, JSON.stringify(images.map((i) => [i.RepoTags, i.Labels['porter.hook']])));
  });

  test('a hook whose inputs changed replaces its previous image, unless a container still uses that one', { timeout: 90_000 }, async () => {
    const dockerfile = '.porter/hooks/changing/Dockerfile';
    const repo = await hookRepo(`service_name: ${service}\nhooks:\n  change:\n  - dockerfile: ${dockerfile}\n    name: mine\n`, {
      [dockerfile]: 'FROM busybox\nCMD ["echo", "v1"]\n',
    });
    const mine = { 'porter.hook': 'change/mine' };
    const runVersion = async (v: string): Promise<string[]> => {
      await writeFile(join(repo, dockerfile), `FROM busybox\nCMD ["echo", "${v}"]\n`);
      const r = await runPorter(repo, ['build', 'hook', '-name', 'change']);
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.match(r.stdout, new RegExp(`\\[change mine\\] ${v}\\n`));
      return (await imagesOf(mine)).map((i) => i.Id);
    };
    const [v1] = await runVersion('v1');
    const afterV2 = await runVersion('v2');
    assert.equal(afterV2.length, 1, 'the v1 image was left behind');
    assert.notEqual(afterV2[0], v1);

    // A container made from the v2 image (another run's, say) keeps it alive through the next rebuild.
    const created = await engineApi('POST', '/containers/create', 30_000, { Image: afterV2[0], Labels: labels });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const afterV3 = await runVersion('v3');
    assert.equal(afterV3.length, 2);
    assert.ok(afterV3.includes(afterV2[0] ?? ''), 'an image a container uses was removed');
    await engineApi('DELETE', `/containers/${(created.body as { Id: string }).Id}?force=1`);
  });

  test('an image removed after it was found (another run pruned it) is built again and the hook still runs', { timeout: 60_000 }, async () => {
    const dockerfile = '.porter/hooks/lost/Dockerfile';
    const repo = await hookRepo(`service_name: ${service}\nhooks:\n  lost:\n  - dockerfile: ${dockerfile}\n`, { [dockerfile]: 'FROM busybox\nCMD ["echo", "rebuilt and ran"]\n' });
    const events: PorterEvent[] = [];
    const ctx = await openSession({
      cwd: repo, env: porterEnv(), emit: (e) => events.push(e), signal: new AbortController().signal,
      owner: { pid: process.pid, host: hostname(), isAlive: () => true },
    });
    const images = new HookImages(ctx);
    try {
      const hook = ctx.config.hooks.lost?.[0];
      assert.ok(hook);
      const prepared = await images.get(hook);
      assert.ok(prepared.ok);
      assert.equal((await engineApi('DELETE', `/images/${prepared.image}`)).status, 200);
      const result = await runHook(hook, {}, images, ctx);
      assert.equal(result.status, 'passed', JSON.stringify(result));
      assert.ok(events.some((e) => e.type === 'hook-log' && e.line === 'rebuilt and ran'));
      assert.equal((await imagesOf({ 'porter.hook': 'lost/lost[0]' })).length, 1);
    } finally {
      await images.close();
      await ctx.close();
    }
  });
});
