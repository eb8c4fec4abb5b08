/**
 * Rollback, status and teardown on a Swarm region (the two-node lab of test/helpers/swarm-lab.ts): the promotion
 * history kept on the manager, a rollback under a client loop with no failed request, then teardown of the services,
 * the overlay network and the records, twice.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import { Label } from '../../src/docker/labels.js';
import { buildPack } from '../../src/phases/pack.js';
import { buildPromote } from '../../src/phases/promote.js';
import { buildProvision } from '../../src/phases/provision.js';
import { buildRollback } from '../../src/phases/rollback.js';
import { buildStatus } from '../../src/phases/status.js';
import { buildTeardown } from '../../src/phases/teardown.js';
import { eventually, removeTempDirs, uniqueRunId } from '../helpers/docker.js';
import { HTTPD_DOCKERFILE, serviceConfig, serviceRepo, type PhaseSession } from '../helpers/phase-repo.js';
import { dockerConfigFor } from '../helpers/registry.js';
import { createSwarmLab, swarmLabUnavailable, type SwarmLab } from '../helpers/swarm-lab.js';
import { labAnswer, labPhase, startLabClient, tearDownLab, testLabCanBeBuilt } from '../helpers/swarm-suite.js';

const service = uniqueRunId();
const network = `porter-${service}-Stage`;
let lab: SwarmLab | undefined;
let unavailable: string | undefined;
let repo = '';
let dockerConfig = '';

before(async () => {
  unavailable = await swarmLabUnavailable();
  if (unavailable) return;
  lab = await createSwarmLab();
  dockerConfig = await dockerConfigFor(lab.registry);
  repo = await serviceRepo({
    '.porter/config': serviceConfig(service, '  post_teardown:\n  - name: done\n    dockerfile: .porter/hooks/done/Dockerfile\n', [
      '- name: Stage', `  registry: ${lab.registry}`, '  regions:', '  - name: swarm', '    orchestrator: swarm',
      '    containers:', '    - name: web', '      inet_port: 8080', '      replicas: 1', '      health_check: {path: /health, timeout: 60s}', '',
    ].join('\n')),
    '.porter/hooks/done/Dockerfile': 'FROM busybox:latest\nCMD ["sh", "-c", "echo torn down $PORTER_REGION"]\n',
    '.dockerignore': '.porter-tmp\n',
    // Stack containers run with a read-only root filesystem: the page is written to the /tmp tmpfs.
    Dockerfile: HTTPD_DOCKERFILE,
  });
});

after(() => tearDownLab(lab, service, removeTempDirs));

function stage(): SwarmLab {
  if (!lab) throw new Error('no lab');
  return lab;
}

const phase = <T>(run: (s: PhaseSession) => Promise<T>): Promise<{ value: T; s: PhaseSession }> => labPhase(lab, repo, dockerConfig, run);

async function provisioned(): Promise<string> {
  const { value, s } = await phase((x) => buildProvision(x.ctx, 'Stage'));
  assert.equal(value, 'passed', s.results().map((r) => `${r.hook}: ${r.message ?? ''} ${r.tail.join(' | ')}`).join('\n'));
  return JSON.parse(await readFile(join(repo, '.porter-tmp', 'provision.json'), 'utf8')).environments.Stage.stackId as string;
}

const answerOnNetwork = (): Promise<string> => labAnswer(stage(), service, network);

/** Swarm's DNS converges by gossip: five answers in a row from `stack` mean the alias is there. */
async function answersSteadily(stack: string): Promise<boolean> {
  return eventually(async () => {
    for (let i = 0; i < 5; i++) if ((await answerOnNetwork()) !== `stack ${stack}`) return false;
    return true;
  }, 30_000, 500);
}

void describe('rollback, status and teardown on a Swarm region', () => {
  testLabCanBeBuilt(() => unavailable);

  test('rollback from the history on the manager with no failed request; status; teardown removes services, overlay and records, twice', { timeout: 300_000 }, async (t) => {
    if (!lab) return t.skip(unavailable ?? 'no lab');
    assert.equal((await phase((s) => buildPack(s.ctx))).value, 'passed');
    const blue = await provisioned();
    await sleep(5); // a distinct stack id (a millisecond clock)
    const green = await provisioned();
    assert.equal((await phase((s) => buildPromote(s.ctx, 'Stage', blue))).value, 'passed');
    assert.equal((await phase((s) => buildPromote(s.ctx, 'Stage', undefined))).value, 'passed');
    assert.ok(await answersSteadily(green), 'green answers after the second promote');

    const client = await startLabClient(lab, service, network, { [Label.service]: service });
    const back = await phase((s) => buildRollback(s.ctx, 'Stage', undefined));
    assert.equal(back.value, 'passed', back.s.results().map((r) => `${r.message ?? ''} ${r.tail.join(' | ')}`).join('\n'));
    await sleep(3000);
    const { ok, failed: fail } = await client.stop();
    assert.equal(fail, 0, `failed requests through the rollback (ok ${ok})`);
    assert.ok((ok ?? 0) > 20, `the client kept requesting (${ok} answers)`);
    assert.ok(await answersSteadily(blue), 'only blue answers once the rollback has converged');

    const { value: regions } = await phase((s) => buildStatus(s.ctx, 'Stage'));
    assert.deepEqual(regions[0]?.stacks.map((s) => [s.id, s.promoted, s.health]), [[green, false, 'healthy'], [blue, true, 'healthy']]);
    assert.deepEqual(regions[0]?.promotions.map((p) => [p.by, p.stack]), [['rollback', blue], ['promote', green], ['promote', blue]]);
    assert.match(regions[0]?.stacks[0]?.url ?? '', /^http:\/\/10\.250\.\d+\.\d+:\d+$/);

    const down = await phase((s) => buildTeardown(s.ctx, 'Stage'));
    assert.equal(down.value, 'passed', down.s.results().map((r) => `${r.message ?? ''} ${r.tail.join(' | ')}`).join('\n'));
    assert.deepEqual(down.s.lines('post_teardown', 'done'), ['torn down swarm']);
    assert.equal((await lab.docker('manager', ['service', 'ls', '-q', '--filter', `label=${Label.service}=${service}`])).trim(), '');
    assert.ok(await eventually(async () => (await lab?.docker('manager', ['network', 'ls', '-q', '--filter', `name=${network}`]))?.trim() === '', 20_000, 500), 'the overlay network is gone');
    assert.equal((await lab.docker('manager', ['volume', 'ls', '-q', '--filter', `label=${Label.service}=${service}`])).trim(), '', 'the history records are gone');
    assert.equal((await phase((s) => buildTeardown(s.ctx, 'Stage'))).value, 'passed', 'a second teardown passes');
  });
});
