/**
 * Stacks that can be restarted: every container of a stack keeps an address of its own on the environment network,
 * so after its containers die, `docker start` brings each back in any order — even after another stack was
 * provisioned and a foreign container joined the network while they were down.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { DockerEngine } from '../../src/docker/engine.js';
import { Label } from '../../src/docker/labels.js';
import { buildPack } from '../../src/phases/pack.js';
import { buildPromote } from '../../src/phases/promote.js';
import { buildProvision } from '../../src/phases/provision.js';
import { describeDocker, eventually, removeTempDirs, sweepAfterSuite, uniqueRunId } from '../helpers/docker.js';
import { engineApi } from '../helpers/engine-api.js';
import { HTTPD_DOCKERFILE, phaseSession, serviceConfig, serviceRepo, stageRegion } from '../helpers/phase-repo.js';

const service = uniqueRunId();
const labels = { [Label.service]: service };
const network = `porter-${service}-Stage`;
let repo = '';

before(async () => {
  repo = await serviceRepo({
    '.porter/config': serviceConfig(service, '', stageRegion(['- name: web', '  inet_port: 8080', '- name: worker', '  dockerfile: Dockerfile.worker'])),
    '.dockerignore': '.porter-tmp\n',
    Dockerfile: HTTPD_DOCKERFILE,
    'Dockerfile.worker': 'FROM busybox:latest\nCMD ["sh", "-c", "trap \'exit 0\' TERM; while true; do sleep 1; done"]\n',
  });
});

after(removeTempDirs);

async function phase(run: (s: Awaited<ReturnType<typeof phaseSession>>) => Promise<string>): Promise<void> {
  const s = await phaseSession(repo);
  try {
    assert.equal(await run(s), 'passed', JSON.stringify(s.results()));
  } finally {
    await s.ctx.close();
  }
}

async function stackContainers(engine: DockerEngine, stack: string): Promise<Map<string, { id: string; address: string; running: boolean }>> {
  const found = await engine.listContainers({ ...labels, [Label.stack]: stack });
  return new Map(found.map((c) => [c.labels[Label.container] ?? '', { id: c.id, address: c.addresses[network] ?? '', running: c.running }]));
}

async function killAll(engine: DockerEngine, ids: string[]): Promise<void> {
  for (const id of ids) assert.equal((await engineApi('POST', `/containers/${id}/kill`)).status, 204);
  assert.ok(await eventually(async () => (await Promise.all(ids.map((id) => engine.inspectContainer(id)))).every((c) => c && !c.running)), 'the containers died');
}

/** What `http://<service>:8080/` answers to a container on the environment network. */
async function answerOnNetwork(engine: DockerEngine): Promise<string> {
  const out: string[] = [];
  await engine.runToExit({ image: 'busybox:latest', env: [], binds: [], labels, network, cmd: ['timeout', '5', 'wget', '-q', '-O-', `http://${service}:8080/`] }, (l) => out.push(l), new AbortController().signal);
  return out.join('\n');
}

void describeDocker('stacks that can be restarted', (engine) => {
  sweepAfterSuite(labels);

  test('after kill, docker start brings every container back at its own address, worker first or web first', { timeout: 240_000 }, async () => {
    await phase((s) => buildPack(s.ctx));
    await phase((s) => buildProvision(s.ctx, 'Stage'));
    await phase((s) => buildPromote(s.ctx, 'Stage', undefined));
    const [stack] = [...new Set((await engine.listContainers({ ...labels, [Label.stack]: '' })).map((c) => c.labels[Label.stack] ?? ''))];
    assert.ok(stack);
    const before = await stackContainers(engine, stack);
    const [web, worker] = [before.get('web'), before.get('worker')];
    assert.ok(web?.address && worker?.address && web.address !== worker.address, JSON.stringify([...before]));

    await killAll(engine, [web.id, worker.id]);
    // While they are down: a new stack is provisioned and a foreign container joins the network (the engine picks its address).
    await phase((s) => buildProvision(s.ctx, 'Stage'));
    const foreign = await engineApi('POST', `/containers/create?name=${service}-foreign`, 30_000, { Image: 'busybox:latest', Cmd: ['sleep', '600'], Labels: labels, HostConfig: { NetworkMode: network } });
    assert.equal((await engineApi('POST', `/containers/${(foreign.body as { Id: string }).Id}/start`)).status, 204);
    const taken = (await engine.listContainers(labels)).filter((c) => c.running).map((c) => c.addresses[network]);
    assert.ok(!taken.includes(web.address) && !taken.includes(worker.address), `no running container took a dead one's address: ${taken.join(', ')}`);

    for (const order of [[worker, web], [web, worker]]) {
      for (const c of order) {
        const started = await engineApi('POST', `/containers/${c.id}/start`);
        assert.equal(started.status, 204, `docker start ${c.id}: ${JSON.stringify(started.body)}`);
      }
      const after = await stackContainers(engine, stack);
      assert.deepEqual([after.get('web'), after.get('worker')], [{ ...web, running: true }, { ...worker, running: true }], 'both run again, each at its own address');
      assert.equal(await answerOnNetwork(engine), `stack ${stack}`, 'the promoted stack answers to its alias again');
      if (order[0] === worker) await killAll(engine, [web.id, worker.id]);
    }
  });
});
