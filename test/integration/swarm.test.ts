/**
 * Swarm regions end to end on a two-node swarm the test builds itself (test/helpers/swarm-lab.ts): pack pushes to a
 * real registry, provision runs services on both nodes, promote moves the alias with no failed request, rollback,
 * a stack that never converges, a worker engine refused, prune; then everything torn down and checked gone.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import { watchEnvironment } from '../../src/commands/watch.js';
import { Label } from '../../src/docker/labels.js';
import { EngineError } from '../../src/errors.js';
import { buildPack } from '../../src/phases/pack.js';
import { buildPromote } from '../../src/phases/promote.js';
import { buildProvision } from '../../src/phases/provision.js';
import { buildPrune } from '../../src/phases/prune.js';
import { eventually, removeTempDirs, uniqueRunId } from '../helpers/docker.js';
import { phaseSession, serviceConfig, serviceRepo, type PhaseSession } from '../helpers/phase-repo.js';
import { dockerConfigFor, registryAuthorization } from '../helpers/registry.js';
import { createSwarmLab, swarmLabUnavailable, type SwarmLab } from '../helpers/swarm-lab.js';
import { labAnswer, labPhase, startLabClient, tearDownLab, testLabCanBeBuilt } from '../helpers/swarm-suite.js';

const service = uniqueRunId();
const network = `porter-${service}-Stage`;
let lab: SwarmLab | undefined;
let unavailable: string | undefined;
let repo = '';
/** DOCKER_CONFIG for porter: the lab registry's login, which pack pushes with and the nodes pull with. */
let dockerConfig = '';

/** An httpd on 8080 whose page names its stack and its task's container. */
const DOCKERFILE = [
  'FROM busybox:latest',
  'CMD ["sh", "-c", "mkdir -p /tmp/www && echo ok > /tmp/www/health && echo \\"stack $PORTER_STACK_ID $(hostname)\\" > /tmp/www/index.html && exec httpd -f -p 8080 -h /tmp/www"]',
  '',
].join('\n');

before(async () => {
  unavailable = await swarmLabUnavailable();
  if (unavailable) return;
  lab = await createSwarmLab();
  dockerConfig = await dockerConfigFor(lab.registry);
  const region = (name: string, extra: string[] = []): string[] => [`  - name: ${name}`, '    orchestrator: swarm', ...extra];
  const web = (health: string): string[] => ['    containers:', '    - name: web', '      inet_port: 8080', '      replicas: 2', `      health_check: ${health}`];
  repo = await serviceRepo({
    '.porter/config': serviceConfig(service, '  on-task:\n  - name: vars\n    dockerfile: .porter/hooks/vars/Dockerfile\n', [
      '- name: Stage', `  registry: ${lab.registry}`, '  regions:', ...region('swarm'), ...web('{path: /health, timeout: 60s}'),
      '- name: Broken', `  registry: ${lab.registry}`, '  regions:', ...region('swarm'), ...web('{path: /missing, timeout: 5s}'),
      '- name: Worker', `  registry: ${lab.registry}`, '  regions:', ...region('swarm', [`    docker_host: ${lab.workerHost}`]), ...web('{path: /health, timeout: 60s}'),
      'events:', '- on: [die, start]', '  hooks: on-task',
      '',
    ].join('\n')),
    '.porter/hooks/vars/Dockerfile': 'FROM busybox:latest\nCMD ["sh", "-c", "echo VARS $PORTER_EVENT $PORTER_EVENT_CONTAINER $PORTER_EVENT_STACK $PORTER_EVENT_EXIT_CODE $PORTER_REGION"]\n',
    '.dockerignore': '.porter-tmp\n',
    Dockerfile: DOCKERFILE,
  });
});

after(() => tearDownLab(lab, service, removeTempDirs));

const phase = <T>(run: (s: PhaseSession) => Promise<T>): Promise<{ value: T; s: PhaseSession }> => labPhase(lab, repo, dockerConfig, run);

function stage(): SwarmLab {
  if (!lab) throw new Error('no lab');
  return lab;
}

