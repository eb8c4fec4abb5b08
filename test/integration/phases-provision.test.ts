import assert from 'node:assert/strict';
import { readFile, stat } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Label } from '../../src/docker/labels.js';
import { EngineError, StateError } from '../../src/errors.js';
import { buildPack } from '../../src/phases/pack.js';
import { buildProvision } from '../../src/phases/provision.js';
import { freeLocalPort } from '../../src/phases/publish.js';
import { assertNothingLeft, describeDocker, removeTempDirs, sweep, uniqueRunId } from '../helpers/docker.js';
import { engineApi } from '../helpers/engine-api.js';
import { HTTPD_DOCKERFILE, STACK_ENV_HOOK, phaseSession, serviceConfig, serviceRepo } from '../helpers/phase-repo.js';

const service = uniqueRunId();
const labels = { [Label.service]: service };
let repo = '';

const hooks = [
  '  post_provision:',
  '  - name: env',
  '    dockerfile: .porter/hooks/env/Dockerfile',
  '',
].join('\n');

const environments = [
  '- name: Stage',
  '  regions:',
  '  - name: local',
  '    containers:',
  '    - name: web',
  '      inet_port: 8080',
  '      health_check: {path: /health, timeout: 20s}',
  // One container exits at start, the other serves but never answers its health check with a 2xx.
  '- name: Broken',
  '  regions:',
  '  - name: local',
  '    containers:',
  '    - name: crash',
  '      dockerfile: crash/Dockerfile',
  '      inet_port: 8080',
  '    - name: nohealth',
  '      dockerfile: nohealth/Dockerfile',
  '      inet_port: 8080',
  '      health_check: {path: /health, timeout: 1s}',
  // Two regions on one engine: both create the environment's network at the same moment.
  '- name: Twin',
  '  regions:',
  '  - name: east',
  '    containers:',
  '    - name: web',
  '      inet_port: 8080',
  '  - name: west',
  '    containers:',
  '    - name: web',
  '      inet_port: 8080',
  '- name: Away',
  '  regions:',
  '  - name: far',
  '    docker_host: tcp://127.0.0.1:1',
  '    containers:',
  '    - name: web',
  '      inet_port: 8080',
  '',
].join('\n');

before(async () => {
  repo = await serviceRepo({
    '.porter/config': serviceConfig(service, hooks, environments),
    '.porter/hooks/env/Dockerfile': STACK_ENV_HOOK,
    '.dockerignore': '.porter-tmp\n',
    Dockerfile: HTTPD_DOCKERFILE,
    'crash/Dockerfile': 'FROM busybox:latest\nCMD ["sh", "-c", "echo starting up; echo cannot open the database >&2; exit 1"]\n',
    'nohealth/Dockerfile': 'FROM busybox:latest\nRUN mkdir /www\nCMD ["httpd", "-f", "-p", "8080", "-h", "/www"]\n',
  });
});

after(async () => {
  await sweep(labels);
  await removeTempDirs();
});

async function networkExists(name: string): Promise<boolean> {
  return (await engineApi('GET', `/networks/${name}`)).status === 200;
}

