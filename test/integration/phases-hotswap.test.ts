import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { DockerEngine } from '../../src/docker/engine.js';
import { Label } from '../../src/docker/labels.js';
import { buildPack } from '../../src/phases/pack.js';
import { buildPromote } from '../../src/phases/promote.js';
import { buildProvision } from '../../src/phases/provision.js';
import type { ProvisionRecord } from '../../src/phases/state.js';
import { assertNothingLeft, describeDocker, removeTempDirs, sweep, uniqueRunId } from '../helpers/docker.js';
import { PAGE_DOCKERFILE, startClientLoop } from '../helpers/alias-client.js';
import { commitAll, phaseSession, serviceConfig, serviceRepo, type PhaseSession } from '../helpers/phase-repo.js';

const service = uniqueRunId();
const labels = { [Label.service]: service };
const network = `porter-${service}-Stage`;
let repo = '';

const hooks = ['pre_provision', 'pre_hotswap', 'post_hotswap'].map((list) => `  ${list}:\n  - name: env\n    dockerfile: .porter/hooks/env/Dockerfile\n`).join('');
const environments = [
  '- name: Stage',
  '  hot_swap: true',
  '  regions:',
  '  - name: local',
  '    containers:',
  '    - name: web',
  '      inet_port: 8080',
  '      replicas: 2',
  '      health_check: {timeout: 8s}',
  '',
].join('\n');

before(async () => {
  repo = await serviceRepo({
    '.porter/config': serviceConfig(service, hooks, environments),
    '.porter/hooks/env/Dockerfile': 'FROM busybox:latest\nCMD ["sh", "-c", "echo ENV=$PORTER_ENVIRONMENT STACK=$PORTER_STACK_ID"]\n',
    '.dockerignore': '.porter-tmp\n',
    '.gitignore': '.porter-tmp\n',
    Dockerfile: PAGE_DOCKERFILE,
    'page.txt': 'one\n',
  }, { git: true });
});

after(async () => {
  await sweep(labels);
  await removeTempDirs();
});

async function phase<T>(run: (s: PhaseSession) => Promise<T>): Promise<{ value: T; s: PhaseSession }> {
  const s = await phaseSession(repo);
  try {
    return { value: await run(s), s };
  } finally {
    await s.ctx.close();
  }
}

/** A new version of the service with this page, packed. */
async function release(page: string): Promise<void> {
  await writeFile(join(repo, 'page.txt'), `${page}\n`);
  commitAll(repo, page);
  assert.equal((await phase((s) => buildPack(s.ctx))).value, 'passed');
}

async function record(): Promise<ProvisionRecord> {
  return (JSON.parse(await readFile(join(repo, '.porter-tmp', 'provision.json'), 'utf8')) as { environments: Record<string, ProvisionRecord> }).environments.Stage!;
}

/** What `http://<service>:8080/` answers to a container on the environment network, right now. */
async function answerOnNetwork(engine: DockerEngine): Promise<string> {
  const out: string[] = [];
  await engine.runToExit({ image: 'busybox:latest', env: [], binds: [], labels, network, cmd: ['timeout', '5', 'wget', '-q', '-O-', `http://${service}:8080/`] }, (l) => out.push(l), new AbortController().signal);
  return out.join('\n');
}

/** The stack's containers on the engine: name → host port, running or not. */
async function stackContainers(engine: DockerEngine): Promise<Record<string, { port: number | undefined; running: boolean }>> {
  const found = await engine.listContainers({ ...labels, [Label.stack]: '' });
  return Object.fromEntries(found.map((c) => [c.name, { port: c.ports[8080]?.hostPort, running: c.running }]));
}

const hookLists = (s: PhaseSession): string[] => s.results().filter((r) => r.hook === 'env').map((r) => r.list);

void describeDocker('hot swap on the real engine', (engine) => {
  let stackId = '';
  let before: Awaited<ReturnType<typeof stackContainers>> = {};

  test('with no promoted stack, provision works as usual', { timeout: 120_000 }, async () => {
    assert.equal((await phase((s) => buildPack(s.ctx))).value, 'passed');
    const first = await phase((s) => buildProvision(s.ctx, 'Stage'));
    assert.equal(first.value, 'passed', JSON.stringify(first.s.results().filter((r) => r.status !== 'passed')));
    assert.deepEqual(hookLists(first.s), ['pre_provision'], 'pre_provision ran; no hot-swap list');
    stackId = (await record()).stackId;
    assert.equal((await phase((s) => buildPromote(s.ctx, 'Stage', undefined))).value, 'passed');
    assert.equal(await answerOnNetwork(engine), 'one');
    before = await stackContainers(engine);
    assert.equal(Object.keys(before).length, 2);
  });

  test('replaces the promoted stack in place: same stack id, URL, names and ports; no failed request through the alias; promote has nothing to do', { timeout: 180_000 }, async () => {
    const { version: oldVersion, regions } = await record();
    const url = regions[0]?.url;
    await release('two');
    const client = await startClientLoop(service, network, labels);
    const swap = await phase((s) => buildProvision(s.ctx, 'Stage'));
    assert.equal(swap.value, 'passed', JSON.stringify(swap.s.results().filter((r) => r.status !== 'passed')));
    await new Promise((r) => setTimeout(r, 1000));
    const { ok, failed } = await client.stop();

    assert.deepEqual(hookLists(swap.s), ['pre_hotswap', 'post_hotswap'], 'the hot-swap lists ran instead of pre_/post_provision');
    assert.deepEqual(swap.s.lines('post_hotswap', 'env'), [`ENV=Stage STACK=${stackId}`]);
    const after = await record();
    assert.equal(after.stackId, stackId);
    assert.equal(after.regions[0]?.url, url);
    assert.deepEqual(await stackContainers(engine), before, 'the same container names on the same host ports, all running');
    assert.equal(await answerOnNetwork(engine), 'two');
    assert.equal(await (await fetch(`${url}/`)).text(), 'two\n', 'the stack URL serves the new version');
    assert.equal((await engine.findImages({ ...labels, [Label.version]: after.version })).length, 1, 'the new version\'s image is found by its labels');
    assert.deepEqual(await engine.findImages({ ...labels, [Label.version]: oldVersion }), [], 'the old version\'s image went with its containers');

    assert.ok(ok > 20, `the client made requests through the swap (${ok} answered)`);
    assert.equal(failed, 0, 'no request failed through the alias during the swap');

    const promote = await phase((s) => buildPromote(s.ctx, 'Stage', undefined));
    assert.equal(promote.value, 'passed');
    assert.ok(promote.s.lines('promote', 'stack').includes(`stack ${stackId} is already promoted: nothing to change`));
  });

  test('new containers that do not get healthy: the old ones are put back and provision fails', { timeout: 180_000 }, async () => {
    const was = await stackContainers(engine);
    await release('broken');
    const swap = await phase((s) => buildProvision(s.ctx, 'Stage'));
    assert.equal(swap.value, 'failed');
    const failure = swap.s.results().find((r) => r.list === 'provision' && r.status === 'failed');
    assert.match(failure?.message ?? '', /did not become healthy.*The old containers were put back/);
    assert.deepEqual(await stackContainers(engine), was, 'the old containers, under their names and ports, running');
    assert.equal(await answerOnNetwork(engine), 'two');
    assert.equal((await record()).stackId, stackId);
  });

  test('nothing is left after a sweep', { timeout: 30_000 }, async () => {
    await sweep(labels);
    await assertNothingLeft(labels);
  });
});
