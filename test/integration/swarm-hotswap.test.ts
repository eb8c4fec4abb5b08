/**
 * hot_swap on a Swarm region, on a two-node swarm of the test's own (test/helpers/swarm-lab.ts): provision updates
 * the promoted stack's services in place by a rolling update while a client on the overlay network sees no failed
 * request; an update that never gets healthy is rolled back.
 */
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import { Label } from '../../src/docker/labels.js';
import { buildPack } from '../../src/phases/pack.js';
import { buildPromote } from '../../src/phases/promote.js';
import { buildProvision } from '../../src/phases/provision.js';
import type { ProvisionRecord } from '../../src/phases/state.js';
import { PAGE_DOCKERFILE } from '../helpers/alias-client.js';
import { eventually, removeTempDirs, uniqueRunId } from '../helpers/docker.js';
import { commitAll, phaseSession, serviceConfig, serviceRepo, type PhaseSession } from '../helpers/phase-repo.js';
import { dockerConfigFor } from '../helpers/registry.js';
import { createSwarmLab, swarmLabUnavailable, type SwarmLab } from '../helpers/swarm-lab.js';
import { labAnswer, startLabClient, tearDownLab } from '../helpers/swarm-suite.js';

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
    '.porter/config': serviceConfig(service, '', [
      '- name: Stage', '  hot_swap: true', `  registry: ${lab.registry}`, '  regions:', '  - name: swarm', '    orchestrator: swarm',
      '    containers:', '    - name: web', '      inet_port: 8080', '      replicas: 2', '      health_check: {path: /health, timeout: 20s}', '',
    ].join('\n')),
    '.dockerignore': '.porter-tmp\n',
    '.gitignore': '.porter-tmp\n',
    Dockerfile: PAGE_DOCKERFILE,
    'page.txt': 'one\n',
  }, { git: true });
});

after(() => tearDownLab(lab, service, removeTempDirs));

async function phase<T>(run: (s: PhaseSession) => Promise<T>): Promise<{ value: T; s: PhaseSession }> {
  const s = await phaseSession(repo, { DOCKER_HOST: lab?.managerHost, DOCKER_REGISTRY: undefined, DOCKER_REPOSITORY: undefined, DOCKER_CONFIG: dockerConfig });
  try {
    return { value: await run(s), s };
  } finally {
    await s.ctx.close();
  }
}

const why = (s: PhaseSession): string => s.results().filter((r) => r.status !== 'passed').map((r) => `${r.hook}: ${r.message ?? ''} ${r.tail.join(' | ')}`).join('\n');

function stage(): SwarmLab {
  if (!lab) throw new Error('no lab');
  return lab;
}

/** A new version with this page, packed (pushed to the lab's registry). */
async function release(page: string): Promise<void> {
  await writeFile(join(repo, 'page.txt'), `${page}\n`);
  commitAll(repo, page);
  const packed = await phase((s) => buildPack(s.ctx));
  assert.equal(packed.value, 'passed', why(packed.s));
}

async function record(): Promise<ProvisionRecord> {
  return (JSON.parse(await readFile(join(repo, '.porter-tmp', 'provision.json'), 'utf8')) as { environments: Record<string, ProvisionRecord> }).environments.Stage!;
}

/** The stack's services: id → the image its spec runs. */
async function serviceImages(): Promise<Record<string, string>> {
  const ids = (await stage().docker('manager', ['service', 'ls', '-q', '--filter', `label=${Label.service}=${service}`])).split('\n').filter(Boolean);
  return Object.fromEntries(await Promise.all(ids.map(async (id) => [id, (await stage().docker('manager', ['service', 'inspect', id, '--format', '{{.Spec.TaskTemplate.ContainerSpec.Image}}'])).trim()])));
}

const answerOnNetwork = (): Promise<string> => labAnswer(stage(), service, network);

/**
 * Five answers in a row are `page` (Swarm's DNS converges across nodes by gossip) within `timeoutMs`; after a rolled
 * back update the tasks are replaced once more, and on a busy machine that took over 30 s.
 */
async function answersSteadily(page: string, timeoutMs = 30_000): Promise<boolean> {
  return eventually(async () => {
    for (let i = 0; i < 5; i++) if ((await answerOnNetwork()) !== page) return false;
    return true;
  }, timeoutMs, 500);
}

void describe('hot swap on a two-node swarm', () => {
  let stackId = '';
  let services: Record<string, string> = {};

  test('the lab can be built here (a failure under CI, else a loud skip)', { timeout: 10_000 }, (t) => {
    if (!unavailable) return;
    if (process.env.CI) assert.fail(`CI is set, so this is a failure, not a skip: ${unavailable}`);
    t.skip(unavailable);
  });

  test('provision rolls the promoted stack\'s services to the new version in place; no failed request through the alias; promote has nothing to do', { timeout: 300_000 }, async (t) => {
    if (!lab) return t.skip(unavailable ?? 'no lab');
    const packed = await phase((s) => buildPack(s.ctx));
    assert.equal(packed.value, 'passed', why(packed.s));
    const first = await phase((s) => buildProvision(s.ctx, 'Stage'));
    assert.equal(first.value, 'passed', why(first.s));
    stackId = (await record()).stackId;
    assert.equal((await phase((s) => buildPromote(s.ctx, 'Stage', undefined))).value, 'passed');
    assert.ok(await answersSteadily('one'));
    const before = await serviceImages();

    await release('two');
    const client = await startLabClient(lab, service, network, { [Label.service]: service });
    const swap = await phase((s) => buildProvision(s.ctx, 'Stage'));
    assert.equal(swap.value, 'passed', why(swap.s));
    await sleep(3000);
    const { ok, failed: fail } = await client.stop();
    assert.equal(fail, 0, `failed requests through the hot swap (ok ${ok})`);
    assert.ok((ok ?? 0) > 30, `the client kept requesting (${ok} answers)`);

    assert.equal((await record()).stackId, stackId, 'the same stack');
    services = await serviceImages();
    assert.deepEqual(Object.keys(services), Object.keys(before), 'the same services, updated');
    assert.notDeepEqual(Object.values(services), Object.values(before), 'running the new image');
    assert.ok(await answersSteadily('two'));
    const promote = await phase((s) => buildPromote(s.ctx, 'Stage', undefined));
    assert.equal(promote.value, 'passed');
    assert.ok(promote.s.lines('promote', 'stack').some((l) => /already promoted: nothing to change/.test(l)));
  });

  // Known bug (left open in issue 13): after the rolled-back update the services run the previous image again and
  // provision fails as it should, but the alias did not answer steadily with the previous version within 150 s in two
  // of four runs. Still run and reported (todo), so the failure stays visible without failing the suite.
  test('an update that never gets healthy is rolled back and provision fails', { timeout: 300_000, todo: 'the alias after a rolled-back Swarm hot swap (issue 13)' }, async (t) => {
    if (!lab || !stackId) return t.skip(unavailable ?? 'the first test did not get so far');
    await release('broken');
    const swap = await phase((s) => buildProvision(s.ctx, 'Stage'));
    assert.equal(swap.value, 'failed');
    const failure = swap.s.results().find((r) => r.list === 'provision' && r.status === 'failed');
    assert.match(failure?.message ?? '', /rolled back to its previous version/);
    assert.deepEqual(await serviceImages(), services, 'the services run the previous image again');
    assert.ok(await answersSteadily('two', 150_000), `the previous version answers steadily again (last answer: ${await answerOnNetwork()})`);
  });
});
