import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Label } from '../../src/docker/labels.js';
import { buildPack } from '../../src/phases/pack.js';
import { buildProvision } from '../../src/phases/provision.js';
import { assertNothingLeft, describeDocker, removeTempDirs, sweep, uniqueRunId } from '../helpers/docker.js';
import { engineApi, execIn } from '../helpers/engine-api.js';
import { HTTPD_DOCKERFILE, phaseSession, serviceConfig, serviceRepo, stageRegion } from '../helpers/phase-repo.js';

const service = uniqueRunId();
const labels = { [Label.service]: service };
let repo = '';

interface Inspected {
  Config: { User: string };
  HostConfig: { ReadonlyRootfs: boolean; Tmpfs?: Record<string, string>; PidsLimit: number; SecurityOpt: string[]; CapDrop: string[]; CapAdd: string[] | null };
}

before(async () => {
  repo = await serviceRepo({
    '.porter/config': serviceConfig(service, '', stageRegion(['- name: web', '  inet_port: 8080', '  health_check: {timeout: 20s}'])),
    '.dockerignore': '.porter-tmp\n',
    Dockerfile: HTTPD_DOCKERFILE,
  });
});

after(async () => {
  await sweep(labels);
  await removeTempDirs();
});

async function provision(): Promise<void> {
  for (const run of [buildPack, (ctx: Parameters<typeof buildPack>[0]) => buildProvision(ctx, 'Stage')]) {
    const s = await phaseSession(repo);
    try {
      assert.equal(await run(s.ctx), 'passed');
    } finally {
      await s.ctx.close();
    }
  }
}

void describeDocker('deployed containers are hardened by default', (engine) => {
  test('non-root, read-only root with a tmpfs /tmp, pids limit, no-new-privileges, every capability dropped', { timeout: 120_000 }, async () => {
    await provision();
    const [web] = await engine.listContainers({ ...labels, [Label.container]: 'web' });
    assert.ok(web?.running, 'the stack container runs');
    const info = (await engineApi('GET', `/containers/${web.id}/json`)).body as Inspected;
    assert.equal(info.Config.User, '65534');
    assert.equal(info.HostConfig.ReadonlyRootfs, true);
    assert.deepEqual(info.HostConfig.Tmpfs, { '/tmp': 'rw,mode=1777' });
    assert.equal(info.HostConfig.PidsLimit, 4096);
    assert.deepEqual(info.HostConfig.SecurityOpt, ['no-new-privileges:true']);
    assert.deepEqual(info.HostConfig.CapDrop, ['ALL']);
    assert.deepEqual(info.HostConfig.CapAdd ?? [], []);
    const inside = await execIn(web.id, ['sh', '-c', 'id -u; touch /x 2>/dev/null && echo root-written || echo root-read-only; touch /tmp/x && echo tmp-written; grep CapEff /proc/self/status']);
    assert.deepEqual(inside.output.trim().split(/\r?\n/), ['65534', 'root-read-only', 'tmp-written', 'CapEff:\t0000000000000000']);
    const port = web.ports[8080]?.hostPort;
    assert.equal(await (await fetch(`http://127.0.0.1:${port}/`)).text(), `stack ${web.labels[Label.stack]}\n`, 'the service serves what it wrote to /tmp');
  });

  test('nothing is left after a sweep', { timeout: 30_000 }, async () => {
    await sweep(labels);
    await assertNothingLeft(labels);
  });
});
