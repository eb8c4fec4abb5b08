import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { describe, test } from 'node:test';
import { deferUnusedDockerodeModules } from '../../src/docker/defer-unused-modules.js';

const require = createRequire(import.meta.url);
const loaded = (part: string): string[] => Object.keys(require.cache).filter((path) => path.includes(part));

describe('deferUnusedDockerodeModules', { timeout: 20_000 }, () => {
  test('dockerode loads without gRPC and ssh2, and they load for real on first use', async () => {
    deferUnusedDockerodeModules();
    const { default: Docker } = await import('dockerode');
    const docker = new Docker({ socketPath: '/nonexistent.sock' });
    assert.equal(typeof docker.createContainer, 'function');
    // Only the stand-ins sit in the cache: none of the modules the real packages pull in.
    assert.deepEqual(loaded('/node_modules/ssh2/'), []);
    assert.deepEqual(loaded('/node_modules/@grpc/grpc-js/').filter((p) => !p.endsWith('/build/src/index.js')), []);
    assert.deepEqual(loaded('/node_modules/@grpc/proto-loader/').filter((p) => !p.endsWith('/build/src/index.js')), []);
    // tar-fs (dockerode's util.js requires it for directory contexts) is a stand-in too: tar-stream is not loaded.
    assert.deepEqual(loaded('/node_modules/tar-stream/'), []);

    // What dockerode's session.js holds is the stand-in; touching it loads gRPC itself.
    const session = createRequire(require.resolve('dockerode'));
    const grpc = session('@grpc/grpc-js') as { Server: unknown; ServerCredentials: { createInsecure: unknown } };
    assert.equal(typeof grpc.Server, 'function');
    assert.equal(typeof grpc.ServerCredentials.createInsecure, 'function');
    assert.ok(loaded('/node_modules/@grpc/grpc-js/').length > 1, 'gRPC loaded on first use');
    const tar = session('tar-fs') as { pack: unknown };
    assert.equal(typeof tar.pack, 'function');
    assert.ok(loaded('/node_modules/tar-stream/').length > 0, 'tar-fs loaded on first use, with tar-stream');
  });

  test('a second call changes nothing', () => {
    const before = Object.keys(require.cache).length;
    deferUnusedDockerodeModules();
    assert.equal(Object.keys(require.cache).length, before);
  });
});
