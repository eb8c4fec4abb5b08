import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { symlink } from 'node:fs/promises';
import { createServer, type Socket } from 'node:net';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { createDockerEngine } from '../../src/docker/dockerode-engine.js';
import { EngineError, ExitCode, isAbort } from '../../src/errors.js';
import { fixtureContext, removeTempDirs, requireDocker, tempDir, writeTree } from '../helpers/docker.js';

const never = (): AbortSignal => new AbortController().signal;
const labels = { 'porter.service': 't-never-created' };

function isUnreachable(host: string, detail: RegExp): (err: unknown) => boolean {
  return (err) => {
    assert.ok(err instanceof EngineError, String(err));
    assert.equal(err.exitCode, ExitCode.usage);
    assert.ok(err.message.startsWith(`Cannot reach the Docker engine at ${host} (`), err.message);
    assert.match(err.message, detail);
    assert.match(err.message, /Start dockerd, or point DOCKER_HOST at an engine that answers\.$/);
    return true;
  };
}

describe('an engine porter cannot reach', () => {
  after(removeTempDirs);

  test('a unix socket that does not exist: EngineError naming it (connect ENOENT)', { timeout: 10_000 }, async () => {
    const host = `unix:///tmp/porter-nope-${randomBytes(4).toString('hex')}.sock`;
    const engine = createDockerEngine({ dockerHost: host, env: {} });
    assert.equal(engine.host, host);
    await assert.rejects(engine.ping(), isUnreachable(host, /\(connect ENOENT\)/));
  });

  test('a tcp port nothing listens on: EngineError naming it (connect ECONNREFUSED)', { timeout: 10_000 }, async () => {
    const engine = createDockerEngine({ env: { DOCKER_HOST: 'tcp://127.0.0.1:1' } });
    assert.equal(engine.host, 'tcp://127.0.0.1:1');
    await assert.rejects(engine.ping(), isUnreachable('tcp://127.0.0.1:1', /\(connect ECONNREFUSED\)/));
  });

  test('docker_host from the config wins over DOCKER_HOST; the local socket is the default', () => {
    const env = { DOCKER_HOST: 'tcp://127.0.0.1:1' };
    assert.equal(createDockerEngine({ dockerHost: 'unix:///run/other.sock', env }).host, 'unix:///run/other.sock');
    assert.equal(createDockerEngine({ env: {} }).host, 'unix:///var/run/docker.sock');
    assert.equal(createDockerEngine({ env: { DOCKER_HOST: 'http://127.0.0.1:2375' } }).host, 'http://127.0.0.1:2375');
  });

  test('every operation reports the unreachable engine, not only ping', { timeout: 10_000 }, async () => {
    const host = 'tcp://127.0.0.1:1';
    const engine = createDockerEngine({ dockerHost: host, env: {} });
    const check = isUnreachable(host, /ECONNREFUSED/);
    const context = await fixtureContext('hello');
    const build = { contextDir: context, dockerfile: 'Dockerfile', tag: 'porter-never:built', labels, buildArgs: {} };
    await assert.rejects(engine.buildImage(build, () => {}, never()), check);
    await assert.rejects(engine.runToExit({ image: 'busybox', env: [], binds: [], labels }, () => {}, never()), check);
    await assert.rejects(engine.findImages(labels), check);
    await assert.rejects(engine.removeContainers(labels), check);
    await assert.rejects(engine.removeImages(labels), check);
  });

  test('an address porter cannot use is an EngineError that says which and why', { timeout: 10_000 }, async () => {
    for (const host of ['ftp://example.com', 'npipe:////./pipe/docker_engine', 'unix://relative.sock']) {
      const engine = createDockerEngine({ dockerHost: host, env: {} });
      await assert.rejects(engine.ping(), (err: unknown) => err instanceof EngineError && err.message.startsWith(`Cannot use "${host}" as the Docker engine address:`));
    }
  });

  test('a ping to an engine that never answers can be aborted', { timeout: 10_000 }, async () => {
    const path = join(await tempDir(), 'silent.sock');
    const accepted: Socket[] = [];
    const server = createServer((socket) => void accepted.push(socket)); // accepts, never answers
    await new Promise<void>((resolve) => server.listen(path, resolve));
    try {
      const controller = new AbortController();
      const ping = createDockerEngine({ dockerHost: `unix://${path}`, env: {} }).ping(controller.signal);
      setTimeout(() => controller.abort(), 100);
      await assert.rejects(ping, (err: unknown) => isAbort(err) && (err as Error).name === 'AbortError');
    } finally {
      for (const socket of accepted) socket.destroy();
      server.close();
    }
  });
});

describe('an engine reached through the config while the environment says otherwise', () => {
  test('DOCKER_HOST in process.env does not override docker_host (docker-modem reads process.env itself)', { timeout: 10_000 }, async (t) => {
    const engine = await requireDocker(t);
    if (!engine) return;
    const saved = process.env.DOCKER_HOST;
    process.env.DOCKER_HOST = 'tcp://127.0.0.1:1';
    try {
      const viaConfig = createDockerEngine({ dockerHost: engine.host, env: process.env });
      await viaConfig.ping();
    } finally {
      if (saved === undefined) delete process.env.DOCKER_HOST;
      else process.env.DOCKER_HOST = saved;
    }
  });
});

describe('an engine named by a docker context', () => {
  after(removeTempDirs);

  /** A DOCKER_CONFIG whose current context reaches this machine's engine through a symlink to its socket. */
  async function contextStore(engineHost: string, current: string): Promise<{ dir: string; host: string }> {
    const dir = await tempDir('porter-docker-context-test-');
    const host = `unix://${join(dir, 'engine.sock')}`;
    await symlink(engineHost.replace(/^unix:\/\//, ''), join(dir, 'engine.sock'));
    const id = createHash('sha256').update('lab').digest('hex');
    await writeTree(dir, {
      'config.json': JSON.stringify({ currentContext: current }),
      [`contexts/meta/${id}/meta.json`]: JSON.stringify({ Name: 'lab', Endpoints: { docker: { Host: host } } }),
    });
    return { dir, host };
  }

  test('without DOCKER_HOST, the current context\'s engine is the one porter uses; a missing context is exit 2 naming it', { timeout: 30_000 }, async (t) => {
    const engine = await requireDocker(t);
    if (!engine) return;
    if (!engine.host.startsWith('unix://')) return t.skip('the test engine is not on a unix socket');
    const { dir, host } = await contextStore(engine.host, 'lab');
    const viaContext = createDockerEngine({ env: { DOCKER_CONFIG: dir } });
    assert.equal(viaContext.host, host);
    await viaContext.ping();
    assert.equal(createDockerEngine({ env: { DOCKER_CONFIG: dir, DOCKER_HOST: 'tcp://127.0.0.1:1' } }).host, 'tcp://127.0.0.1:1', 'DOCKER_HOST wins, as for the docker CLI');
    const missing = createDockerEngine({ env: { DOCKER_CONFIG: dir, DOCKER_CONTEXT: 'nope' } });
    await assert.rejects(missing.ping(), (err) => {
      assert.ok(err instanceof EngineError, String(err));
      assert.equal(err.exitCode, ExitCode.usage);
      assert.equal(err.message, `Cannot find the Docker engine: DOCKER_CONTEXT names the docker context "nope", but there is no such context in ${dir}/contexts. List them with docker context ls; or set DOCKER_HOST.`);
      return true;
    });
  });
});
