import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { DockerEngine } from '../../src/docker/engine.js';
import { Label } from '../../src/docker/labels.js';
import { StateError } from '../../src/errors.js';
import { forgetHistory, HISTORY_KEPT, readHistory, recordPromotion } from '../../src/phases/history.js';
import { buildPack } from '../../src/phases/pack.js';
import { buildPromote } from '../../src/phases/promote.js';
import { buildProvision } from '../../src/phases/provision.js';
import { buildRollback } from '../../src/phases/rollback.js';
import { buildStatus } from '../../src/phases/status.js';
import { buildTeardown, findTeardown } from '../../src/phases/teardown.js';
import { assertNothingLeft, describeDocker, removeTempDirs, sweep, tempDir, uniqueRunId } from '../helpers/docker.js';
import { engineApi } from '../helpers/engine-api.js';
import { answerOnNetwork as answer, startClientLoop } from '../helpers/alias-client.js';
import { HTTPD_DOCKERFILE, STACK_ENV_HOOK, inPhaseSession, serviceConfig, serviceRepo } from '../helpers/phase-repo.js';
import { runPorter } from '../helpers/porter-cli.js';

const service = uniqueRunId();
const labels = { [Label.service]: service };
const network = `porter-${service}-Stage`;
/** Where the stacks are provisioned (a CI job), and a fresh clone of it that never provisioned (another job). */
let provisioner = '';
let other = '';

const hooks = [
  '  post_rollback:',
  '  - name: env',
  '    dockerfile: .porter/hooks/env/Dockerfile',
  '  pre_teardown:',
  '  - name: guard',
  '    dockerfile: .porter/hooks/guard/Dockerfile',
  '  post_teardown:',
  '  - name: done',
  '    dockerfile: .porter/hooks/done/Dockerfile',
  '',
].join('\n');

before(async () => {
  provisioner = await serviceRepo({
    '.porter/config': serviceConfig(service, hooks, ['Stage', 'Prod'].flatMap((env) => [`- name: ${env}`, '  regions:', '  - name: local', '    containers:', '    - name: web', '      inet_port: 8080']).concat('').join('\n')),
    '.porter/hooks/env/Dockerfile': STACK_ENV_HOOK,
    // Refuses while the repo holds `keep-env`: a pre_teardown that fails.
    '.porter/hooks/guard/Dockerfile': 'FROM busybox:latest\nCMD ["sh", "-c", "if [ -e /repo_root/keep-env ]; then echo keep-env is there; exit 3; fi; echo tearing down"]\n',
    '.porter/hooks/done/Dockerfile': 'FROM busybox:latest\nCMD ["echo", "torn down"]\n',
    '.dockerignore': '.porter-tmp\n',
    '.gitignore': '.porter-tmp\nkeep-env\n',
    Dockerfile: HTTPD_DOCKERFILE,
  }, { git: true });
  other = await tempDir('porter-test-');
  execFileSync('git', ['clone', '-q', provisioner, other], { stdio: 'ignore' });
});

after(async () => {
  await sweep(labels);
  await removeTempDirs();
});

const phase = inPhaseSession;

async function provisioned(): Promise<string> {
  const { value } = await phase(provisioner, (s) => buildProvision(s.ctx, 'Stage'));
  assert.equal(value, 'passed');
  return JSON.parse(await readFile(join(provisioner, '.porter-tmp', 'provision.json'), 'utf8')).environments.Stage.stackId as string;
}

const answerOnNetwork = (engine: DockerEngine): Promise<string> => answer(engine, service, network, labels);

const exists = (file: string): Promise<boolean> => stat(file).then(() => true, () => false);
const isStateError = (pattern: RegExp) => (err: unknown): boolean => err instanceof StateError && err.exitCode === 2 && pattern.test(err.message);

