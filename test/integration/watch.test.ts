/**
 * `porter watch` on the real engine, run as a user runs it: a killed stack container runs the hook list with the
 * event's variables, a burst of kills is handled once each (at most 4 runs at once, once_per stack in turn), other
 * services' and environments' deaths are ignored, and SIGTERM ends a watcher mid-run with exit 130 and nothing left.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { readdir, readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { DockerEngine } from '../../src/docker/engine.js';
import { Label } from '../../src/docker/labels.js';
import { buildPack } from '../../src/phases/pack.js';
import { buildProvision } from '../../src/phases/provision.js';
import { describeDocker, eventually, removeTempDirs, sweepAfterSuite, tempDir, uniqueRunId } from '../helpers/docker.js';
import { firstPartyPluginsRepo } from '../helpers/first-party-plugins.js';
import { engineApi } from '../helpers/engine-api.js';
import { assertExit, exitWithin, jsonEvents, porterTmpDir } from '../helpers/fault-checks.js';
import { HTTPD_DOCKERFILE, phaseSession, serviceConfig, serviceRepo, stageRegion } from '../helpers/phase-repo.js';
import { startPorter } from '../helpers/porter-cli.js';
import { stopPortersAfterEach } from '../helpers/porter-processes.js';

const service = uniqueRunId();
const labels = { [Label.service]: service };
const TAG = 'v0.0.0-test';
/** A request the shared engine answers in a second, unless five other suites keep it busy. */
const SLOW_ENGINE_MS = 120_000;
let repo = '';
/** Where webhook-notify posts: on 127.0.0.1, as the hooks of a local stack's events share the host's network. */
const posted: Record<string, unknown>[] = [];
const receiver = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c)).on('end', () => {
    posted.push(JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>);
    res.end('ok\n');
  });
});
/** What every watcher of these tests runs with: the plugin repo, the webhook, a plugin cache of its own. */
let env: Record<string, string> = {};

const HOOKS = [
  '  on-die:',
  '  - name: vars',
  '    dockerfile: .porter/hooks/vars/Dockerfile',
  '  - name: notify',
  '    repo: ${PLUGINS_URL}',
  `    ref: ${TAG}`,
  '    dockerfile: plugins/webhook-notify/Dockerfile',
  '    environment:',
  '      WEBHOOK_URL:',
  '    secrets: [WEBHOOK_URL]',
  '  per-stack:',
  '  - name: slowish',
  '    dockerfile: .porter/hooks/slowish/Dockerfile',
  '  on-restart:',
  '  - name: slow',
  '    dockerfile: .porter/hooks/slow/Dockerfile',
  '',
].join('\n');
const ENVIRONMENTS = stageRegion(['- name: web', '  inet_port: 8080', '- name: worker', '  dockerfile: Dockerfile.worker', '  replicas: 3'], [
  '- on: die',
  '  hooks: on-die',
  '- on: [die]',
  '  container: worker',
  '  hooks: per-stack',
  '  once_per: stack',
  '- on: restart',
  '  hooks: on-restart',
]);
const VARS = 'echo VARS EVENT=$PORTER_EVENT CONTAINER=$PORTER_EVENT_CONTAINER STACK=$PORTER_EVENT_STACK EXIT=$PORTER_EVENT_EXIT_CODE TIME=$PORTER_EVENT_TIME ID=$PORTER_STACK_ID URL=$PORTER_STACK_URL ENV=$PORTER_ENVIRONMENT REGION=$PORTER_REGION HOOK=$PORTER_HOOK_NAME';

before(async () => {
  repo = await serviceRepo({
    '.porter/config': serviceConfig(service, HOOKS, ENVIRONMENTS),
    '.porter/hooks/vars/Dockerfile': `FROM busybox:latest\nCMD ["sh", "-c", "${VARS}"]\n`,
    '.porter/hooks/slowish/Dockerfile': 'FROM busybox:latest\nCMD ["sh", "-c", "echo begin $PORTER_EVENT_CONTAINER; sleep 1; echo done"]\n',
    '.porter/hooks/slow/Dockerfile': 'FROM busybox:latest\nCMD ["sh", "-c", "trap \'exit 143\' TERM; echo slow-started; sleep 60 & wait"]\n',
    '.dockerignore': '.porter-tmp\n',
    Dockerfile: HTTPD_DOCKERFILE,
    'Dockerfile.worker': 'FROM busybox:latest\nCMD ["sh", "-c", "trap \'exit 0\' TERM; while true; do sleep 1; done"]\n',
  }, { git: true });
  receiver.listen(0, '127.0.0.1');
  await once(receiver, 'listening');
  const { port } = receiver.address() as AddressInfo;
  env = { PLUGINS_URL: await firstPartyPluginsRepo(TAG), WEBHOOK_URL: `http://127.0.0.1:${port}/hook`, XDG_CACHE_HOME: await tempDir('porter-plugin-cache-test-') };
});

