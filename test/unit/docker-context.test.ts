/** Which engine a docker CLI context names, read from a context store laid out as `docker context create` leaves it. */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { withDockerContext } from '../../src/docker/docker-context.js';
import { removeTempDirs, tempDir, writeTree } from '../helpers/temp-dirs.js';

after(() => removeTempDirs());

const id = (name: string): string => createHash('sha256').update(name).digest('hex');

/** A DOCKER_CONFIG directory with `config` and contexts (name → Docker endpoint host; `tls` adds its TLS files). */
async function store(config: object, contexts: Record<string, { host?: string; tls?: boolean }>): Promise<string> {
  const dir = await tempDir('porter-docker-context-test-');
  const files: Record<string, string> = { 'config.json': JSON.stringify(config) };
  for (const [name, c] of Object.entries(contexts)) {
    files[`contexts/meta/${id(name)}/meta.json`] = JSON.stringify({ Name: name, Metadata: {}, Endpoints: c.host ? { docker: { Host: c.host, SkipTLSVerify: false } } : {} });
    if (c.tls) for (const f of ['ca.pem', 'cert.pem', 'key.pem']) files[`contexts/tls/${id(name)}/docker/${f}`] = 'pem\n';
  }
  await writeTree(dir, files);
  return dir;
}

describe('withDockerContext', () => {
  it('the current context of config.json gives DOCKER_HOST; DOCKER_CONTEXT chooses another', async () => {
    const dir = await store({ currentContext: 'colima' }, { colima: { host: 'unix:///home/u/.colima/docker.sock' }, remote: { host: 'tcp://10.0.0.5:2375' } });
    assert.deepEqual(withDockerContext(undefined, { DOCKER_CONFIG: dir }), { env: { DOCKER_CONFIG: dir, DOCKER_HOST: 'unix:///home/u/.colima/docker.sock' }, context: 'colima' });
    assert.equal((withDockerContext(undefined, { DOCKER_CONFIG: dir, DOCKER_CONTEXT: 'remote' }) as { env: Record<string, string> }).env.DOCKER_HOST, 'tcp://10.0.0.5:2375');
  });

  it('docker_host, DOCKER_HOST, the default context and no config leave the environment alone', async () => {
    const dir = await store({ currentContext: 'colima' }, { colima: { host: 'unix:///x.sock' } });
    for (const [dockerHost, env] of [
      ['tcp://h:2375', { DOCKER_CONFIG: dir }], [undefined, { DOCKER_CONFIG: dir, DOCKER_HOST: 'unix:///y.sock' }],
      [undefined, { DOCKER_CONFIG: dir, DOCKER_CONTEXT: 'default' }], [undefined, { DOCKER_CONFIG: await tempDir('porter-docker-context-test-') }],
    ] as const) {
      assert.deepEqual(withDockerContext(dockerHost, { ...env }), { env }, JSON.stringify(env));
    }
  });

  it('a context with TLS files: DOCKER_CERT_PATH at them and DOCKER_TLS_VERIFY', async () => {
    const dir = await store({}, { secure: { host: 'tcp://engine.example:2376', tls: true } });
    const env = (withDockerContext(undefined, { DOCKER_CONFIG: dir, DOCKER_CONTEXT: 'secure' }) as { env: Record<string, string> }).env;
    assert.equal(env.DOCKER_CERT_PATH, `${dir}/contexts/tls/${id('secure')}/docker`);
    assert.equal(env.DOCKER_TLS_VERIFY, '1');
  });

  it('a context that does not exist, or names no engine: the reason, naming where it was named and looked for', async () => {
    const dir = await store({ currentContext: 'gone' }, { empty: {} });
    assert.deepEqual(withDockerContext(undefined, { DOCKER_CONFIG: dir }), {
      problem: `${dir}/config.json makes "gone" the current docker context, but there is no such context in ${dir}/contexts. List them with docker context ls; or set DOCKER_HOST`,
    });
    assert.deepEqual(withDockerContext(undefined, { DOCKER_CONFIG: dir, DOCKER_CONTEXT: 'empty' }), { problem: 'DOCKER_CONTEXT names the docker context "empty", but it names no Docker endpoint. Set DOCKER_HOST' });
  });
});
