/** `porter build clean`, and the clean-up of a killed run's containers at the start of the next run, on the real engine. */
import assert from 'node:assert/strict';
import { mkdir, stat, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { DockerEngine } from '../../src/docker/engine.js';
import { repoCachePaths } from '../../src/git/plugin-cache.js';
import { assertNothingLeft, describeDocker, eventually, fixtureContext, removeTempDirs, sweep, tempDir, uniqueRunId } from '../helpers/docker.js';
import { engineApi, engineList, labelQuery } from '../helpers/engine-api.js';
import { createPluginRemote } from '../helpers/git-remote.js';
import { hookRepo, scriptHook } from '../helpers/hook-repo.js';
import { hookLines, runPorter, startPorter, summaryRow } from '../helpers/porter-cli.js';

const service = uniqueRunId();
const other = uniqueRunId();
const labels = { 'porter.service': service };

interface Listed {
  Id: string;
  Labels: Record<string, string>;
  State?: string;
}
const containersOf = (svc: string): Promise<Listed[]> => engineList<Listed>(`/containers/json?all=1&${labelQuery({ 'porter.service': svc })}`);
const imagesOf = (svc: string): Promise<Listed[]> => engineList<Listed>(`/images/json?${labelQuery({ 'porter.service': svc })}`);
const exists = (path: string): Promise<boolean> => stat(path).then(() => true, () => false);

/** A created (never started) container carrying `containerLabels`: what a killed run or another tool leaves. */
async function createContainer(containerLabels: Record<string, string>): Promise<string> {
  const answer = await engineApi('POST', '/containers/create', 30_000, { Image: 'busybox:latest', Cmd: ['true'], Labels: containerLabels });
  assert.equal(answer.status, 201, JSON.stringify(answer.body));
  return (answer.body as { Id: string }).Id;
}

after(() => removeTempDirs());

await describeDocker('porter build clean and killed runs', (engine: DockerEngine) => {
  after(async () => {
    for (const svc of [service, other]) {
      await sweep({ 'porter.service': svc });
      await assertNothingLeft({ 'porter.service': svc });
    }
  }, { timeout: 60_000 });

  test('clean removes .porter-tmp/, the hook images, dead runs\' hook containers and cached clones; nothing without its labels', { timeout: 120_000 }, async () => {
    const root = await tempDir('porter-clean-test-');
    const cacheHome = join(root, 'cache');
    const plugin = await createPluginRemote(root, 'plugin', { Dockerfile: 'FROM busybox\nCMD ["echo", "from the plugin"]\n' });
    const pluginUrl = `file://${plugin.bare}`;
    const repo = await hookRepo(
      `service_name: ${service}\nhooks:\n  work:\n${scriptHook('out.sh')}\n  - repo: ${pluginUrl}\n    ref: main\n    name: plugin\n`,
      { 'scripts/out.sh': 'echo "KEY=value" >> "$PORTER_OUTPUT"\n' },
    );
    const env = { XDG_CACHE_HOME: cacheHome };
    const run = await runPorter(repo, ['build', 'hook', '-name', 'work'], env);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.deepEqual(hookLines(run.stdout, 'work plugin'), ['from the plugin']);
    assert.ok(await exists(join(repo, '.porter-tmp', 'outputs.json')));
    assert.equal((await imagesOf(service)).length, 2);
    const ours = repoCachePaths(join(cacheHome, 'porter', 'plugins'), pluginUrl);
    assert.ok(await exists(ours.mirror) && await exists(ours.checkouts), 'the plugin was not cached where expected');
    // Another repo's clone in the same cache: not named by this config, so it stays.
    const foreign = repoCachePaths(join(cacheHome, 'porter', 'plugins'), 'https://example.test/other.git');
    await mkdir(foreign.mirror, { recursive: true });
    await writeFile(join(foreign.mirror, 'HEAD'), 'ref: refs/heads/main\n');

    const hookLabels = { 'porter.service': service, 'porter.hook': 'work/x', 'porter.host': hostname() };
    const dead = await createContainer({ ...hookLabels, 'porter.run': 'dead-run', 'porter.pid': '2147483646' });
    const live = await createContainer({ ...hookLabels, 'porter.run': 'live-run', 'porter.pid': String(process.pid) });
    const elsewhere = await createContainer({ ...hookLabels, 'porter.run': 'other-host-run', 'porter.pid': '1', 'porter.host': 'another-host' });
    const stack = await createContainer({ 'porter.service': service, 'porter.stack': 's1' });
    const otherContainer = await createContainer({ 'porter.service': other, 'porter.hook': 'work/x', 'porter.run': 'r', 'porter.pid': '2147483646', 'porter.host': hostname() });
    const context = await fixtureContext('hello');
    await engine.buildImage({ contextDir: context, dockerfile: 'Dockerfile', tag: `porter-hook-${other}:keep`, labels: { 'porter.service': other, 'porter.hook': 'work/x', 'porter.hash': 'h' }, buildArgs: {} }, () => {}, new AbortController().signal);

    const clean = await runPorter(repo, ['build', 'clean'], env);
    assert.equal(clean.code, 0, clean.stdout + clean.stderr);
    // Clean's start-up removes the dead run's container, as every run's does; clean removes the one from
    // another host (whose pid it cannot check) and leaves the live run's.
    assert.match(clean.stdout, /Removed 1 hook container\(s\) of .* left by a porter run that was killed \(pid 2147483646\)/);
    assert.match(clean.stdout, /Removed 1 hook container\(s\), 2 hook image\(s\), .*\.porter-tmp and the cached clones of file:\/\/.*plugin\.git\. Left 1 container\(s\) of a porter run of t-\w+ that is still running\./);
    assert.equal(await exists(join(repo, '.porter-tmp')), false);
    assert.deepEqual(await imagesOf(service), []);
    assert.deepEqual((await containersOf(service)).map((c) => c.Id).sort(), [live, stack].sort());
    assert.ok(!(await containersOf(service)).some((c) => c.Id === dead || c.Id === elsewhere));
    assert.equal(await exists(ours.mirror) || await exists(ours.checkouts), false, 'the plugin clone is still cached');
    assert.ok(await exists(join(foreign.mirror, 'HEAD')), 'another repo\'s clone was removed');
    assert.deepEqual((await containersOf(other)).map((c) => c.Id), [otherContainer]);
    assert.equal((await imagesOf(other)).length, 1);
    for (const id of [live, stack, otherContainer]) await engineApi('DELETE', `/containers/${id}?force=1`);
  });

  test('a run removes at start the containers of a killed porter run of its service, never those of a live one', { timeout: 120_000 }, async () => {
    const repo = await hookRepo(
      `service_name: ${service}\nhooks:\n  live:\n${scriptHook('live.sh')}\n  killed:\n${scriptHook('killed.sh')}\n  quick:\n${scriptHook('ok.sh')}\n`,
      {
        'scripts/live.sh': 'echo live-started\ni=0; while [ ! -e /repo_root/release ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i+1)); done\necho released\n',
        'scripts/killed.sh': 'echo killed-started\nsleep 120\n',
        'scripts/ok.sh': 'echo ok\n',
      },
    );
    const liveRun = startPorter(repo, ['build', 'hook', '-name', 'live']);
    const killedRun = startPorter(repo, ['build', 'hook', '-name', 'killed']);
    try {
      await liveRun.waitFor(/live-started/);
      await killedRun.waitFor(/killed-started/);
      killedRun.child.kill('SIGKILL');
      await killedRun.exited;
      // A hook's first line can arrive just before the engine reports its container running.
      const running = async (): Promise<boolean> => (await containersOf(service)).filter((c) => c.State === 'running').length === 2;
      assert.ok(await eventually(running, 10_000), 'the killed run\'s container should still be running, beside the live one');

      const next = await runPorter(repo, ['build', 'hook', '-name', 'quick']);
      assert.equal(next.code, 0, next.stdout + next.stderr);
      assert.match(next.stdout, new RegExp(`Removed 1 hook container\\(s\\) of ${service} left by a porter run that was killed \\(pid ${killedRun.child.pid}\\)\\.`));
      const left = await containersOf(service);
      assert.deepEqual(left.map((c) => c.Labels['porter.pid']), [String(liveRun.child.pid)], 'the live run\'s container must survive');

      await writeFile(join(repo, 'release'), '');
      const done = await liveRun.exited;
      assert.equal(done.code, 0, done.stdout + done.stderr);
      assert.equal(summaryRow(done.stdout, 'live live[0]')?.status, 'passed');
      assert.deepEqual(hookLines(done.stdout, 'live live[0]'), ['live-started', 'released']);
      assert.deepEqual(await containersOf(service), []);
    } finally {
      liveRun.child.kill('SIGKILL');
      killedRun.child.kill('SIGKILL');
    }
  });
});
