/** A test suite that owns a private Docker engine (private-dockerd.ts): set up before its tests, checked gone after. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { probeDocker, removeTempDirs } from './docker.js';
import { realEngineSocket } from './engine-proxy.js';
import { createPrivateEngine, privateEngineUnavailable, type PrivateEngine, type PrivateEngineOptions } from './private-dockerd.js';

async function unavailable(): Promise<string | undefined> {
  const shared = await probeDocker();
  if (!('engine' in shared)) return shared.reason;
  if (!realEngineSocket()) return 'the shared engine is not on a unix socket, so busybox cannot be copied from it';
  return privateEngineUnavailable();
}

/**
 * `describe(name)` with a private engine running (busybox:latest copied in from the shared one) before `body`'s own
 * hooks and tests, torn down after them (temp dirs too), failing when it left anything. Where it cannot run: a
 * failing test under CI, else a loud skip naming `what`. `engine` stands for the suite's engine once it is up.
 */
export async function describePrivateEngine(name: string, what: string, body: (engine: PrivateEngine) => void, options: () => PrivateEngineOptions | Promise<PrivateEngineOptions> = () => ({})): Promise<void> {
  const reason = await unavailable();
  if (reason && process.env.CI) {
    test('a private Docker engine can run', () => assert.fail(`CI is set, so this is a failure, not a skip: ${reason}`));
    return;
  }
  if (reason) process.stderr.write(`\n*** SKIPPED ${what}: ${reason}\n\n`);
  describe(name, { skip: reason }, () => {
    let engine: PrivateEngine | undefined;
    const current = (): PrivateEngine => {
      if (!engine) throw new Error('the private engine is not set up yet');
      return engine;
    };
    before(async () => {
      engine = await createPrivateEngine(await options());
      await engine.start();
      await engine.copyImage('busybox:latest', realEngineSocket() ?? '');
    }, { timeout: 90_000 });
    after(async () => {
      // Whatever happened above: the engine's processes, mounts and directory go, and the test says if any stayed.
      let left: string[] = [];
      try {
        left = engine ? await engine.teardown() : [];
      } finally {
        await removeTempDirs();
      }
      assert.deepEqual(left, [], 'the private engine left something behind');
    }, { timeout: 90_000 });
    body(new Proxy({} as PrivateEngine, { get: (_, key) => Reflect.get(current(), key) as unknown }));
  });
}