after(async () => {
  receiver.closeAllConnections();
  receiver.close();
  await removeTempDirs();
});

type Json = Record<string, unknown> & { type: string };
const of = (events: Json[], type: string): Json[] => events.filter((e) => e.type === type);

async function stack(engine: DockerEngine): Promise<{ id: string; containers: Map<string, { id: string; name: string; port?: number }> }> {
  const found = await engine.listContainers({ ...labels, [Label.stack]: '' });
  const containers = new Map(found.map((c) => [c.name.slice(c.name.lastIndexOf('-local-') + 7), { id: c.id, name: c.name, ...(c.ports[8080] ? { port: c.ports[8080].hostPort } : {}) }]));
  return { id: found[0]?.labels[Label.stack] ?? '', containers };
}

async function kill(ids: string[]): Promise<void> {
  await Promise.all(ids.map(async (id) => assert.equal((await engineApi('POST', `/containers/${id}/kill`, SLOW_ENGINE_MS)).status, 204)));
}

async function startAgain(engine: DockerEngine, ids: string[]): Promise<void> {
  for (const id of ids) assert.equal((await engineApi('POST', `/containers/${id}/start`, SLOW_ENGINE_MS)).status, 204);
  assert.ok(await eventually(async () => (await Promise.all(ids.map((id) => engine.inspectContainer(id)))).every((c) => c?.running)));
}

