/**
 * The environment lock on the real engine, through the CLI: a second command waits for the first (naming it once),
 * `--lock-timeout` ends the wait with exit 2, a SIGKILLed holder's lock is taken over at once on its host and after
 * 30 s unrenewed from another host id, and two commands never interleave their hooks.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { hostname } from 'node:os';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { Label } from '../../src/docker/labels.js';
import { pidNamespace } from '../../src/pid-alive.js';
import { formatNote, holderLabels, lockName } from '../../src/phases/lock-holder.js';
import { listStacks } from '../../src/phases/stacks.js';
import { assertNothingLeft, describeDocker, removeTempDirs, sweep, uniqueRunId } from '../helpers/docker.js';
import { HTTPD_DOCKERFILE, serviceConfig, serviceRepo, stageRegion } from '../helpers/phase-repo.js';
import { startPorter } from '../helpers/porter-cli.js';
import { stopPortersAfterEach } from '../helpers/porter-processes.js';

const service = uniqueRunId();
const labels = { [Label.service]: service };
const lockLabels = { ...labels, [Label.lock]: '' };

after(async () => {
  await sweep(labels);
  await removeTempDirs();
});

const hooks = [
  '  pre_prune:', '  - name: hold', '    dockerfile: .porter/hooks/hold/Dockerfile',
  '  post_prune:', '  - name: after', '    dockerfile: .porter/hooks/after/Dockerfile', '',
].join('\n');

/** A repo whose prune holds the lock while its pre_prune hook sleeps `hold-seconds` (a file of the repo). */
async function lockRepo(holdSeconds: number): Promise<string> {
  return serviceRepo({
    '.porter/config': serviceConfig(service, hooks, stageRegion(['- name: web', '  inet_port: 8080'])),
    '.porter/hooks/hold/Dockerfile': 'FROM busybox:latest\nCMD ["sh", "-c", "echo pre-start >> /repo_root/order; echo holding; sleep $(cat /repo_root/hold-seconds); echo pre-end >> /repo_root/order"]\n',
    '.porter/hooks/after/Dockerfile': 'FROM busybox:latest\nCMD ["sh", "-c", "echo post >> /repo_root/order"]\n',
    'hold-seconds': `${holdSeconds}\n`,
  });
}

const prune = ['build', 'prune', '-e', 'Stage'];