void describeDocker('the environment lifecycle from the engine: promote, rollback, status and teardown from another clone', (engine) => {
  let s1 = '';
  let s2 = '';

  test('a fresh clone with no stack of its version to promote is exit 2 saying to provision first', { timeout: 30_000 }, async () => {
    await assert.rejects(phase(other, (s) => buildPromote(s.ctx, 'Stage', undefined)), isStateError(/no healthy stack of version \w+ in every region of Stage.*Run `porter build provision -e Stage` first/));
  });

  test('provisioned in one clone, promoted from another with no .porter-tmp: the newest healthy stack of the checked-out version', { timeout: 180_000 }, async () => {
    assert.equal((await phase(provisioner, (s) => buildPack(s.ctx))).value, 'passed');
    s1 = await provisioned();
    s2 = await provisioned();
    assert.equal(await exists(join(other, '.porter-tmp', 'provision.json')), false);
    assert.equal((await phase(other, (s) => buildPromote(s.ctx, 'Stage', s1))).value, 'passed');
    assert.equal(await answerOnNetwork(engine), `stack ${s1}`);
    assert.equal((await phase(other, (s) => buildPromote(s.ctx, 'Stage', undefined))).value, 'passed');
    assert.equal(await answerOnNetwork(engine), `stack ${s2}`, 'the newest stack of the version, found by the engine\'s labels');
  });

  test('rollback goes to the previous promotion and a second rollback forward again, with no failed request; post_rollback gets the stack', { timeout: 120_000 }, async () => {
    const client = await startClientLoop(service, network, labels);

    const back = await phase(other, (s) => buildRollback(s.ctx, 'Stage', undefined));
    assert.equal(back.value, 'passed');
    assert.equal(await answerOnNetwork(engine), `stack ${s1}`);
    assert.deepEqual(back.s.lines('post_rollback', 'env')[0]?.split(' ').slice(0, 3), ['ENV=Stage', 'REGION=local', `STACK=${s1}`]);
    const forward = await phase(provisioner, (s) => buildRollback(s.ctx, 'Stage', undefined));
    assert.equal(forward.value, 'passed');
    assert.equal(await answerOnNetwork(engine), `stack ${s2}`, 'v1 → v2 → rollback (v1) → rollback: v2, as Helm');
    await new Promise((r) => setTimeout(r, 2500));

    const { ok, failed } = await client.stop();
    assert.ok(ok > 20, `the client made requests through the rollbacks (${ok} answered)`);
    assert.equal(failed, 0, 'no request failed while rolling back');
  });

  test('status lists each stack with version, health, URL and which is promoted, and the promotions newest first', { timeout: 60_000 }, async () => {
    const { value: regions } = await phase(other, (s) => buildStatus(s.ctx, 'Stage'));
    assert.equal(regions.length, 1);
    const local = regions[0]!;
    assert.deepEqual(local.stacks.map((s) => [s.id, s.promoted, s.health]), [[s2, true, 'healthy'], [s1, false, 'healthy']]);
    assert.ok(local.stacks.every((s) => /^http:\/\/127\.0\.0\.1:\d+$/.test(s.url ?? '') && s.version.length > 0 && s.ageMs >= 0));
    assert.deepEqual(local.promotions.map((p) => [p.by, p.stack, p.previous]), [['rollback', s2, s1], ['rollback', s1, s2], ['promote', s2, s1], ['promote', s1, undefined]]);

    const cli = await runPorter(other, ['--log-format', 'json', 'build', 'status', '-e', 'Stage']);
    assert.equal(cli.code, 0, cli.stderr);
    const event = cli.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { type: string; regions?: { stacks: { id: string; promoted: boolean }[] }[] }).find((e) => e.type === 'status');
    assert.deepEqual(event?.regions?.[0]?.stacks.map((s) => [s.id, s.promoted]), [[s2, true], [s1, false]]);
    const text = await runPorter(other, ['build', 'status', '-e', 'Stage']);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, new RegExp(`\\* +${s2} .* healthy +http://127\\.0\\.0\\.1:\\d+`));
    assert.match(text.stdout, new RegExp(`rollback to ${s2} \\(was ${s1}\\)`));
  });

  test('rollback --dry-run names the stack it would go back to; one that is gone is exit 2 naming what is there', { timeout: 30_000 }, async () => {
    const dry = await runPorter(other, ['build', 'rollback', '-e', 'Stage', '--dry-run']);
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stdout, new RegExp(`give the alias ${service} on ${network} back to stack ${s1}, then take it from the current stack`));
    await assert.rejects(phase(other, (s) => buildRollback(s.ctx, 'Stage', 'nope-123')), isStateError(/Cannot roll back region local of Stage to stack nope-123: it is gone .*Stacks there now: .*\(promoted\)/));
    const cli = await runPorter(other, ['build', 'rollback', '-e', 'Stage', '--to', 'nope-123']);
    assert.equal(cli.code, 2);
  });

  test('rollback to a stack that is not healthy is exit 2; status shows it stopped', { timeout: 60_000 }, async () => {
    const [stopped] = await engine.listContainers({ ...labels, [Label.stack]: s1 });
    assert.ok(stopped);
    assert.equal((await engineApi('POST', `/containers/${stopped.id}/stop?t=1`)).status, 204);
    await assert.rejects(phase(other, (s) => buildRollback(s.ctx, 'Stage', undefined)), isStateError(new RegExp(`Cannot roll back region local of Stage to stack ${s1}: it is not healthy \\(container .* is exited\\)`)));
    const { value: regions } = await phase(other, (s) => buildStatus(s.ctx, 'Stage'));
    assert.deepEqual(regions[0]?.stacks.map((s) => [s.id, s.health]), [[s2, 'healthy'], [s1, 'stopped']]);
    assert.equal(await answerOnNetwork(engine), `stack ${s2}`, 'the promoted stack kept the alias');
  });

  test('a failing pre_teardown leaves everything; --dry-run lists what would go and changes nothing', { timeout: 90_000 }, async () => {
    await writeFile(join(other, 'keep-env'), 'yes\n');
    const refused = await phase(other, (s) => buildTeardown(s.ctx, 'Stage'));
    assert.equal(refused.value, 'failed');
    assert.equal(refused.s.results().filter((r) => r.list === 'post_teardown').length, 0, 'post_teardown is not called when pre_teardown fails');
    const cli = await runPorter(other, ['build', 'teardown', '-e', 'Stage']);
    assert.equal(cli.code, 1, cli.stderr);
    assert.match(cli.stdout, /pre_teardown failed, so porter did not teardown/);
    assert.equal(await answerOnNetwork(engine), `stack ${s2}`);
    const { value: lines } = await phase(other, (s) => findTeardown(s.ctx, 'Stage'));
    assert.deepEqual(lines.filter((l) => l.includes('stack')), [`region local: stack ${s2} (version ${lines[0]?.match(/version (\w+)/)?.[1] ?? ''}, 1 container, promoted)`, `region local: stack ${s1} (version ${lines[0]?.match(/version (\w+)/)?.[1] ?? ''}, 1 container)`]);
    assert.ok(lines.some((l) => /region local: 4 records/.test(l)), lines.join('\n'));
    const dry = await runPorter(other, ['build', 'teardown', '-e', 'Stage', '--dry-run']);
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stdout, new RegExp(`stack ${s2} \\(version \\w+, 1 container, promoted\\)`));
    assert.equal((await engine.listContainers({ ...labels, [Label.stack]: '' })).length, 2);
    await rm(join(other, 'keep-env'));
  });

  test('teardown removes every stack (the promoted one too), the network, the images no other environment uses and the records; a second teardown passes', { timeout: 120_000 }, async () => {
    const { value: prod } = await phase(provisioner, (s) => buildProvision(s.ctx, 'Prod'));
    assert.equal(prod, 'passed');
    const stageDown = await phase(other, (s) => buildTeardown(s.ctx, 'Stage'));
    assert.equal(stageDown.value, 'passed');
    assert.equal((await engine.findImages({ ...labels, [Label.container]: 'web' })).length, 1, 'Prod\'s stack still uses the image, so it stays');
    assert.equal((await engine.listContainers({ ...labels, [Label.environment]: 'Prod' })).length, 1, 'Prod is untouched');
    const down = await phase(other, (s) => buildTeardown(s.ctx, 'Prod'));
    assert.equal(down.value, 'passed');
    assert.deepEqual([...stageDown.s.lines('post_teardown', 'done'), ...down.s.lines('post_teardown', 'done')], ['torn down', 'torn down']);
    assert.equal((await engine.listContainers({ ...labels, [Label.stack]: '' })).length, 0);
    assert.equal((await engineApi('GET', `/networks/${network}`)).status, 404);
    assert.equal((await engineApi('GET', `/networks/porter-${service}-Prod`)).status, 404);
    assert.equal((await engine.findImages({ ...labels, [Label.container]: 'web' })).length, 0, 'the stacks\' images went');
    assert.ok((await engine.findImages({ ...labels, [Label.hook]: '' })).length > 0, 'hook images stay for build clean');
    assert.deepEqual(await engine.listRecords(labels), []);
    const again = await phase(provisioner, (s) => buildTeardown(s.ctx, 'Stage'));
    assert.equal(again.value, 'passed', 'teardown of an environment with nothing left passes');
    await assert.rejects(phase(other, (s) => buildRollback(s.ctx, 'Stage', undefined)), isStateError(/nothing to roll back to in region local of Stage: nothing was ever promoted there/));
  });

  test('a region\'s history keeps the newest promotions only', { timeout: 120_000 }, async () => {
    const at = (i: number): string => new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString();
    for (let i = 0; i < HISTORY_KEPT + 2; i++) await recordPromotion(engine, service, 'Old', 'local', { stack: `s${i}`, at: at(i), by: 'promote' });
    const kept = await readHistory(engine, service, 'Old', 'local');
    assert.equal(kept.length, HISTORY_KEPT);
    assert.deepEqual([kept[0]?.stack, kept.at(-1)?.stack], ['s2', `s${HISTORY_KEPT + 1}`], 'the two oldest were forgotten');
    assert.equal(await forgetHistory(engine, service, 'Old'), HISTORY_KEPT);
  });

  test('nothing is left after a sweep', { timeout: 30_000 }, async () => {
    await sweep(labels);
    await assertNothingLeft(labels);
  });
});
