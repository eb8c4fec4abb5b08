import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import type { EnvironmentConfig, PorterConfig } from '../../src/config/types.js';
import { StateError, UsageError } from '../../src/errors.js';
import { argsWithoutValue, buildArgsFor, declaredArgs } from '../../src/phases/dockerfile-args.js';
import { imageTag, packedImages } from '../../src/phases/images.js';
import { chooseEnvironment } from '../../src/phases/regions.js';
import { newStackId, networkName, stackContainerName } from '../../src/phases/stack-names.js';
import { readManifest, readProvisionState, recordProvision, requireManifest, type ProvisionRecord } from '../../src/phases/state.js';
import { removeTempDirs, tempDir } from '../helpers/temp-dirs.js';

after(removeTempDirs);

const env = (name: string, containers: Array<{ name: string; dockerfile?: string; build?: string }> = []): EnvironmentConfig => ({
  name, line: 1, hotSwap: false, blackoutWindows: [],
  regions: [{
    name: 'local', orchestrator: 'engine', line: 2,
    containers: containers.map((c, i) => ({
      name: c.name, topology: 'worker', dockerfile: c.dockerfile ?? 'Dockerfile', ...(c.build ? { dockerfileBuild: c.build } : {}),
      healthCheck: { method: 'GET', path: '/health', timeoutMs: 1000 }, replicas: 1, uid: 65534, readOnly: true, pidsLimit: 4096, capAdd: [], validateBuildArgsExist: false, line: 10 + i,
    })),
  }],
});
const config = (environments: EnvironmentConfig[]): PorterConfig => ({ file: '.porter/config', serviceName: 'hello', dockerName: 'hello', hooks: {}, environments, ignoredKeys: [] });

const record = (environment: string, stackId: string): ProvisionRecord => ({
  environment, stackId, version: 'v1', created: '2026-01-01T00:00:00.000Z',
  regions: [{ region: 'local', stackId, url: 'http://127.0.0.1:4000', containers: [{ name: `hello-${stackId}-local-web`, id: 'abc', url: 'http://127.0.0.1:4000' }] }],
});

describe('.porter-tmp state files', { timeout: 5_000 }, () => {
  test('nothing packed: provision is told to run pack first (exit 2)', async () => {
    const dir = await tempDir();
    assert.equal(await readManifest(dir), undefined);
    await assert.rejects(requireManifest(dir, 'porter build provision -e Stage'), (err: unknown) => {
      assert.ok(err instanceof StateError);
      assert.equal(err.exitCode, 2);
      assert.match(err.message, /Nothing is packed in this workspace .*Run `porter build pack` first, then `porter build provision -e Stage`/);
      return true;
    });
  });

  test('provision.json keeps each environment\'s newest stack and which environment was provisioned last', async () => {
    const dir = await tempDir();
    assert.deepEqual(await readProvisionState(dir), { environments: {} });
    await recordProvision(dir, record('Stage', 's1'));
    await recordProvision(dir, record('Prod', 'p1'));
    await recordProvision(dir, record('Stage', 's2'));
    const state = await readProvisionState(dir);
    assert.equal(state.last, 'Stage');
    assert.equal(state.environments.Stage?.stackId, 's2');
    assert.equal(state.environments.Prod?.stackId, 'p1');
    assert.equal(JSON.parse(await readFile(join(dir, 'provision.json'), 'utf8')).environments.Stage.regions[0].url, 'http://127.0.0.1:4000');
  });

  test('a state file that is not JSON is a clear exit-2 error, not a crash', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'provision.json'), '{ half');
    await assert.rejects(readProvisionState(dir), (err: unknown) => err instanceof StateError && /provision\.json is not valid JSON/.test(err.message));
    await writeFile(join(dir, 'manifest.json'), '{"version": 3}');
    await assert.rejects(readManifest(dir), (err: unknown) => err instanceof StateError && /is not a porter manifest/.test(err.message));
  });
});