async function provisioned(): Promise<{ stackId: string; url: string }> {
  const { value, s } = await phase((x) => buildProvision(x.ctx, 'Stage'));
  assert.equal(value, 'passed', s.results().map((r) => `${r.hook}: ${r.message ?? ''} ${r.tail.join(' | ')}`).join('\n'));
  const record = JSON.parse(await readFile(join(repo, '.porter-tmp', 'provision.json'), 'utf8')).environments.Stage;
  return { stackId: record.stackId as string, url: record.regions[0].url as string };
}

interface ServiceRow { ID: string; Name: string; Labels: Record<string, string> }
async function services(): Promise<ServiceRow[]> {
  const out = await stage().docker('manager', ['service', 'ls', '--filter', `label=${Label.service}=${service}`, '--format', '{{json .}}']);
  const rows = out.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { ID: string; Name: string });
  return Promise.all(rows.map(async (r) => ({ ...r, Labels: JSON.parse(await stage().docker('manager', ['service', 'inspect', r.ID, '--format', '{{json .Spec.Labels}}'])) as Record<string, string> })));
}

/** `node-address port` of each running task of a service (host-mode published port 8080). */
async function taskEndpoints(serviceName: string): Promise<string[]> {
  const ids = (await stage().docker('manager', ['service', 'ps', serviceName, '--filter', 'desired-state=running', '-q'])).split('\n').filter(Boolean);
  return Promise.all(ids.map(async (id) => {
    const node = (await stage().docker('manager', ['inspect', id, '--format', '{{.NodeID}}'])).trim();
    const port = (await stage().docker('manager', ['inspect', id, '--format', '{{(index .Status.PortStatus.Ports 0).PublishedPort}}'])).trim();
    const addr = (await stage().docker('manager', ['node', 'inspect', node, '--format', '{{.Status.Addr}}'])).trim();
    return `${addr} ${port}`;
  }));
}

const answerOnNetwork = (): Promise<string> => labAnswer(stage(), service, network);

