/**
 * Faults: SIGINT and SIGTERM during an image build, a container run, a concurrent group and a plugin clone; a second
 * SIGINT; and stdout closed by its reader (`porter … | head`). Each: exit 130 within 5 s, the message, and nothing of
 * the run left — no container (the builder's RUN containers, made from intermediate images, included), no image tag,
 * no scratch in .porter-tmp/, nothing in porter's TMPDIR, no lock or half-made clone in the plugin cache, no git left.
 */
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { containersMentioning, describeDocker, eventually, removeTempDirs, sweep, uniqueRunId } from '../helpers/docker.js';
import { assertExit, assertNothingOfRunLeft, exitWithin, porterTmpDir, sharedEngine } from '../helpers/fault-checks.js';
import { findNamed, startSilentServer } from '../helpers/git-remote.js';
import { hookRepo, scriptHook } from '../helpers/hook-repo.js';
import { startPorter, summaryRow, type PorterProcess } from '../helpers/porter-cli.js';
import { tempDir } from '../helpers/temp-dirs.js';

const service = uniqueRunId();
const marker = `build-${service}`;

after(() => removeTempDirs());

await describeDocker('faults: interrupted runs', () => {
  let repo: string;
  let silent: Awaited<ReturnType<typeof startSilentServer>>;

  before(async () => {
    silent = await startSilentServer();
    const group = [1, 2, 3].map((n) => scriptHook(`group-${n}.sh`, { name: `g${n}`, concurrent: true })).join('\n');
    repo = await hookRepo(`service_name: ${service}
hooks:
  build:
  - dockerfile: .porter/hooks/two-step/Dockerfile
    name: two-step
  run:
${scriptHook('long.sh', { name: 'sleeper' })}
  group:
${group}
  clone:
  - repo: git://127.0.0.1:${silent.port}/slow.git
    ref: main
    name: plugin
  talk:
${scriptHook('talk.sh', { name: 'chatty' })}
`, {
      // The second RUN runs in a container made from the first step's intermediate image.
      '.porter/hooks/two-step/Dockerfile': `FROM busybox\nRUN echo ${marker}-one > /one\nRUN echo ${marker}-two && sleep 60\nCMD ["true"]\n`,
      'scripts/long.sh': 'echo hook-started\nsleep 60\necho not-interrupted\n',
      ...Object.fromEntries([1, 2, 3].map((n) => [`scripts/group-${n}.sh`, `echo group-${n}-started\nsleep 60\n`])),
      'scripts/talk.sh': 'while true; do echo a line of chatter; sleep 0.01; done\n',
    });
  }, { timeout: 30_000 });

  after(async () => {
    await silent?.stop();
    await sweep({ 'porter.service': service });
    for (const id of await containersMentioning(marker)) await sharedEngine('DELETE', `/containers/${id}?force=1`);
  }, { timeout: 60_000 });

  const situations: Record<string, { list: string; hooks: string[]; ready(p: PorterProcess): Promise<void> }> = {
    'an image build': {
      list: 'build', hooks: ['build two-step'],
      ready: async (p) => {
        const running = await eventually(async () => (await containersMentioning(`${marker}-two`)).length > 0, 60_000, 100);
        assert.ok(running, `the build never reached its second RUN step:\n${p.stdout()}\n${p.stderr()}`);
      },
    },
    'a container run': { list: 'run', hooks: ['run sleeper'], ready: (p) => p.waitFor(/hook-started/, 60_000) },
    'a concurrent group': {
      list: 'group', hooks: ['group g1', 'group g2', 'group g3'],
      ready: async (p) => {
        for (const n of [1, 2, 3]) await p.waitFor(new RegExp(`group-${n}-started`), 60_000);
      },
    },
    'a plugin clone': {
      list: 'clone', hooks: ['clone plugin'],
      ready: async () => {
        const before = silent.accepted();
        assert.ok(await eventually(async () => silent.accepted() > before, 30_000, 50), 'git never connected to the remote');
      },
    },
  };

  for (const [what, s] of Object.entries(situations)) {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      test(`${signal} during ${what}: exit 130 within 5 s, every container removed, nothing left`, { timeout: 90_000 }, async () => {
        const tmp = await porterTmpDir();
        const cache = await tempDir('porter-faults-cache-test-');
        const closedBefore = silent.closed();
        const p = startPorter(repo, ['build', 'hook', '-name', s.list], { TMPDIR: tmp, XDG_CACHE_HOME: cache });
        await s.ready(p);
        p.child.kill(signal);
        const r = await exitWithin(p, 5_000);
        assertExit(r, 130, new RegExp(`${signal} received: stopping containers and cleaning up[\\s\\S]*Interrupted: every container porter started was stopped and removed\\.`));
        for (const hook of s.hooks) assert.equal(summaryRow(r.stdout, hook)?.status, 'cancelled', `${hook} in the summary:\n${r.stdout}`);
        assert.doesNotMatch(r.stdout, /not-interrupted/);
        await assertNothingOfRunLeft({ api: sharedEngine, service, repo, tmp, maxImages: 1 });
        if (s.list === 'build') {
          // The cancelled build's RUN container (from step one's intermediate image) is gone, and no tag was made.
          assert.ok(await eventually(async () => (await containersMentioning(marker)).length === 0, 3_000, 100), 'a build container is left');
        }
        if (s.list === 'clone') {
          assert.ok(await eventually(async () => silent.closed() > closedBefore, 3_000, 50), 'git still holds its connection: it was not stopped');
          const plugins = join(cache, 'porter', 'plugins');
          assert.deepEqual(await findNamed(plugins, (n) => /\.lock$|\.break$|\.lock\./.test(n)), [], 'a lock is left in the plugin cache');
          const temp = await readdir(join(plugins, 'tmp')).catch(() => []);
          assert.deepEqual((await Promise.all(temp.map((d) => readdir(join(plugins, 'tmp', d))))).flat(), [], 'a half-made clone is left');
        }
      });
    }
  }

  test('a second SIGINT during a concurrent group exits at once; the next run removes what the forced exit left', { timeout: 90_000 }, async () => {
    // sh as PID 1 ignores SIGTERM, so stopping the group's containers takes porter's whole grace period: time to press again.
    const p = startPorter(repo, ['build', 'hook', '-name', 'group'], { TMPDIR: await porterTmpDir() });
    await situations['a concurrent group']?.ready(p);
    p.child.kill('SIGINT');
    await new Promise((r) => setTimeout(r, 200));
    p.child.kill('SIGINT');
    const r = await exitWithin(p, 1_500);
    assertExit(r, 130, /exiting without waiting for cleanup/);
    const tmp = await porterTmpDir();
    const next = startPorter(repo, ['build', 'hook', '-name', 'run'], { TMPDIR: tmp });
    await next.waitFor(/hook-started/, 60_000);
    assert.match(next.stdout(), new RegExp(`Removed 3 hook container\\(s\\) of ${service} left by a porter run that was killed \\(pid ${p.child.pid}\\)`));
    next.child.kill('SIGINT');
    assertExit(await exitWithin(next, 5_000), 130);
    await assertNothingOfRunLeft({ api: sharedEngine, service, repo, tmp, maxImages: 1 });
  });

  test('stdout closed by its reader (`porter … | head`): exit 130, containers removed, no EPIPE stack trace', { timeout: 60_000 }, async () => {
    const tmp = await porterTmpDir();
    const p = startPorter(repo, ['build', 'hook', '-name', 'talk'], { TMPDIR: tmp });
    await p.waitFor(/a line of chatter/, 60_000);
    p.child.stdout?.destroy();
    const r = await exitWithin(p, 10_000);
    assertExit(r, 130, /porter: stdout was closed \(EPIPE\): stopping containers and cleaning up[\s\S]*Interrupted: every container porter started was stopped and removed\./);
    await assertNothingOfRunLeft({ api: sharedEngine, service, repo, tmp, maxImages: 1 });
  });
});