describe('choosing the environment of promote and prune', { timeout: 5_000 }, () => {
  const two = config([env('Stage'), env('Prod')]);
  test('-e wins; else the one last provisioned here; else the only one; else exit 2 listing them', () => {
    assert.equal(chooseEnvironment(two, 'Prod', { last: 'Stage', environments: {} }, 'promote').name, 'Prod');
    assert.equal(chooseEnvironment(two, undefined, { last: 'Prod', environments: {} }, 'promote').name, 'Prod');
    assert.equal(chooseEnvironment(config([env('Stage')]), undefined, { environments: {} }, 'prune').name, 'Stage');
    assert.throws(() => chooseEnvironment(two, undefined, { environments: {} }, 'promote'), (err: unknown) =>
      err instanceof UsageError && /porter build promote needs -e ENV: .*defines Stage, Prod/.test(err.message));
    assert.throws(() => chooseEnvironment(two, 'stage', { environments: {} }, 'promote'), /Unknown environment "stage".*Did you mean -e Stage\?/);
  });
});

describe('what pack builds', { timeout: 5_000 }, () => {
  test('one image per container name across environments, tagged <service>-<container>:<version>', () => {
    const specs = packedImages(config([env('Stage', [{ name: 'web' }, { name: 'app', build: 'Dockerfile.build' }]), env('Prod', [{ name: 'web' }])]), 'abc1234');
    assert.deepEqual(specs, [
      { container: 'web', dockerfile: 'Dockerfile', tag: 'hello-web:abc1234', needsPort: false, validateBuildArgs: false },
      { container: 'app', dockerfile: 'Dockerfile', dockerfileBuild: 'Dockerfile.build', tag: 'hello-app:abc1234', needsPort: false, validateBuildArgs: false },
    ]);
    assert.equal(imageTag('hello', 'web', 'unversioned'), 'hello-web:unversioned');
    // The original allowed upper case in service_name: Docker names are lower-cased.
    assert.equal(imageTag('Sample-Svc', 'web', 'v1'), 'sample-svc-web:v1');
  });

  test('one name built from two Dockerfiles is a usage error naming both places', () => {
    assert.throws(() => packedImages(config([env('Stage', [{ name: 'web' }]), env('Prod', [{ name: 'web', dockerfile: 'web/Dockerfile' }])]), 'v'), (err: unknown) =>
      err instanceof UsageError && /container "web" is built from Dockerfile in Stage\/local \(line 10\) but from web\/Dockerfile in Prod\/local/.test(err.message));
  });

  test('build args: the ARGs a Dockerfile declares that the environment has, continuation lines and comments included', () => {
    const dockerfile = ['# ARG COMMENTED', 'FROM busybox', 'arg GREETING', 'ARG A=1 \\', '    B', 'ARG PORTER_SERVICE_VERSION=dev', 'RUN echo $GREETING'].join('\n');
    assert.deepEqual(declaredArgs(dockerfile), ['GREETING', 'A', 'B', 'PORTER_SERVICE_VERSION']);
    assert.deepEqual(buildArgsFor(dockerfile, { GREETING: 'hi', B: '', PORTER_SERVICE_VERSION: '3fa2c1d', COMMENTED: 'x', PATH: '/bin' }), { GREETING: 'hi', B: '', PORTER_SERVICE_VERSION: '3fa2c1d' });
    // validate_build_args_exist: an ARG with neither a default nor a value (an empty value counts as one).
    assert.deepEqual(argsWithoutValue(dockerfile, { B: '' }), ['GREETING']);
  });

  test('names on the engine', () => {
    assert.equal(networkName('hello', 'Stage'), 'porter-hello-Stage');
    assert.equal(newStackId('3fa2c1d', 1_700_000_000_000), '3fa2c1d-loyw3v28');
    assert.equal(stackContainerName('hello', 's1', 'local', 'web', 1, 1), 'hello-s1-local-web');
    assert.equal(stackContainerName('hello', 's1', 'local', 'web', 2, 3), 'hello-s1-local-web-2');
  });
});
