/**
 * Fault: 50 hooks in one concurrent group. All run, all are reported (50 hook-end events, none lost), and their
 * image builds — 12 distinct images, the other hooks share them — stay within porter's limit, as the build events
 * show: at no moment are more builds between their first step and their end than BUILD_CONCURRENCY.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { BUILD_CONCURRENCY } from '../../src/hooks/hook-image.js';
import { describeDocker, removeTempDirs, sweep, uniqueRunId } from '../helpers/docker.js';
import { assertExit, assertNothingOfRunLeft, hookImages, jsonEvents, porterTmpDir, sharedEngine } from '../helpers/fault-checks.js';
import { hookRepo } from '../helpers/hook-repo.js';
import { runPorter } from '../helpers/porter-cli.js';

const service = uniqueRunId();
const HOOKS = 50;
const IMAGES = 12;

after(() => removeTempDirs());

await describeDocker('faults: 50 hooks in one concurrent group', () => {
  let repo: string;

  before(async () => {
    const hooks = Array.from({ length: HOOKS }, (_, i) => [
      `  - dockerfile: .porter/hooks/img-${i % IMAGES}/Dockerfile`, `    name: h${i}`, '    concurrent: true', '    environment:', `      HOOK_ID: h${i}`,
    ].join('\n'));
    // Each image's RUN step takes a while, so builds that the limit did not hold back would be seen overlapping.
    const dockerfiles = Object.fromEntries(Array.from({ length: IMAGES }, (_, k) => [
      `.porter/hooks/img-${k}/Dockerfile`, `FROM busybox\nRUN echo ${service}-image-${k} && sleep 2\nCMD ["sh", "-c", "echo ran $HOOK_ID"]\n`,
    ]));
    repo = await hookRepo(`service_name: ${service}\nhooks:\n  many:\n${hooks.join('\n')}\n`, dockerfiles);
  }, { timeout: 30_000 });

  after(() => sweep({ 'porter.service': service }), { timeout: 60_000 });

  test('all 50 start together, run, and are reported passed; at most BUILD_CONCURRENCY image builds at a time', { timeout: 240_000 }, async () => {
    const tmp = await porterTmpDir();
    const r = await runPorter(repo, ['--log-format', 'json', 'build', 'hook', '-name', 'many'], { TMPDIR: tmp });
    assertExit(r, 0);
    const events = jsonEvents(r.stdout);
    const names = Array.from({ length: HOOKS }, (_, i) => `h${i}`);

    const starts = events.filter((e) => e.type === 'hook-start');
    const ends = events.filter((e) => e.type === 'hook-end');
    assert.deepEqual(starts.map((e) => e.hook).sort(), [...names].sort(), 'one hook-start per hook');
    assert.deepEqual(ends.map((e) => e.hook).sort(), [...names].sort(), 'one hook-end per hook, none lost');
    assert.ok(ends.every((e) => e.status === 'passed'), JSON.stringify(ends.filter((e) => e.status !== 'passed')));
    // One group: every hook started before the first one ended.
    const lastStart = events.map((e) => e.type === 'hook-start').lastIndexOf(true);
    const firstEnd = events.findIndex((e) => e.type === 'hook-end');
    assert.ok(lastStart < firstEnd, 'a hook ended before the whole group had started');
    for (const name of names) {
      const lines = events.filter((e) => e.type === 'hook-log' && e.hook === name).map((e) => e.line);
      assert.deepEqual(lines, [`ran ${name}`], `${name}'s output`);
    }
    const runEnd = events.at(-1);
    assert.equal(runEnd?.type, 'run-end');
    assert.equal(runEnd?.exitCode, 0);

    // Builds in flight, from the first step a build reports to its end: never over the limit, and more than one.
    let inFlight = 0;
    let most = 0;
    const building = new Set<unknown>();
    for (const e of events) {
      if (e.type === 'build-progress' && !building.has(e.hook)) {
        building.add(e.hook);
        inFlight += 1;
        most = Math.max(most, inFlight);
      } else if (e.type === 'build-end') {
        assert.ok(building.has(e.hook), `build-end of ${String(e.hook)} before any of its steps`);
        assert.equal(e.ok, true);
        inFlight -= 1;
      }
    }
    assert.equal(building.size, IMAGES, 'one build per distinct image; the other hooks share them');
    assert.equal(events.filter((e) => e.type === 'build-end').length, IMAGES);
    assert.ok(most <= BUILD_CONCURRENCY, `${most} builds ran at once; the limit is ${BUILD_CONCURRENCY}`);
    assert.ok(most >= 2, `builds never overlapped (at most ${most} at once): the limit was never what held them back`);

    assert.equal((await hookImages(sharedEngine, service)).length, IMAGES);
    await assertNothingOfRunLeft({ api: sharedEngine, service, repo, tmp, maxImages: IMAGES });
  });
});
