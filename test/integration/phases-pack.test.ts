import assert from 'node:assert/strict';
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { after } from 'node:test';
import { test } from 'node:test';
import tar from 'tar-fs';
import { Label } from '../../src/docker/labels.js';
import { buildPack } from '../../src/phases/pack.js';
import { assertNothingLeft, describeDocker, removeTempDirs, sweep, tempDir, uniqueRunId } from '../helpers/docker.js';
import { phaseSession, serviceConfig, serviceRepo } from '../helpers/phase-repo.js';

const service = uniqueRunId();
const labels = { [Label.service]: service };

after(async () => {
  await sweep(labels);
  await removeTempDirs();
});

const hooks = [
  '  pre_pack:',
  '  - name: rewrite',
  '    dockerfile: .porter/hooks/rewrite/Dockerfile',
  '  post_pack:',
  '  - name: on-failure',
  '    dockerfile: .porter/hooks/echo/Dockerfile',
  '    run_condition: fail',
  '',
].join('\n');

function environments(app: 'good' | 'bad'): string {
  return [
    '- name: Stage',
    '  regions:',
    '  - name: local',
    '    containers:',
    '    - name: web',
    '      inet_port: 8080',
    '    - name: app',
    '      dockerfile: app/Dockerfile',
    `      dockerfile_build: app/Dockerfile.${app === 'good' ? 'build' : 'broken'}`,
    '# rewritten: no',
    '',
  ].join('\n');
}

const files = (app: 'good' | 'bad') => ({
  '.porter/config': serviceConfig(service, hooks, environments(app)),
  '.porter/hooks/rewrite/Dockerfile': 'FROM busybox:latest\nCMD ["sed", "-i", "s/# rewritten: no/# rewritten: by pre_pack/", ".porter/config"]\n',
  '.porter/hooks/echo/Dockerfile': 'FROM busybox:latest\nCMD ["echo", "cleaning up after a failed pack"]\n',
  '.dockerignore': 'secret.txt\n.porter-tmp\n',
  'secret.txt': 'must not reach the build context\n',
  'kept.txt': 'in the context\n',
  Dockerfile: 'FROM busybox:latest\nCOPY . /src/\nCMD ["ls", "/src"]\n',
  // The builder declares GREETING (set in porter's environment) and NOT_SET (not set): only GREETING is passed.
  'app/Dockerfile.build': 'FROM busybox:latest\nARG GREETING\nARG NOT_SET\nRUN mkdir -p /out && echo "$GREETING ${NOT_SET:-not-set}" > /out/greeting.txt\nCMD ["tar", "-c", "-C", "/out", "."]\n',
  'app/Dockerfile.broken': 'FROM busybox:latest\nCMD ["sh", "-c", "echo no tar for you >&2; exit 3"]\n',
  'app/Dockerfile': 'FROM busybox:latest\nCOPY greeting.txt /greeting.txt\nCMD ["cat", "/greeting.txt"]\n',
});

void describeDocker('build pack on the real engine', (engine) => {
  test('builds every container (builder pattern included), tags and labels the images, saves payload, manifest and the config as pre_pack left it', { timeout: 90_000 }, async () => {
    const repo = await serviceRepo(files('good'));
    const s = await phaseSession(repo, { GREETING: 'hello from the environment' });
    try {
      assert.equal(await buildPack(s.ctx), 'passed');
    } finally {
      await s.ctx.close();
    }
    const images = await engine.findImages({ ...labels, [Label.container]: '' });
    assert.deepEqual(images.flatMap((i) => i.tags).sort(), [`${service}-app:unversioned`, `${service}-web:unversioned`]);
    for (const image of images) assert.equal(image.labels[Label.version], 'unversioned');
    assert.deepEqual(await engine.findImages({ ...labels, [Label.builder]: '' }), [], 'the builder image is removed after pack');

    const out: string[] = [];
    await engine.runToExit({ image: `${service}-app:unversioned`, env: [], binds: [], labels }, (l) => out.push(l), new AbortController().signal);
    await engine.runToExit({ image: `${service}-web:unversioned`, env: [], binds: [], labels }, (l) => out.push(l), new AbortController().signal);
    assert.ok(out.includes('hello from the environment not-set'), `the builder's tar is the app's context, with GREETING only: ${out.join(' | ')}`);
    assert.ok(out.includes('kept.txt') && !out.includes('secret.txt'), `.dockerignore is honoured: ${out.join(' | ')}`);

    const tmp = join(repo, '.porter-tmp');
    const manifest = JSON.parse(await readFile(join(tmp, 'manifest.json'), 'utf8'));
    assert.equal(manifest.service, service);
    assert.equal(manifest.version, 'unversioned');
    assert.deepEqual(manifest.images.map((i: { container: string; tag: string }) => [i.container, i.tag]), [['web', `${service}-web:unversioned`], ['app', `${service}-app:unversioned`]]);
    assert.match(await readFile(join(tmp, 'config'), 'utf8'), /# rewritten: by pre_pack/);
    const unpacked = await tempDir('porter-test-');
    await pipeline(createReadStream(join(tmp, 'payload.tar')), tar.extract(unpacked));
    const saved = JSON.parse(await readFile(join(unpacked, 'manifest.json'), 'utf8')) as Array<{ RepoTags: string[] }>;
    assert.deepEqual(saved.flatMap((i) => i.RepoTags).sort(), [`${service}-app:unversioned`, `${service}-web:unversioned`]);
    assert.deepEqual(s.results().map((r) => `${r.list} ${r.hook} ${r.status}`), ['pre_pack rewrite passed', 'pack web passed', 'pack app passed', 'post_pack on-failure skipped']);
  });

  test('a builder that fails fails the pack (post_pack fail hooks run), shows its stderr, and is removed; no payload is left', { timeout: 60_000 }, async () => {
    const repo = await serviceRepo(files('bad'));
    const s = await phaseSession(repo);
    try {
      assert.equal(await buildPack(s.ctx), 'failed');
    } finally {
      await s.ctx.close();
    }
    const app = s.results().find((r) => r.list === 'pack' && r.hook === 'app');
    assert.equal(app?.status, 'failed');
    assert.match(app?.message ?? '', /pack app: The builder app\/Dockerfile\.broken exited with code 3/);
    assert.ok(app?.tail.includes('builder: no tar for you'), `its stderr is in the summary: ${app?.tail.join(' | ')}`);
    assert.equal(s.results().find((r) => r.hook === 'on-failure')?.status, 'passed');
    assert.deepEqual(await engine.findImages({ ...labels, [Label.builder]: '' }), []);
    await assert.rejects(stat(join(repo, '.porter-tmp', 'manifest.json')), { code: 'ENOENT' });
    await assert.rejects(stat(join(repo, '.porter-tmp', 'payload.tar')), { code: 'ENOENT' });
  });

  test('nothing of the service is left once swept', { timeout: 30_000 }, async () => {
    await sweep(labels);
    await assertNothingLeft(labels);
  });
});
