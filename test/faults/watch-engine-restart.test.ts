/**
 * Fault: the engine restarts under a running `porter watch`. A dockerd of the test's own (never the shared one) is
 * killed while the watcher follows its events; coming back, the engine stops the stack container that ran through
 * the outage and records its death as it starts. The watcher says it lost the engine, follows it again once
 * it answers, catches up on that death from the time of its last event, runs the hook list for it once, and goes on
 * handling new events live.
 */
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { uniqueRunId } from '../helpers/docker.js';
import { assertExit, assertNothingOfRunLeft, exitWithin, jsonEvents, porterTmpDir } from '../helpers/fault-checks.js';
import { serviceConfig, serviceRepo, stageRegion } from '../helpers/phase-repo.js';
import { runPorter, startPorter } from '../helpers/porter-cli.js';
import { stopPortersAfterEach } from '../helpers/porter-processes.js';
import { describePrivateEngine } from '../helpers/private-engine-suite.js';

const service = uniqueRunId();

await describePrivateEngine('faults: the engine restarts under porter watch', 'the watch engine-restart fault', (engine) => {
  let repo: string;
  let tmp: string;
  const env = (): Record<string, string> => ({ DOCKER_HOST: engine.host, TMPDIR: tmp });
  const watch = stopPortersAfterEach();

  before(async () => {
    // A worker only: the private engine lives in a network namespace of its own, where porter could not reach a published port.
    repo = await serviceRepo({
      '.porter/config': serviceConfig(service, '  on-die:\n  - name: vars\n    dockerfile: .porter/hooks/vars/Dockerfile\n', stageRegion(['- name: worker', '  topology: worker'], ['- on: die', '  hooks: on-die'])),
      '.porter/hooks/vars/Dockerfile': 'FROM busybox:latest\nCMD ["sh", "-c", "echo VARS $PORTER_EVENT $PORTER_EVENT_CONTAINER $PORTER_EVENT_EXIT_CODE"]\n',
      '.dockerignore': '.porter-tmp\n',
      Dockerfile: 'FROM busybox:latest\nCMD ["sh", "-c", "trap \'exit 0\' TERM; while true; do sleep 1; done"]\n',
    }, { git: true });
    tmp = await porterTmpDir();
  });

  test('dockerd killed and started again: the death it recorded while the watcher was away is handled once, then new ones live', { timeout: 240_000 }, async () => {
    for (const phase of [['build', 'pack'], ['build', 'provision', '-e', 'Stage']]) assertExit(await runPorter(repo, phase, env()), 0);
    const [worker] = (await engine.api('GET', '/containers/json')).body as { Id: string; Names: string[]; Image: string }[];
    assert.ok(worker);
    const name = (worker.Names[0] ?? '').replace(/^\//, '');
    const watcher = watch(startPorter(repo, ['--log-format', 'json', 'watch', '-e', 'Stage', '--max-events', '2'], env()));
    await watcher.waitFor(/Watching Stage \(local\) for die/, 120_000);

    await engine.stop('SIGKILL');
    await watcher.waitFor(/Lost the engine of region local/, 30_000);
    await engine.start();
    await watcher.waitFor(/answers again; catching up on its events since/, 30_000);
    await watcher.waitFor(/"type":"event-run-end"/, 60_000);
    const state = (await engine.api('GET', `/containers/${worker.Id}/json`)).body as { State: { Running: boolean } };
    assert.equal(state.State.Running, false, 'the engine stopped the container when it came back');

    assert.equal((await engine.api('POST', `/containers/${worker.Id}/start`)).status, 204);
    assert.equal((await engine.api('POST', `/containers/${worker.Id}/kill`)).status, 204);
    const r = await exitWithin(watcher, 60_000);
    assertExit(r, 0);
    const events = jsonEvents(r.stdout);
    const deaths = events.filter((e) => e.type === 'stack-event').map((e) => e.event as { kind: string; container: string; exitCode?: number });
    assert.deepEqual(deaths.map((d) => [d.kind, d.container]), [['die', name], ['die', name]], 'the outage\'s death once, then the live one');
    const lines = events.filter((e) => e.type === 'hook-log').map((e) => String(e.line));
    assert.equal(lines.filter((l) => l.startsWith(`VARS die ${name} `)).length, 2, lines.join('\n'));
    assert.equal(events.filter((e) => e.type === 'event-run-end' && e.status === 'passed').length, 2);
    assert.ok(events.some((e) => e.type === 'message' && e.level === 'warn' && /Lost the engine of region local at unix:\/\/.*stopped sending events/.test(String(e.text))));

    await engine.api('DELETE', `/containers/${worker.Id}?force=1`);
    await engine.api('DELETE', `/networks/porter-${service}-Stage`);
    await engine.api('DELETE', `/images/${encodeURIComponent(worker.Image)}?force=1`);
    await assertNothingOfRunLeft({ api: engine.api, service, repo, tmp, maxImages: 10 });
  });
});