void describeDocker('porter watch on the real engine', (engine) => {
  sweepAfterSuite(labels);
  const watch = stopPortersAfterEach();

  test('a killed stack container runs the hook list with its event\'s variables, soon after', { timeout: 240_000 }, async (t) => {
    for (const body of [buildPack, (ctx: Parameters<typeof buildPack>[0]) => buildProvision(ctx, 'Stage')]) {
      const s = await phaseSession(repo, env);
      try {
        assert.equal(await body(s.ctx), 'passed', JSON.stringify(s.results()));
      } finally {
        await s.ctx.close();
      }
    }
    const { id: stackId, containers } = await stack(engine);
    const worker = containers.get('worker-1');
    assert.ok(worker, [...containers.keys()].join(', '));
    const watcher = watch(startPorter(repo, ['--log-format', 'json', 'watch', '-e', 'Stage', '--max-events', '1'], env));
    await watcher.waitFor(/Watching Stage \(local\) for die, restart/, 120_000);
    const killedAt = Date.now();
    await kill([worker.id]);
    const r = await exitWithin(watcher, 60_000);
    assertExit(r, 0);
    const events = jsonEvents(r.stdout);
    const [seen, ...more] = of(events, 'stack-event');
    assert.deepEqual(more, []);
    assert.deepEqual((seen?.event as Record<string, unknown>)?.container, worker.name);
    const line = of(events, 'hook-log').find((e) => String(e.line).startsWith('VARS '));
    const vars = Object.fromEntries(String(line?.line).split(' ').slice(1).map((kv) => kv.split('=', 2) as [string, string]));
    const web = containers.get('web');
    assert.deepEqual({ ...vars, TIME: '' }, {
      EVENT: 'die', CONTAINER: worker.name, STACK: stackId, EXIT: '137', TIME: '', ID: stackId, URL: `http://127.0.0.1:${web?.port}`, ENV: 'Stage', REGION: 'local', HOOK: 'on-die',
    });
    assert.match(vars.TIME ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$/);
    assert.ok(Math.abs(Date.parse(vars.TIME ?? '') - killedAt) < 10_000, `PORTER_EVENT_TIME ${vars.TIME} is the kill's time`);
    assert.equal(line?.run, (seen?.runs as { run: string }[])[0]?.run, 'the hook\'s lines carry the run key of its event');
    const delays = of(events, 'event-run-start').map((e) => Number(e.delayMs));
    // The contract is "within 2 s"; a loaded test machine gets a generous bound, and the delay is recorded (bench measures it).
    t.diagnostic(`event → run start: ${delays.join(', ')} ms`);
    assert.ok(delays.length === 2 && delays.every((d) => d < 10_000), `delays ${delays.join(', ')}`);
    assert.deepEqual(of(events, 'event-run-end').map((e) => [e.list, e.status]).sort(), [['on-die', 'passed'], ['per-stack', 'passed']]);
    // The first-party webhook-notify, run for an event, posts the event.
    assert.deepEqual(posted.splice(0), [{
      service, version: vars.STACK?.split('-')[0], hook: 'on-die', status: 'die', environment: 'Stage', region: 'local',
      text: `${service}: ${worker.name} exited with code 137 in Stage/local (stack ${stackId})`,
      event: { kind: 'die', container: worker.name, stack: stackId, exit_code: 137, time: vars.TIME },
    }]);
    assert.equal(r.stdout.includes(env.WEBHOOK_URL ?? '-'), false, 'the webhook URL is a secret');
    await startAgain(engine, [worker.id]);
  });

  test('a burst of kills is handled once each, 4 runs at most at once, once_per stack in turn; other services\' and environments\' deaths are ignored', { timeout: 180_000 }, async () => {
    const { containers } = await stack(engine);
    const foreign = [];
    const others: [string, Record<string, string>][] = [['other-env', { [Label.environment]: 'Prod' }], ['other-service', { [Label.service]: `${service}x`, 'porter.test-run': service }]];
    for (const [name, extra] of others) {
      const created = await engineApi('POST', `/containers/create?name=${service}-${name}`, 30_000, {
        Image: 'busybox:latest', Cmd: ['sleep', '600'], HostConfig: { NetworkMode: 'none' },
        Labels: { ...labels, [Label.environment]: 'Stage', [Label.region]: 'local', [Label.stack]: 'foreign', [Label.container]: 'worker', ...extra },
      });
      const id = (created.body as { Id: string }).Id;
      assert.equal((await engineApi('POST', `/containers/${id}/start`)).status, 204);
      foreign.push(id);
    }
    const watcher = watch(startPorter(repo, ['--log-format', 'json', '--report', 'watch-report.html', 'watch', '-e', 'Stage', '--max-events', '4'], env));
    await watcher.waitFor(/Watching Stage/, 120_000);
    await kill(foreign);
    const ours = [...containers.values()];
    await kill(ours.map((c) => c.id));
    const r = await exitWithin(watcher, 120_000);
    assertExit(r, 0);
    const events = jsonEvents(r.stdout);
    const seen = of(events, 'stack-event').map((e) => (e.event as { container: string }).container).sort();
    assert.deepEqual(seen, ours.map((c) => c.name).sort(), 'each stack container once, and nothing else');
    const runs = of(events, 'event-run-end').map((e) => e.list).sort();
    assert.deepEqual(runs, ['on-die', 'on-die', 'on-die', 'on-die', 'per-stack', 'per-stack', 'per-stack']);
    let open = 0;
    let openPerStack = 0;
    for (const e of events) {
      const delta = e.type === 'event-run-start' ? 1 : e.type === 'event-run-end' ? -1 : 0;
      open += delta;
      if (e.list === 'per-stack') openPerStack += delta;
      assert.ok(open <= 4 && openPerStack <= 1, `runs at once: ${open}, of per-stack: ${openPerStack}`);
    }
    assert.equal(of(events, 'hook-end').filter((e) => e.status !== 'passed').length, 0);
    assert.deepEqual(posted.splice(0).map((p) => (p.event as { container: string }).container).sort(), ours.map((c) => c.name).sort());
    // The HTML report has a section per event run, titled with its key, list and event.
    const page = await readFile(join(repo, 'watch-report.html'), 'utf8');
    for (const e of of(events, 'stack-event')) {
      for (const { run, list } of e.runs as { run: string; list: string }[]) {
        assert.ok(page.includes(`<h2 class="section">${run} · ${list} · ${(e.event as { container: string }).container} exited with code 137`), `a section for ${run}`);
      }
    }
    for (const id of foreign) await engineApi('DELETE', `/containers/${id}?force=1`);
    await startAgain(engine, ours.map((c) => c.id));
  });

  test('SIGTERM ends a watcher mid-run: exit 130 within seconds, its hook container and scratch gone, the stack untouched', { timeout: 180_000 }, async (t) => {
    const { containers } = await stack(engine);
    const web = containers.get('web');
    assert.ok(web);
    const tmp = await porterTmpDir();
    const watcher = watch(startPorter(repo, ['watch', '-e', 'Stage'], { ...env, TMPDIR: tmp }));
    await watcher.waitFor(/Watching Stage/, 120_000);
    assert.equal((await engineApi('POST', `/containers/${web.id}/restart?t=1`, SLOW_ENGINE_MS)).status, 204);
    await watcher.waitFor(/\[on-restart slow e\d+\] slow-started/, 60_000);
    watcher.child.kill('SIGTERM');
    const r = await exitWithin(watcher, 30_000);
    assertExit(r, 130);
    t.diagnostic(`SIGTERM → exit: ${r.tookMs} ms`);
    const hookContainers = await engine.listContainers({ ...labels, [Label.hook]: '' });
    assert.deepEqual(hookContainers.map((c) => c.name), [], 'no hook container is left');
    assert.equal((await engine.listContainers({ ...labels, [Label.stack]: '' })).filter((c) => c.running).length, 4, 'the stack runs on');
    assert.deepEqual(await readdir(join(repo, '.porter-tmp', 'run')).catch(() => []), [], 'no scratch of the watcher is left');
    assert.deepEqual((await readdir(tmp)).filter((n) => !/^tsx-\d+$/.test(n)), [], 'nothing in its TMPDIR');
  });
});
