/** porter runs its own STYLE rules as a hook list (.porter/config `conventions`) on this repository. */
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { describeDocker } from '../helpers/docker.js';
import { engineList, labelQuery } from '../helpers/engine-api.js';
import { runPorter } from '../helpers/porter-cli.js';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

await describeDocker('porter on its own repository', () => {
  test('the conventions hook list passes, and build clean leaves none of its images or containers', { timeout: 120_000 }, async () => {
    const run = await runPorter(repoRoot, ['build', 'hook', '-name', 'conventions']);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /ok: the dockerode import only in src\/docker\/dockerode-engine\.ts/);
    assert.match(run.stdout, /ok: every file under src\/ has at most 300 lines/);
    const clean = await runPorter(repoRoot, ['build', 'clean']);
    assert.equal(clean.code, 0, clean.stdout + clean.stderr);
    const labels = { 'porter.service': 'porter' };
    assert.deepEqual(await engineList(`/images/json?${labelQuery(labels)}`), []);
    assert.deepEqual(await engineList(`/containers/json?all=1&${labelQuery(labels)}`), []);
  });
});
