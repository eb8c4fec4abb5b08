import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { createDockerEngine } from '../../src/docker/dockerode-engine.js';
import type { DockerEngine, LineSink } from '../../src/docker/engine.js';
import { EngineError, isAbort } from '../../src/errors.js';
import {
  assertNothingLeft, containersMentioning, describeDocker, eventually, fixtureContext, removeTempDirs, sweep, testLabels,
  uniqueRunId,
} from '../helpers/docker.js';
import { engineApi } from '../helpers/engine-api.js';
import { realEngineSocket, startEngineProxy } from '../helpers/engine-proxy.js';

const never = (): AbortSignal => new AbortController().signal;

/** A sink that calls `then` once, the first time `line` is seen. */
function onFirst(line: string, then: () => void): LineSink {
  let done = false;
  return (seen) => {
    if (!done && seen === line) {
      done = true;
      then();
    }
  };
}

async function removeMentioning(marker: string): Promise<void> {
  for (const id of await containersMentioning(marker)) await engineApi('DELETE', `/containers/${id}?force=1`);
}

await describeDocker('DockerEngine when a run or build is cancelled, or the engine goes away', (engine: DockerEngine) => {
  const runId = uniqueRunId();
  const labels = testLabels(runId);
  const slowRun = { image: 'busybox:latest', env: [], binds: [], labels, cmd: ['sh', '-c', 'echo started; sleep 30'] };
  const slowBuild = async (marker: string) => ({
    contextDir: await fixtureContext(undefined, { Dockerfile: `FROM busybox\nRUN echo ${marker} && sleep 30\n` }),
    dockerfile: 'Dockerfile', tag: `porter-test-${runId}:slow`, labels, buildArgs: {},
  });

  after(async () => {
    await removeMentioning(runId);
    await sweep(labels);
    await removeTempDirs();
  }, { timeout: 60_000 });

  test('an abort during a run stops the container (2 s grace), removes it, and rejects quickly', { timeout: 20_000 }, async () => {
    const controller = new AbortController();
    let abortedAt = 0;
    const run = engine.runToExit(slowRun, onFirst('started', () => {
      abortedAt = Date.now();
      controller.abort();
    }), controller.signal);
    await assert.rejects(run, (err: unknown) => err instanceof Error && err.name === 'AbortError' && isAbort(err));
    const tookMs = Date.now() - abortedAt;
    // The contract (DESIGN, Signals): a grace of at most 2 s, then kill; so well under 4 s to reject.
    assert.ok(tookMs < 4_000, `took ${tookMs} ms from abort to rejection`);
    await assertNothingLeft(labels);
  });

  test('a signal aborted before the run starts creates nothing', { timeout: 10_000 }, async () => {
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(engine.runToExit(slowRun, () => {}, controller.signal), (err: unknown) => isAbort(err));
    await assertNothingLeft(labels);
  });

  test('an abort during a long build cancels it, leaving no container and no image', { timeout: 30_000 }, async () => {
    const marker = `${runId}-aborted-build`;
    const controller = new AbortController();
    const build = engine.buildImage(await slowBuild(marker), onFirst(marker, () => controller.abort()), controller.signal);
    await assert.rejects(build, (err: unknown) => err instanceof Error && err.name === 'AbortError');
    assert.deepEqual(await containersMentioning(marker), []);
    await assertNothingLeft(labels);
  });

  test('an engine that goes away mid-run is an EngineError saying so, not the hook\'s failure', { timeout: 30_000 }, async (t) => {
    const socket = realEngineSocket();
    if (!socket) return t.skip('the engine is not on a unix socket, so it cannot be proxied');
    const proxy = await startEngineProxy(socket);
    const viaProxy = createDockerEngine({ dockerHost: proxy.host, env: {} });
    const run = viaProxy.runToExit(slowRun, onFirst('started', () => void proxy.cut()), never());
    await assert.rejects(run, (err: unknown) => {
      assert.ok(err instanceof EngineError, String(err));
      assert.equal(err.exitCode, 2);
      assert.match(err.message, /went away while a container was running/);
      assert.ok(err.message.includes(proxy.host));
      return true;
    });
    // The container outlived its client on the real engine; clear it as porter's next `build clean` would.
    assert.equal(await engine.removeContainers(labels), 1);
    await assertNothingLeft(labels);
  });

  test('an engine that goes away mid-build is an EngineError saying so, not a BuildFailure', { timeout: 30_000 }, async (t) => {
    const socket = realEngineSocket();
    if (!socket) return t.skip('the engine is not on a unix socket, so it cannot be proxied');
    const marker = `${runId}-orphaned-build`;
    const proxy = await startEngineProxy(socket);
    const viaProxy = createDockerEngine({ dockerHost: proxy.host, env: {} });
    const build = viaProxy.buildImage(await slowBuild(marker), onFirst(marker, () => void proxy.cut()), never());
    await assert.rejects(build, (err: unknown) => err instanceof EngineError && /went away while an image was building/.test(err.message));
    // The engine cancels a build whose client vanished; give it a moment, then make sure.
    await eventually(async () => (await containersMentioning(marker)).length === 0);
    await removeMentioning(marker);
    await assertNothingLeft(labels);
  });
});