void describeDocker('the environment lock', (engine) => {
  const track = stopPortersAfterEach();

  test('a second command waits, naming the holder once (host, pid, command, since), then runs after it: the hooks never interleave', { timeout: 120_000 }, async () => {
    const repo = await lockRepo(6);
    const holder = track(startPorter(repo, prune, { PORTER_HOST_ID: 'machine-a' }));
    await holder.waitFor(/\[pre_prune hold\] holding/, 60_000);
    const waiter = track(startPorter(repo, prune, { PORTER_HOST_ID: 'machine-b' }));
    const [first, second] = await Promise.all([holder.exited, waiter.exited]);
    assert.equal(first.code, 0, first.stdout + first.stderr);
    assert.equal(second.code, 0, second.stdout + second.stderr);
    const told = second.stdout.match(/Stage is locked by .*/g) ?? [];
    assert.equal(told.length, 1, second.stdout);
    assert.match(told[0]!, new RegExp(`locked by porter -C \\S+ build prune -e Stage \\(pid ${holder.child.pid} on machine-a\\) since \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d UTC; waiting for it \\(up to 10m, --lock-timeout\\)`));
    assert.deepEqual((await readFile(join(repo, 'order'), 'utf8')).trim().split('\n'), ['pre-start', 'pre-end', 'post', 'pre-start', 'pre-end', 'post']);
    assert.deepEqual(await engine.listContainers(lockLabels), [], 'the lock is released');
  });

  test('--lock-timeout ends the wait with exit 2 naming the holder; a bad duration is exit 2 too', { timeout: 120_000 }, async () => {
    const repo = await lockRepo(20);
    const holder = track(startPorter(repo, prune));
    await holder.waitFor(/\[pre_prune hold\] holding/, 60_000);
    const waiter = await startPorter(repo, [...prune, '--lock-timeout', '2s']).exited;
    assert.equal(waiter.code, 2, waiter.stdout + waiter.stderr);
    assert.match(waiter.stderr, new RegExp(`Gave up waiting for the lock of Stage after 2s: porter -C \\S+ build prune -e Stage \\(pid ${holder.child.pid} on \\S+\\) since .* still holds it and is renewing it\\. Run again once it has finished, or wait longer with --lock-timeout`));
    const bad = await startPorter(repo, [...prune, '--lock-timeout', 'soon']).exited;
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--lock-timeout "soon" is not a duration/);
    holder.child.kill('SIGTERM');
    assert.equal((await holder.exited).code, 130);
    assert.deepEqual(await engine.listContainers(lockLabels), [], 'an interrupted holder releases the lock');
  });

  test('the lock of a SIGKILLed holder is taken over at once on the same host, with a warning', { timeout: 120_000 }, async () => {
    const repo = await lockRepo(30);
    const holder = track(startPorter(repo, prune));
    await holder.waitFor(/\[pre_prune hold\] holding/, 60_000);
    holder.child.kill('SIGKILL');
    await holder.exited;
    assert.equal((await engine.listContainers(lockLabels)).length, 1, 'a killed holder leaves its lock');
    await writeFile(join(repo, 'hold-seconds'), '0\n');
    const next = await startPorter(repo, prune).exited;
    assert.equal(next.code, 0, next.stdout + next.stderr);
    assert.match(next.stdout, new RegExp(`Taking over the lock of Stage from porter -C \\S+ build prune -e Stage \\(pid ${holder.child.pid} on \\S+\\) since .*: its process \\(pid ${holder.child.pid}\\) is no longer running on this host\\.`));
    assert.doesNotMatch(next.stdout, /is locked by/);
    assert.deepEqual(await engine.listContainers(lockLabels), []);
  });

  test('from another host id, a SIGKILLed holder\'s lock is taken over once it has not been renewed for 30 s', { timeout: 150_000 }, async () => {
    const repo = await lockRepo(60);
    const holder = track(startPorter(repo, prune, { PORTER_HOST_ID: 'machine-a' }));
    await holder.waitFor(/\[pre_prune hold\] holding/, 60_000);
    holder.child.kill('SIGKILL');
    await holder.exited;
    await writeFile(join(repo, 'hold-seconds'), '0\n');
    const next = await startPorter(repo, prune, { PORTER_HOST_ID: 'machine-b' }).exited;
    assert.equal(next.code, 0, next.stdout + next.stderr);
    assert.match(next.stdout, /Stage is locked by .*\(pid \d+ on machine-a\)/);
    assert.match(next.stdout, /Still waiting for the lock of Stage: 1\ds of 10m\./, 'a progress line while it waits');
    assert.match(next.stdout, /Taking over the lock of Stage from .*\(pid \d+ on machine-a\) since .*: it was not renewed for 30 s\./);
    assert.deepEqual(await engine.listContainers(lockLabels), []);
  });

  test('a stack whose provision was killed before it became healthy is removed by the next command, so it is never promoted', { timeout: 180_000 }, async () => {
    // Its web container never answers /health, so provision waits (up to 5 min) until the kill.
    const repo = await serviceRepo({
      '.porter/config': serviceConfig(service, '', stageRegion(['- name: web', '  inet_port: 8080', '  health_check:', '    timeout: 5m'])),
      '.dockerignore': '.porter-tmp\n', Dockerfile: 'FROM busybox:latest\nCMD ["sleep", "600"]\n',
    }, { git: true });
    assert.equal((await startPorter(repo, ['build', 'pack']).exited).code, 0);
    const provision = track(startPorter(repo, ['build', 'provision', '-e', 'Stage']));
    await provision.waitFor(/\[provision stack\] started /, 60_000);
    provision.child.kill('SIGKILL');
    await provision.exited;
    const [left] = await engine.listContainers({ ...labels, [Label.stack]: '' });
    assert.ok(left, 'the killed provision left its stack');
    const stack = left.labels[Label.stack]!;
    const promote = await startPorter(repo, ['build', 'promote', '-e', 'Stage', '--stack', stack]).exited;
    assert.equal(promote.code, 2, promote.stdout + promote.stderr);
    assert.match(promote.stdout, new RegExp(`Removed stack ${stack} in region local of Stage: the porter whose lock was taken over was provisioning it, and it never became healthy\\.`));
    assert.match(promote.stderr, new RegExp(`There is no stack ${stack} of ${service} in region local of Stage`));
    assert.deepEqual(await engine.listContainers({ ...labels, [Label.stack]: '' }), []);
    assert.deepEqual(await engine.listContainers(lockLabels), []);
  });

  test('a promote killed mid-switch is completed by the next command: the container it had disconnected is back at its address, one stack answers', { timeout: 180_000 }, async () => {
    const repo = await serviceRepo({
      '.porter/config': serviceConfig(service, '', stageRegion(['- name: web', '  inet_port: 8080'])), '.dockerignore': '.porter-tmp\n', Dockerfile: HTTPD_DOCKERFILE,
    }, { git: true });
    for (const args of [['build', 'pack'], ['build', 'provision', '-e', 'Stage'], ['build', 'promote', '-e', 'Stage'], ['build', 'provision', '-e', 'Stage']]) {
      const r = await startPorter(repo, args).exited;
      assert.equal(r.code, 0, r.stdout + r.stderr);
    }
    const network = `porter-${service}-Stage`;
    const [green, blue] = await listStacks(engine, service, 'Stage', 'local', network);
    assert.ok(green && blue && blue.promoted && !green.promoted);
    // The state a promote of green killed between its two calls on blue leaves: green has the alias, blue is off the network.
    const web = (st: typeof green) => st.containers[0]!;
    await engine.disconnectNetwork(network, web(green).id);
    await engine.connectNetwork(network, web(green).id, [service], web(green).addresses[network]);
    const blueAddress = web(blue).addresses[network]!;
    await engine.disconnectNetwork(network, web(blue).id);
    const dead = spawn('true');
    await once(dead, 'exit');
    const note = formatNote({ beat: 7, intent: { action: 'promote', stackId: green.id, detached: [{ region: 'local', id: web(blue).id, aliases: [], ipv4: blueAddress }] } });
    const holder = { host: hostname(), ns: pidNamespace(), pid: dead.pid!, command: 'porter build promote -e Stage', since: new Date().toISOString() };
    assert.ok(await engine.createLock(lockName(service, 'Stage', 'local'), holderLabels(service, 'Stage', 'local', holder), note));

    const next = await startPorter(repo, ['build', 'prune', '-e', 'Stage', '--keep', '1']).exited;
    assert.equal(next.code, 0, next.stdout + next.stderr);
    assert.match(next.stdout, new RegExp(`Taking over the lock of Stage from porter build promote -e Stage \\(pid ${dead.pid} on `));
    assert.match(next.stdout, new RegExp(`Reconnected ${web(blue).name} to ${network} at ${blueAddress.replace(/\./g, '\\.')}: the killed promote had disconnected it\\.`));
    assert.match(next.stdout, new RegExp(`Completed the promotion of stack ${green.id} in region local of Stage`));
    const after = await listStacks(engine, service, 'Stage', 'local', network);
    assert.deepEqual(after.map((st) => `${st.id}${st.promoted ? ' promoted' : ''}`), [`${green.id} promoted`, blue.id], 'one stack answers; prune --keep 1 kept the other');
    assert.equal(web(after[1]!).addresses[network], blueAddress, 'the disconnected container is back at its address');
    assert.deepEqual(await engine.listContainers(lockLabels), []);
  });

  test('nothing of the service is left', { timeout: 30_000 }, async () => {
    await sweep(labels);
    await assertNothingLeft(labels);
  });
});
