import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { DockerEngine } from '../../src/docker/engine.js';
import { Label } from '../../src/docker/labels.js';
import { StateError } from '../../src/errors.js';
import { buildPack } from '../../src/phases/pack.js';
import { buildPromote } from '../../src/phases/promote.js';
import { buildProvision } from '../../src/phases/provision.js';
import { buildPrune } from '../../src/phases/prune.js';
import { assertNothingLeft, describeDocker, removeTempDirs, sweep, uniqueRunId } from '../helpers/docker.js';
import { engineApi } from '../helpers/engine-api.js';
import { answerOnNetwork as answer, startClientLoop } from '../helpers/alias-client.js';
import { HTTPD_DOCKERFILE, STACK_ENV_HOOK, inPhaseSession, serviceConfig, serviceRepo } from '../helpers/phase-repo.js';

const service = uniqueRunId();
const labels = { [Label.service]: service };
const network = `porter-${service}-Stage`;
let repo = '';

before(async () => {
  repo = await serviceRepo({
    '.porter/config': serviceConfig(service, '  post_promote:\n  - name: env\n    dockerfile: .porter/hooks/env/Dockerfile\n', [
      '- name: Stage',
      '  regions:',
      '  - name: local',
      '    containers:',
      '    - name: web',
      '      inet_port: 8080',
      '',
    ].join('\n')),
    '.porter/hooks/env/Dockerfile': STACK_ENV_HOOK,
    '.dockerignore': '.porter-tmp\n',
    Dockerfile: HTTPD_DOCKERFILE,
  });
});

after(async () => {
  await sweep(labels);
  await removeTempDirs();
});

const phase = <T>(run: Parameters<typeof inPhaseSession<T>>[1]) => inPhaseSession(repo, run);

async function provisioned(): Promise<string> {
  const { value } = await phase((s) => buildProvision(s.ctx, 'Stage'));
  assert.equal(value, 'passed');
  return JSON.parse(await readFile(join(repo, '.porter-tmp', 'provision.json'), 'utf8')).environments.Stage.stackId as string;
}

const answerOnNetwork = (engine: DockerEngine): Promise<string> => answer(engine, service, network, labels);

async function stacksOnEngine(engine: DockerEngine): Promise<string[]> {
  return [...new Set((await engine.listContainers({ ...labels, [Label.stack]: '' })).map((c) => c.labels[Label.stack] ?? ''))].sort();
}

void describeDocker('build promote and prune on the real engine', (engine) => {
  test('promote before provision is exit 2 saying to provision first', { timeout: 30_000 }, async () => {
    await assert.rejects(phase((s) => buildPromote(s.ctx, 'Stage', undefined)), (err: unknown) =>
      err instanceof StateError && err.exitCode === 2 && /Run `porter build provision -e Stage` first/.test(err.message));
  });

  test('blue/green: a client on the network sees no failed request while the alias moves; re-promote is a no-op; --stack rolls back', { timeout: 120_000 }, async () => {
    assert.equal((await phase((s) => buildPack(s.ctx))).value, 'passed');
    const blue = await provisioned();
    const first = await phase((s) => buildPromote(s.ctx, undefined, undefined));
    assert.equal(first.value, 'passed');
    assert.equal(await answerOnNetwork(engine), `stack ${blue}`);
    assert.deepEqual(first.s.lines('post_promote', 'env')[0]?.split(' ').slice(0, 3), ['ENV=Stage', 'REGION=local', `STACK=${blue}`]);
    const green = await provisioned();

    // A client on the environment network asks every 100 ms, each request allowed 2 s, and counts failures.
    const client = await startClientLoop(service, network, labels);

    const switched = await phase((s) => buildPromote(s.ctx, 'Stage', undefined));
    assert.equal(switched.value, 'passed');
    assert.equal(await answerOnNetwork(engine), `stack ${green}`);
    const again = await phase((s) => buildPromote(s.ctx, 'Stage', undefined));
    assert.ok(again.s.lines('promote', 'stack').includes(`stack ${green} is already promoted: nothing to change`));
    const rollback = await phase((s) => buildPromote(s.ctx, 'Stage', blue));
    assert.equal(rollback.value, 'passed');
    assert.equal(await answerOnNetwork(engine), `stack ${blue}`);
    await new Promise((r) => setTimeout(r, 2500));

    const { ok, failed } = await client.stop();
    assert.ok(ok > 20, `the client made requests through the switches (${ok} answered)`);
    assert.equal(failed, 0, 'no request failed while the alias moved');

    const urls = await engine.listContainers({ ...labels, [Label.stack]: '' });
    for (const c of urls) {
      const port = c.ports[8080]?.hostPort;
      assert.equal((await fetch(`http://127.0.0.1:${port}/`)).status, 200, `${c.name} keeps answering on its published port after the moves`);
    }
  });

  test('prune keeps the promoted stack and the --keep newest others; the network stays while a stack does', { timeout: 90_000 }, async () => {
    const stacks = await stacksOnEngine(engine);
    assert.equal(stacks.length, 2);
    const third = await provisioned();
    const kept = await phase((s) => buildPrune(s.ctx, 'Stage', 1));
    assert.equal(kept.value, 'passed');
    const afterKeep = await stacksOnEngine(engine);
    assert.equal(afterKeep.length, 2, `kept: ${afterKeep.join(', ')}`);
    assert.ok(afterKeep.includes(third), 'the newest unpromoted stack is kept with --keep 1');
    const pruned = await phase((s) => buildPrune(s.ctx, undefined, 0));
    assert.equal(pruned.value, 'passed');
    const left = await stacksOnEngine(engine);
    assert.equal(left.length, 1);
    assert.notEqual(left[0], third, 'the promoted (rolled-back) stack stays');
    assert.equal(await answerOnNetwork(engine), `stack ${left[0]}`);
    assert.equal((await engineApi('GET', `/networks/${network}`)).status, 200);
    assert.equal((await engine.findImages({ ...labels, [Label.container]: 'web' })).length, 1, 'the promoted stack still uses its image');
  });

  test('nothing is left after a sweep', { timeout: 30_000 }, async () => {
    await sweep(labels);
    await assertNothingLeft(labels);
    assert.equal((await engineApi('GET', `/networks/${network}`)).status, 404);
  });
});
