/**
 * Fault: porter SIGKILLed at random instants across provision and promote (a cancelled CI job, a dead runner).
 * RUNS times (seeded; the seed is printed, PORTER_CRASH_SEED=<seed> replays the same choices and fractions of the
 * commands' durations, as nearly as the machine's speed allows): a provision or a promote is killed, then a normal provision and promote must pass, while a
 * client on the environment network asks the alias all along. Measured: zero failed requests after the first
 * promote; after every run exactly one promoted stack, the one provisioned last; after prune every container of the
 * service running, one stack, no lock. Then two promotes started 100 ms apart, 20 times: their phases never overlap.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { DockerEngine } from '../../src/docker/engine.js';
import { Label } from '../../src/docker/labels.js';
import { listStacks } from '../../src/phases/stacks.js';
import { describeDocker, removeTempDirs, sweep, uniqueRunId } from '../helpers/docker.js';
import { engineApi } from '../helpers/engine-api.js';
import { jsonEvents } from '../helpers/fault-checks.js';
import { prng } from '../helpers/prng.js';
import { HTTPD_DOCKERFILE, serviceConfig, serviceRepo, stageRegion } from '../helpers/phase-repo.js';
import { runPorter, startPorter, type PorterExit } from '../helpers/porter-cli.js';

const service = uniqueRunId();
const labels = { [Label.service]: service };
const network = `porter-${service}-Stage`;
const RUNS = Number(process.env.PORTER_CRASH_RUNS ?? 50);
const PAIRS = Number(process.env.PORTER_CRASH_PAIRS ?? 20);
const seed = Number(process.env.PORTER_CRASH_SEED ?? Math.floor(Math.random() * 2 ** 31));
process.stdout.write(`# crash test seed: PORTER_CRASH_SEED=${seed}\n`);

after(async () => {
  await sweep(labels);
  await removeTempDirs();
});

const ok = (r: PorterExit, what: string): void => assert.equal(r.code, 0, `${what} (seed ${seed}):\n${r.stdout}\n${r.stderr}`);

async function provisionedStack(repo: string): Promise<string> {
  const state = JSON.parse(await readFile(join(repo, '.porter-tmp', 'provision.json'), 'utf8')) as { environments: Record<string, { stackId: string }> };
  return state.environments.Stage!.stackId;
}

async function promotedStacks(engine: DockerEngine): Promise<string[]> {
  return (await listStacks(engine, service, 'Stage', 'local', network)).filter((s) => s.promoted).map((s) => s.id);
}

await describeDocker('faults: porter killed mid-provision and mid-promote', (engine) => {
  let repo = '';
  let clientId = '';
  const timing = { provisionMs: 0, promoteMs: 0 };

  before(async () => {
    repo = await serviceRepo({
      '.porter/config': serviceConfig(service, '', stageRegion(['- name: web', '  inet_port: 8080'])), '.dockerignore': '.porter-tmp\n', Dockerfile: HTTPD_DOCKERFILE,
    }, { git: true });
    ok(await runPorter(repo, ['build', 'pack']), 'pack');
    let started = Date.now();
    ok(await runPorter(repo, ['build', 'provision', '-e', 'Stage']), 'first provision');
    timing.provisionMs = Date.now() - started;
    started = Date.now();
    ok(await runPorter(repo, ['build', 'promote', '-e', 'Stage']), 'first promote');
    timing.promoteMs = Date.now() - started;
    // A client on the environment network asks the alias every 100 ms and logs each answer. A request is allowed 10 s:
    // one sent to a container a killed promote had just disconnected is answered once the next command puts that
    // container back at its address (TCP retries the SYN after 1, 3 and 7 s); it starts at once here.
    const client = await engineApi('POST', `/containers/create?name=${service}-client`, 30_000, {
      Image: 'busybox:latest', Labels: { ...labels, 'porter.test-client': '1' }, HostConfig: { NetworkMode: network },
      Cmd: ['sh', '-c', `while true; do if out=$(timeout 10 wget -q -O /dev/null http://${service}:8080/ 2>&1); then echo ok; else echo "FAILED at $(date -u +%T): $out"; fi; sleep 0.1; done`],
    });
    clientId = (client.body as { Id: string }).Id;
    assert.equal((await engineApi('POST', `/containers/${clientId}/start`)).status, 204);
  }, { timeout: 300_000 });

  test(`${RUNS} runs killed at random instants across provision and promote, each followed by a provision and promote that pass`, { timeout: 1_200_000 }, async (t) => {
    t.diagnostic(`PORTER_CRASH_SEED=${seed}; the first provision took ${timing.provisionMs} ms, promote ${timing.promoteMs} ms`);
    const random = prng(seed);
    let killed = 0;
    const timeline: string[] = [];
    let previous = await provisionedStack(repo);
    const began = Date.now();
    for (let run = 1; run <= RUNS; run++) {
      const at = random() * (timing.provisionMs + timing.promoteMs);
      const killProvision = at < timing.provisionMs;
      // A killed promote moves the alias back to the stack promoted before (a real switch, with no provision first).
      const victim = startPorter(repo, killProvision ? ['build', 'provision', '-e', 'Stage'] : ['build', 'promote', '-e', 'Stage', '--stack', previous]);
      await sleep(killProvision ? at : at - timing.provisionMs);
      victim.child.kill('SIGKILL');
      timeline.push(`${new Date().toISOString()} run ${run}: killed ${killProvision ? 'provision' : 'promote'}`);
      const end = await victim.exited;
      if (end.signal === 'SIGKILL') killed += 1;
      const what = `run ${run}: after killing ${killProvision ? 'provision' : 'promote'} at ${Math.round(killProvision ? at : at - timing.provisionMs)} ms`;
      previous = (await promotedStacks(engine))[0] ?? previous;
      // The follow-ups' durations set the next run's window, so the kills keep landing inside the commands however
      // loaded the machine is (the instant is a seeded fraction of that window).
      let started = Date.now();
      ok(await runPorter(repo, ['build', 'provision', '-e', 'Stage']), `${what}, provision`);
      timing.provisionMs = Date.now() - started;
      started = Date.now();
      ok(await runPorter(repo, ['build', 'promote', '-e', 'Stage']), `${what}, promote`);
      timing.promoteMs = Date.now() - started;
      assert.deepEqual(await promotedStacks(engine), [await provisionedStack(repo)], `${what} (seed ${seed}): exactly one promoted stack, the one provisioned last`);
      if (run % 10 === 0) ok(await runPorter(repo, ['build', 'prune', '-e', 'Stage', '--keep', '1']), `run ${run}: prune`);
    }
    t.diagnostic(`${RUNS} runs took ${Math.round((Date.now() - began) / 1000)} s`);
    t.diagnostic(`${killed} of ${RUNS} commands were killed before they ended`);
    assert.ok(killed >= RUNS / 2, `most kills landed while porter ran (${killed} of ${RUNS}; seed ${seed})`);

    ok(await runPorter(repo, ['build', 'prune', '-e', 'Stage']), 'final prune');
    const containers = await engine.listContainers(labels);
    assert.deepEqual(containers.filter((c) => !c.running).map((c) => `${c.name} ${c.status}`), [], 'after prune, no container of the service that is not running');
    const stacks = await listStacks(engine, service, 'Stage', 'local', network);
    assert.deepEqual(stacks.map((s) => `${s.id}${s.promoted ? ' promoted' : ''}`), [`${await provisionedStack(repo)} promoted`], 'after prune, the promoted stack alone');
    assert.deepEqual(await engine.listContainers({ ...labels, [Label.lock]: '' }), [], 'no lock is left');
    const logs = String((await engineApi('GET', `/containers/${clientId}/logs?stdout=1&stderr=1`)).body);
    t.diagnostic(`the client got ${(logs.match(/ok/g) ?? []).length} answers`);
    assert.ok((logs.match(/ok/g) ?? []).length > RUNS, 'the client asked all along');
    assert.deepEqual(logs.match(/FAILED.*/g) ?? [], [], `no request to the alias failed after the first promote (seed ${seed}); kills at:\n${timeline.join('\n')}`);
  });

  test(`two promotes started 100 ms apart, ${PAIRS} times: the second waits for the first, never interleaved`, { timeout: 600_000 }, async () => {
    const a = await provisionedStack(repo);
    ok(await runPorter(repo, ['build', 'provision', '-e', 'Stage']), 'provision of a second stack');
    const b = await provisionedStack(repo);
    for (let pair = 1; pair <= PAIRS; pair++) {
      const [first, second] = pair % 2 ? [a, b] : [b, a];
      const one = startPorter(repo, ['--log-format', 'json', 'build', 'promote', '-e', 'Stage', '--stack', first]);
      await sleep(100);
      const two = startPorter(repo, ['--log-format', 'json', 'build', 'promote', '-e', 'Stage', '--stack', second]);
      const ends = await Promise.all([one.exited, two.exited]);
      ends.forEach((r, i) => ok(r, `pair ${pair}: promote ${i + 1}`));
      const spans = ends.map((r) => {
        const events = jsonEvents(r.stdout);
        const start = events.find((e) => e.type === 'phase-start')?.time;
        const end = events.find((e) => e.type === 'phase-end')?.time;
        assert.ok(typeof start === 'string' && typeof end === 'string', r.stdout);
        return { start: Date.parse(start), end: Date.parse(end), stack: r === ends[0] ? first : second };
      }).sort((x, y) => x.start - y.start);
      assert.ok(spans[0]!.end <= spans[1]!.start, `pair ${pair}: the promotes overlapped: ${JSON.stringify(spans)}`);
      assert.deepEqual(await promotedStacks(engine), [spans[1]!.stack], `pair ${pair}: the stack of the promote that ran last holds the alias alone`);
    }
    const logs = String((await engineApi('GET', `/containers/${clientId}/logs?stdout=1&stderr=1`)).body);
    assert.deepEqual(logs.match(/FAILED.*/g) ?? [], [], 'no request to the alias failed');
  });
});