void describeDocker('build provision on the real engine', (engine) => {
  test('provision before pack is exit 2 saying to pack first, and makes nothing', { timeout: 30_000 }, async () => {
    const s = await phaseSession(repo);
    try {
      await assert.rejects(buildProvision(s.ctx, 'Stage'), (err: unknown) =>
        err instanceof StateError && err.exitCode === 2 && /Run `porter build pack` first, then `porter build provision -e Stage`/.test(err.message));
    } finally {
      await s.ctx.close();
    }
    assert.deepEqual(await engine.listContainers(labels), []);
  });

  test('a healthy stack: payload loaded when the engine lacks the images, a taken host port skipped, URL answers, provision.json, post_provision variables', { timeout: 90_000 }, async () => {
    const s = await phaseSession(repo);
    try {
      assert.equal(await buildPack(s.ctx), 'passed');
    } finally {
      await s.ctx.close();
    }
    // The engine loses the packed images: provision loads them back from .porter-tmp/payload.tar.
    assert.equal(await engine.removeImages({ ...labels, [Label.container]: '' }), 3);
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const takenPort = (taken.address() as { port: number }).port;
    const offered: number[] = [];
    const p = await phaseSession(repo);
    try {
      const status = await buildProvision(p.ctx, 'Stage', { pickPort: async () => { offered.push(offered.length === 0 ? takenPort : await freeLocalPort()); return offered.at(-1) ?? 0; } });
      assert.equal(status, 'passed', JSON.stringify(p.results(), null, 1));
    } finally {
      await p.ctx.close();
      taken.close();
    }
    const body = p.lines('provision', 'stack');
    assert.ok(body.some((l) => l.startsWith('loading ') && l.endsWith('payload.tar into the engine at unix:///var/run/docker.sock')), body.join('\n'));
    assert.ok(body.includes(`host port ${takenPort} is taken; trying another`), body.join('\n'));

    const state = JSON.parse(await readFile(join(repo, '.porter-tmp', 'provision.json'), 'utf8'));
    assert.equal(state.last, 'Stage');
    const region = state.environments.Stage.regions[0];
    assert.equal(region.region, 'local');
    assert.equal(region.url, `http://127.0.0.1:${offered[1]}`);
    assert.equal(await (await fetch(`${region.url}/`)).text(), `stack ${region.stackId}\n`);

    const [container] = await engine.listContainers(labels);
    assert.deepEqual(
      [Label.environment, Label.region, Label.version, Label.stack, Label.container].map((k) => container?.labels[k]),
      ['Stage', 'local', 'unversioned', region.stackId, 'web'],
    );
    assert.equal(container?.ports[8080]?.hostIp, '127.0.0.1');
    assert.ok(await networkExists(`porter-${service}-Stage`));
    assert.deepEqual(p.lines('post_provision', 'env'), [`ENV=Stage REGION=local STACK=${region.stackId} URL=${region.url}`, `stack ${region.stackId}`]);
  });

  test('two regions on one engine: one environment network, a healthy stack in each', { timeout: 90_000 }, async () => {
    const s = await phaseSession(repo);
    try {
      assert.equal(await buildProvision(s.ctx, 'Twin'), 'passed', JSON.stringify(s.results(), null, 1));
    } finally {
      await s.ctx.close();
    }
    const listed = await engineApi('GET', `/networks?filters=${encodeURIComponent(JSON.stringify({ name: [`porter-${service}-Twin`] }))}`);
    const named = (listed.body as { Name: string }[]).filter((n) => n.Name === `porter-${service}-Twin`);
    assert.equal(named.length, 1, JSON.stringify(listed.body));
    const regions = JSON.parse(await readFile(join(repo, '.porter-tmp', 'provision.json'), 'utf8')).environments.Twin.regions as { region: string; url: string; stackId: string }[];
    assert.deepEqual(regions.map((r) => r.region).sort(), ['east', 'west']);
    for (const r of regions) assert.equal(await (await fetch(`${r.url}/`)).text(), `stack ${r.stackId}\n`);
  });

  test('a stack that exits, or never answers its health check, is removed with its last lines shown; the phase fails', { timeout: 60_000 }, async () => {
    const s = await phaseSession(repo);
    try {
      assert.equal(await buildProvision(s.ctx, 'Broken'), 'failed');
    } finally {
      await s.ctx.close();
    }
    const stack = s.results().find((r) => r.list === 'provision');
    assert.equal(stack?.status, 'failed');
    assert.match(stack?.message ?? '', /did not become healthy \(.*-crash: it exited with code 1 .*-nohealth: it did not become healthy within 1s \(last check: GET http:\/\/127\.0\.0\.1:\d+\/health: it answered 404\)\)\. It was removed/);
    assert.ok(stack?.tail.includes('crash: cannot open the database') && stack.tail.includes('crash: starting up'), stack?.tail.join('\n'));
    assert.equal(s.results().find((r) => r.list === 'post_provision')?.status, 'skipped');
    assert.deepEqual(await engine.listContainers({ ...labels, [Label.environment]: 'Broken' }), []);
    assert.equal(await networkExists(`porter-${service}-Broken`), false);
    const state = JSON.parse(await readFile(join(repo, '.porter-tmp', 'provision.json'), 'utf8'));
    assert.deepEqual(Object.keys(state.environments).sort(), ['Stage', 'Twin']);
  });

  test('an unreachable region engine is exit 2 naming the region, before anything is made', { timeout: 30_000 }, async () => {
    const s = await phaseSession(repo);
    try {
      await assert.rejects(buildProvision(s.ctx, 'Away'), (err: unknown) =>
        err instanceof EngineError && err.exitCode === 2 && /^Region far of Away: Cannot reach the Docker engine at tcp:\/\/127\.0\.0\.1:1/.test(err.message));
      await assert.rejects(buildProvision(s.ctx, 'Nowhere'), /Unknown environment "Nowhere"/);
    } finally {
      await s.ctx.close();
    }
    assert.deepEqual(await engine.listContainers({ ...labels, [Label.environment]: 'Away' }), []);
    assert.ok((await stat(join(repo, '.porter-tmp', 'payload.tar'))).size > 0);
  });

  test('everything of the service goes with a sweep', { timeout: 30_000 }, async () => {
    await sweep(labels);
    await assertNothingLeft(labels);
    assert.equal(await networkExists(`porter-${service}-Stage`), false);
  });
});