void describe('Swarm regions on a two-node swarm', () => {
  testLabCanBeBuilt(() => unavailable);

  test('pack pushes to the registry; provision runs healthy tasks on both nodes; promote moves the alias with no failed request; rollback; prune', { timeout: 150_000 }, async (t) => {
    if (!lab) return t.skip(unavailable ?? 'no lab');
    const packed = await phase((s) => buildPack(s.ctx));
    assert.equal(packed.value, 'passed');
    const manifest = JSON.parse(await readFile(join(repo, '.porter-tmp', 'manifest.json'), 'utf8'));
    const ref = manifest.images[0].pushed[0].ref as string;
    assert.match(ref, new RegExp(`^${lab.registry.replaceAll('.', '\\.')}/${service}-web@sha256:[0-9a-f]{64}$`));
    const tags = await (await fetch(`http://${lab.registry}/v2/${service}-web/tags/list`, { headers: { Authorization: registryAuthorization } })).json() as { tags: string[] };
    assert.equal(tags.tags.length, 1, 'one tag pushed, the version');
    // Without a login the registry refuses: the nodes below pull with the credentials porter gave Swarm.
    assert.equal((await fetch(`http://${lab.registry}/v2/`)).status, 401);

    const blue = await provisioned();
    const [blueService] = await services();
    assert.ok(blueService);
    assert.equal(blueService.Labels[Label.stack], blue.stackId);
    assert.equal(blueService.Labels[Label.environment], 'Stage');
    assert.equal((await stage().docker('manager', ['service', 'inspect', blueService.ID, '--format', '{{.Spec.TaskTemplate.ContainerSpec.Image}}'])).trim(), ref);
    // Hardened as engine regions' containers are, as far as Swarm's task spec goes (no-new-privileges needs API 1.46).
    const template = JSON.parse(await stage().docker('manager', ['service', 'inspect', blueService.ID, '--format', '{{json .Spec.TaskTemplate}}'])) as {
      ContainerSpec: { User?: string; ReadOnly?: boolean; CapabilityDrop?: string[]; CapabilityAdd?: string[] | null; Mounts?: { Type: string; Target: string; TmpfsOptions?: { Mode?: number } }[] };
      Resources?: { Limits?: { Pids?: number } };
    };
    assert.equal(template.ContainerSpec.User, '65534');
    assert.equal(template.ContainerSpec.ReadOnly, true);
    assert.deepEqual(template.ContainerSpec.CapabilityDrop, ['ALL']);
    assert.deepEqual(template.ContainerSpec.Mounts?.map((m) => [m.Type, m.Target, m.TmpfsOptions?.Mode]), [['tmpfs', '/tmp', 0o1777]]);
    assert.equal(template.Resources?.Limits?.Pids, 4096);
    const endpoints = await taskEndpoints(blueService.Name);
    assert.equal(endpoints.length, 2);
    assert.deepEqual(new Set(endpoints.map((e) => e.split(' ')[0])), new Set(lab.nodeAddresses), 'one task on each node');
    for (const e of endpoints) {
      const [addr, port] = e.split(' ');
      assert.match(await (await fetch(`http://${addr}:${port}/`, { signal: AbortSignal.timeout(5000) })).text(), new RegExp(`^stack ${blue.stackId} `), `the task on ${addr} serves`);
    }
    assert.match(await (await fetch(`${blue.url}/health`, { signal: AbortSignal.timeout(5000) })).text(), /^ok/, 'the recorded stack URL answers');

    assert.equal((await phase((s) => buildPromote(s.ctx, 'Stage', undefined))).value, 'passed');
    assert.match(await answerOnNetwork(), new RegExp(`^stack ${blue.stackId} `));

    await sleep(5); // a distinct stack id (a millisecond clock)
    const green = await provisioned();
    assert.notEqual(green.stackId, blue.stackId);
    const client = await startLabClient(lab, service, network, { [Label.service]: service });
    const promoted = await phase((s) => buildPromote(s.ctx, 'Stage', undefined));
    assert.equal(promoted.value, 'passed', promoted.s.results().map((r) => `${r.message ?? ''} ${r.tail.join(' | ')}`).join('\n'));
    await sleep(3000);
    const { ok, failed: fail, seen } = await client.stop();
    assert.equal(fail, 0, `failed requests through the promote (ok ${ok})`);
    assert.ok((ok ?? 0) > 30, `the client kept requesting (${ok} answers)`);
    // DNS round-robin need not rotate within the promote's few seconds: keep asking the alias until both green
    // tasks (one per node) have answered, within a bound.
    const greenTasks = new Set(seen.filter((l) => l.startsWith(`stack ${green.stackId} `)));
    await eventually(async () => {
      const answer = await answerOnNetwork();
      if (answer.startsWith(`stack ${green.stackId} `)) greenTasks.add(answer);
      return greenTasks.size >= 2;
    }, 30_000, 200);
    assert.equal(greenTasks.size, 2, `both green tasks (one per node) answered through the alias: ${[...greenTasks].join(', ')}`);
    assert.match(await answerOnNetwork(), new RegExp(`^stack ${green.stackId} `));

    const again = await phase((s) => buildPromote(s.ctx, 'Stage', undefined));
    assert.equal(again.value, 'passed');
    assert.ok(again.s.lines('promote', 'stack').some((l) => /already promoted: nothing to change/.test(l)));

    assert.equal((await phase((s) => buildPromote(s.ctx, 'Stage', blue.stackId))).value, 'passed', 'rollback with --stack');
    // Swarm's DNS for the alias converges across nodes by gossip: allow it a few seconds, then only blue answers.
    // Converged means a streak: five answers in a row from blue (one alone may be the DNS round-robin's luck).
    const blueStreak = async (): Promise<boolean> => {
      for (let i = 0; i < 5; i++) if (!(await answerOnNetwork()).startsWith(`stack ${blue.stackId} `)) return false;
      return true;
    };
    assert.ok(await eventually(blueStreak, 30_000, 500), 'only blue answers once the rollback has converged');

    assert.equal((await phase((s) => buildPrune(s.ctx, 'Stage', 0))).value, 'passed');
    const left = await services();
    assert.deepEqual(left.map((s) => s.Labels[Label.stack]), [blue.stackId], 'prune removed the unpromoted green stack, kept the promoted one');
    assert.match(await answerOnNetwork(), new RegExp(`^stack ${blue.stackId} `));
  });

  test('a stack that never becomes healthy is removed and the phase fails with the tasks\' errors', { timeout: 90_000 }, async (t) => {
    if (!lab) return t.skip(unavailable ?? 'no lab');
    const before = (await services()).map((s) => s.ID).sort();
    const { value, s } = await phase((x) => buildProvision(x.ctx, 'Broken'));
    assert.equal(value, 'failed');
    const failed = s.results().find((r) => r.list === 'provision' && r.status === 'failed');
    assert.ok(failed);
    assert.match(failed.message ?? '', /did not converge/);
    assert.match(failed.message ?? '', /services were removed/);
    assert.ok(failed.tail.some((l) => /task .*(failed|starting|unhealthy)/i.test(l)), failed.tail.join('\n'));
    assert.deepEqual((await services()).map((x) => x.ID).sort(), before, 'nothing of the broken stack is left');
    const gone = await eventually(async () => (await stage().docker('manager', ['network', 'ls', '--filter', `name=porter-${service}-Broken`, '-q'])).trim() === '', 20_000, 500);
    assert.ok(gone, 'its overlay network was removed (the manager drops its local copy once the tasks are gone)');
  });

  test('porter watch follows a Swarm region by its tasks: a task container killed on a node is a die, its replacement a start', { timeout: 240_000 }, async (t) => {
    if (!lab) return t.skip(unavailable ?? 'no lab');
    // The first test's promoted stack, else one of this test's own (packed first when that test did not get so far).
    if ((await services()).length === 0) {
      if (!(await readFile(join(repo, '.porter-tmp', 'manifest.json'), 'utf8').catch(() => ''))) assert.equal((await phase((s) => buildPack(s.ctx))).value, 'passed');
      await provisioned();
    }
    const [blue] = await services();
    assert.ok(blue);
    const filter = ['ps', '-q', '--filter', `label=com.docker.swarm.service.name=${blue.Name}`];
    const [node, task] = (await Promise.all((['worker', 'manager'] as const).map(async (n) => [n, (await stage().docker(n, filter)).split('\n').find(Boolean)] as const))).find(([, id]) => id) ?? [];
    assert.ok(node && task, 'a running task container of the stack on a node');
    const s = await phaseSession(repo, { DOCKER_HOST: lab.managerHost, DOCKER_CONFIG: dockerConfig });
    try {
      const watching = watchEnvironment(s.ctx, { environment: 'Stage', maxEvents: 2 });
      const ready = await eventually(async () => s.events.some((e) => e.type === 'message' && /^Watching Stage \(swarm\)/.test(e.text)), 60_000, 200);
      assert.ok(ready, JSON.stringify(s.events.slice(-5)));
      await lab.docker(node, ['kill', task]);
      assert.equal(await watching, 'passed');
      const seen = s.events.flatMap((e) => (e.type === 'stack-event' ? [e.event] : []));
      assert.deepEqual(seen.map((e) => [e.kind, e.stack, e.region]), [['die', blue.Labels[Label.stack], 'swarm'], ['start', blue.Labels[Label.stack], 'swarm']]);
      assert.match(seen[0]?.container ?? '', new RegExp(`^${blue.Name}\\.\\d+\\.[0-9a-z]+$`), 'a task container\'s name');
      assert.equal(seen[0]?.exitCode, 137);
      assert.notEqual(seen[1]?.container, seen[0]?.container, 'the start is the replacement task\'s');
      const lines = s.lines('on-task', 'vars');
      assert.deepEqual(lines.map((l) => l.split(' ').slice(0, 2).join(' ')).sort(), ['VARS die', 'VARS start']);
      assert.ok(lines.some((l) => l === `VARS die ${seen[0]?.container} ${blue.Labels[Label.stack]} 137 swarm`), lines.join('\n'));
    } finally {
      await s.ctx.close();
    }
  });

  test('a region whose docker_host is a swarm worker is exit 2 naming the region', { timeout: 30_000 }, async (t) => {
    if (!lab) return t.skip(unavailable ?? 'no lab');
    await assert.rejects(phase((s) => buildProvision(s.ctx, 'Worker')), (err: unknown) =>
      err instanceof EngineError && err.exitCode === 2 && /Region swarm of Worker has orchestrator: swarm, but .* is a Swarm worker, not a manager/.test(err.message));
  });
});
