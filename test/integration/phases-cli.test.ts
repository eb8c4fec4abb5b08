import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { Label } from '../../src/docker/labels.js';
import { assertNothingLeft, describeDocker, removeTempDirs, sweep, uniqueRunId } from '../helpers/docker.js';
import { HTTPD_DOCKERFILE, commitAll, serviceConfig, serviceRepo } from '../helpers/phase-repo.js';
import { runPorter, summaryRow } from '../helpers/porter-cli.js';

const service = uniqueRunId();
const labels = { [Label.service]: service };

after(async () => {
  await sweep(labels);
  await removeTempDirs();
});

const environments = ['- name: Stage', '  regions:', '  - name: local', '    containers:', '    - name: web', '      inet_port: 8080', '- name: Prod', '  regions:', '  - name: local', '    containers:', '    - name: web', '      inet_port: 8080', ''].join('\n');

void describeDocker('the phases from the command line', (engine) => {
  test('two versions through pack → provision → promote, then prune removes the old stack and its image; exit codes and messages as a user sees them', { timeout: 120_000 }, async () => {
    const repo = await serviceRepo({ '.porter/config': serviceConfig(service, '', environments), '.dockerignore': '.porter-tmp\n', Dockerfile: HTTPD_DOCKERFILE }, { git: true });
    const early = await runPorter(repo, ['build', 'provision', '-e', 'Stage']);
    assert.equal(early.code, 2);
    assert.match(early.stderr, /Run `porter build pack` first, then `porter build provision -e Stage`/);
    const noEnv = await runPorter(repo, ['build', 'promote']);
    assert.equal(noEnv.code, 2);
    assert.match(noEnv.stderr, /porter build promote needs -e ENV: nothing was provisioned from this workspace/);
    const beforeProvision = await runPorter(repo, ['build', 'promote', '-e', 'Stage']);
    assert.equal(beforeProvision.code, 2);
    assert.match(beforeProvision.stderr, /Run `porter build provision -e Stage` first/);

    const versions: string[] = [];
    const urls: string[] = [];
    for (const round of [1, 2]) {
      if (round === 2) {
        await writeFile(join(repo, 'VERSION'), '2\n');
        commitAll(repo, 'second');
      }
      const pack = await runPorter(repo, ['build', 'pack']);
      assert.equal(pack.code, 0, pack.stdout + pack.stderr);
      versions.push(JSON.parse(await readFile(join(repo, '.porter-tmp', 'manifest.json'), 'utf8')).version);
      // Later phases read the config as pack saw it, not the repo's current one.
      await writeFile(join(repo, '.porter/config'), 'service_name: [broken\n');
      const provision = await runPorter(repo, ['--junit', 'junit.xml', 'build', 'provision', '-e', 'Stage']);
      assert.equal(provision.code, 0, provision.stdout + provision.stderr);
      assert.equal(summaryRow(provision.stdout, 'provision stack (local)')?.status, 'passed');
      assert.match(await readFile(join(repo, 'junit.xml'), 'utf8'), /<testcase classname="provision" name="stack \(local\)"/);
      const url = /Stack \S+ is up in region local of Stage: (http:\/\/127\.0\.0\.1:\d+)/.exec(provision.stdout)?.[1];
      assert.ok(url, provision.stdout);
      urls.push(url);
      const promote = await runPorter(repo, ['build', 'promote']);
      assert.equal(promote.code, 0, promote.stdout + promote.stderr);
      assert.match(promote.stdout, /Promoted stack \S+ in region local of Stage/);
      await writeFile(join(repo, '.porter/config'), serviceConfig(service, '', environments));
    }
    assert.notEqual(versions[0], versions[1]);
    assert.equal((await engine.findImages({ ...labels, [Label.container]: 'web' })).length, 2);

    const badKeep = await runPorter(repo, ['build', 'prune', '--keep', 'all']);
    assert.equal(badKeep.code, 2);
    assert.match(badKeep.stderr, /--keep all: give how many/);
    const prune = await runPorter(repo, ['build', 'prune']);
    assert.equal(prune.code, 0, prune.stdout + prune.stderr);
    assert.match(prune.stdout, /Pruned 1 stack in region local of Stage; 1 left\./);
    const images = await engine.findImages({ ...labels, [Label.container]: 'web' });
    assert.deepEqual(images.flatMap((i) => i.tags), [`${service}-web:${versions[1]}`], 'the old version\'s image went with its stack');
    assert.equal((await fetch(`${urls[1]}/`)).status, 200);
    await assert.rejects(fetch(`${urls[0]}/`), 'the pruned stack no longer answers');

    const unknown = await runPorter(repo, ['build', 'provision', '-e', 'Staging']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /Unknown environment "Staging"/);
    const dry = await runPorter(repo, ['build', 'prune', '-e', 'Prod', '--keep', '1', '--dry-run']);
    assert.equal(dry.code, 0);
    assert.match(dry.stdout, /prune: remove old stacks, per region\n {2}region local .*keeping the 1 newest/);
  });

  test('nothing of the service is left after a sweep', { timeout: 30_000 }, async () => {
    await sweep(labels);
    await assertNothingLeft(labels);
  });
});
