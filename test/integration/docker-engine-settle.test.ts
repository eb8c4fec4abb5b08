/** runToExit's background removal: the caller goes on at once, settle() waits until every container is gone. */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { DockerEngine, RunRequest } from '../../src/docker/engine.js';
import { engineList, labelQuery } from '../helpers/engine-api.js';
import { assertNothingLeft, describeDocker, fixtureContext, removeTempDirs, sweep, testLabels, uniqueRunId } from '../helpers/docker.js';

const never = (): AbortSignal => new AbortController().signal;

await describeDocker('DockerEngine: containers removed in the background', (engine: DockerEngine) => {
  const runId = uniqueRunId();
  const labels = testLabels(runId);
  let image = '';
  const request = (cmd: string): RunRequest => ({ image, env: [], binds: [], labels, cmd: ['sh', '-c', cmd], removeInBackground: true });
  const containers = (): Promise<unknown[]> => engineList(`/containers/json?all=1&${labelQuery(labels)}`);

  before(async () => {
    const context = await fixtureContext('hello');
    image = await engine.buildImage({ contextDir: context, dockerfile: 'Dockerfile', tag: `porter-test-${runId}:settle`, labels, buildArgs: {} }, () => {}, never());
  }, { timeout: 60_000 });

  after(async () => {
    await sweep(labels);
    await removeTempDirs();
  }, { timeout: 60_000 });

  test('runs in a row return their exit codes and output; after settle() none of their containers is left', { timeout: 60_000 }, async () => {
    const lines: string[] = [];
    const codes: number[] = [];
    for (const n of [0, 1, 2]) {
      const { exitCode } = await engine.runToExit(request(`echo run ${n}; exit ${n}`), (line) => lines.push(line), never());
      codes.push(exitCode);
    }
    assert.deepEqual(codes, [0, 1, 2]);
    assert.deepEqual(lines, ['run 0', 'run 1', 'run 2']);
    await engine.settle();
    assert.deepEqual(await containers(), []);
    // Nothing pending: settle() answers at once, again.
    await engine.settle();
  });

  test('an interrupted run is still removed before runToExit rejects, whatever the request says', { timeout: 60_000 }, async () => {
    const controller = new AbortController();
    const run = engine.runToExit(request('echo started; sleep 30'), () => controller.abort(), controller.signal);
    await assert.rejects(run, (err: unknown) => err instanceof Error && err.name === 'AbortError');
    assert.deepEqual(await containers(), []);
  });

  test('nothing with the test labels is left but the image, which the sweep removes', { timeout: 60_000 }, async () => {
    await engine.settle();
    await sweep(labels);
    await assertNothingLeft(labels);
  });
});
