import assert from 'node:assert/strict';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Label } from '../../src/docker/labels.js';
import { buildPack } from '../../src/phases/pack.js';
import { buildProvision } from '../../src/phases/provision.js';
import { buildTeardown } from '../../src/phases/teardown.js';
import { assertNothingLeft, describeDocker, removeTempDirs, sweep, uniqueRunId } from '../helpers/docker.js';
import { HTTPD_DOCKERFILE, inPhaseSession, serviceConfig, serviceRepo, stageRegion } from '../helpers/phase-repo.js';
import { runPorter } from '../helpers/porter-cli.js';

const service = uniqueRunId();
const labels = { [Label.service]: service };
let repo = '';

const hooks = [
  '  post_provision:',
  '  - name: migrate',
  '    dockerfile: .porter/hooks/echo/Dockerfile',
  '    run_policy: once',
  '  - name: smoke',
  '    dockerfile: .porter/hooks/echo/Dockerfile',
  '  - name: gate',
  '    dockerfile: .porter/hooks/gate/Dockerfile',
  '',
].join('\n');

before(async () => {
  repo = await serviceRepo({
    '.porter/config': serviceConfig(service, hooks, stageRegion(['- name: web', '  inet_port: 8080'])),
    '.porter/hooks/echo/Dockerfile': 'FROM busybox:latest\nCMD ["sh", "-c", "echo ran for $PORTER_STACK_ID"]\n',
    // Fails the provision while the repo holds `fail-provision`.
    '.porter/hooks/gate/Dockerfile': 'FROM busybox:latest\nCMD ["sh", "-c", "test ! -e /repo_root/fail-provision"]\n',
    '.dockerignore': '.porter-tmp\n',
    Dockerfile: HTTPD_DOCKERFILE,
  });
});

after(async () => {
  await sweep(labels);
  await removeTempDirs();
});

async function provision(): Promise<{ status: string; ran: string[]; skipped: { hook: string; message?: string }[] }> {
  const { value: status, s } = await inPhaseSession(repo, (x) => buildProvision(x.ctx, 'Stage'));
  const post = s.results().filter((r) => r.list === 'post_provision');
  return { status, ran: post.filter((r) => r.status === 'passed').map((r) => r.hook), skipped: post.filter((r) => r.status === 'skipped').map((r) => ({ hook: r.hook, ...(r.message ? { message: r.message } : {}) })) };
}

void describeDocker('run_policy: once, recorded in the engine', () => {
  test('a once hook runs on the first successful provision only (a failed one marks nothing), the record is in the engine (a deleted .porter-tmp sees it), teardown forgets it', { timeout: 240_000 }, async () => {
    assert.equal((await inPhaseSession(repo, (s) => buildPack(s.ctx))).value, 'passed');
    const willRun = await runPorter(repo, ['build', 'provision', '-e', 'Stage', '--dry-run']);
    assert.equal(willRun.code, 0, willRun.stderr);
    assert.match(willRun.stdout, /run_condition: pass; run_policy: once \(will run\)/);

    // A provision that fails marks nothing: the once hook runs again on the next one.
    await writeFile(join(repo, 'fail-provision'), 'yes\n');
    const failed = await provision();
    assert.equal(failed.status, 'failed');
    assert.deepEqual(failed.ran, ['migrate', 'smoke']);
    await rm(join(repo, 'fail-provision'));

    const first = await provision();
    assert.equal(first.status, 'passed');
    assert.deepEqual(first.ran, ['migrate', 'smoke', 'gate']);
    const second = await provision();
    assert.equal(second.status, 'passed');
    assert.deepEqual(second.ran, ['smoke', 'gate']);
    assert.equal(second.skipped[0]?.hook, 'migrate');
    assert.match(second.skipped[0]?.message ?? '', /run_policy: once, and it already ran on an earlier provision of Stage/);

    // The record lives in the engine, not the workspace: without .porter-tmp the plan still knows.
    await rm(join(repo, '.porter-tmp'), { recursive: true, force: true });
    const already = await runPorter(repo, ['build', 'provision', '-e', 'Stage', '--dry-run']);
    assert.equal(already.code, 0, already.stderr);
    assert.match(already.stdout, /run_policy: once \(already ran\)/);

    const down = await inPhaseSession(repo, (s) => buildTeardown(s.ctx, 'Stage'));
    assert.equal(down.value, 'passed');
    const lines = down.s.lines('teardown', 'stacks');
    assert.ok(lines.some((l) => /forgot 0 promotions and 1 run-once mark/.test(l)), lines.join('\n'));
    const forgotten = await runPorter(repo, ['build', 'provision', '-e', 'Stage', '--dry-run']);
    assert.match(forgotten.stdout, /run_policy: once \(will run\)/);
  });

  test('nothing is left after a sweep', { timeout: 30_000 }, async () => {
    await sweep(labels);
    await assertNothingLeft(labels);
  });
});
