/**
 * Registries that want a login, through the CLI: `build pack` pushing to one, and a hook whose FROM image is in one,
 * with the credentials of Docker's client config (DOCKER_CONFIG), without them, and with a broken config. The
 * registry is docker-registry with htpasswd on 127.0.0.1; the engine pushes to it and pulls from it for real.
 */
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Label } from '../../src/docker/labels.js';
import { describeDocker, removeTempDirs, sweepAfterSuite, tempDir, uniqueRunId } from '../helpers/docker.js';
import { serviceConfig, serviceRepo } from '../helpers/phase-repo.js';
import { engineApi } from '../helpers/engine-api.js';
import { hookRepo } from '../helpers/hook-repo.js';
import { failureText, runPorter, summaryRow } from '../helpers/porter-cli.js';
import { dockerConfigFor, REGISTRY_PASSWORD, REGISTRY_USER, registryAuthorization, startRegistry } from '../helpers/registry.js';

const service = uniqueRunId();
const labels = { [Label.service]: service };
let registry: Awaited<ReturnType<typeof startRegistry>> | undefined;

after(async () => {
  await registry?.stop();
  await removeTempDirs();
});

async function repoPushingTo(addr: string): Promise<string> {
  const environments = ['- name: Stage', `  registry: ${addr}/team`, '  regions:', '  - name: local', '    containers:', '    - name: web', '      topology: worker', ''].join('\n');
  return serviceRepo({ '.porter/config': serviceConfig(service, '', environments), Dockerfile: 'FROM busybox:latest\nCMD ["true"]\n' });
}

await describeDocker('registries that want a login', (engine) => {
  before(async () => {
    registry = await startRegistry();
  });

  sweepAfterSuite(labels);

  test('without credentials the registry refuses the push: exit 1, saying porter pushed without them and where it looked', { timeout: 60_000 }, async () => {
    const repo = await repoPushingTo(registry?.addr ?? '');
    const empty = await tempDir('porter-docker-config-test-');
    const r = await runPorter(repo, ['build', 'pack'], { DOCKER_CONFIG: empty });
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.equal(summaryRow(r.stdout, 'pack web')?.status, 'failed', r.stdout);
    const text = failureText(r.stdout, 'pack web');
    assert.match(text, /pushing .*\/team\/.*-web:unversioned to the registry .* failed: .*(no basic auth credentials|unauthorized)/i, text);
    assert.ok(text.includes(`porter pushed without credentials (${join(empty, 'config.json')} has none for it; log in with docker login, or set DOCKER_CONFIG)`), text);
  });

  test('with a login in DOCKER_CONFIG the push succeeds, by digest, and the password appears nowhere', { timeout: 60_000 }, async () => {
    const addr = registry?.addr ?? '';
    const repo = await repoPushingTo(addr);
    const r = await runPorter(repo, ['build', 'pack'], { DOCKER_CONFIG: await dockerConfigFor(addr) });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const manifest = JSON.parse(await readFile(join(repo, '.porter-tmp', 'manifest.json'), 'utf8')) as { images: { pushed?: { registry: string; ref: string }[] }[] };
    const pushed = manifest.images[0]?.pushed ?? [];
    assert.equal(pushed.length, 1, JSON.stringify(manifest));
    assert.equal(pushed[0]?.registry, `${addr}/team`);
    assert.match(pushed[0]?.ref ?? '', new RegExp(`^${addr.replaceAll('.', '\\.')}/team/${service}-web@sha256:[0-9a-f]{64}$`));
    const tags = await fetch(`http://${addr}/v2/team/${service}-web/tags/list`, { headers: { Authorization: registryAuthorization } }).then((x) => x.json()) as { tags?: string[] };
    assert.deepEqual(tags.tags, ['unversioned']);
    assert.ok(!(r.stdout + r.stderr).includes(REGISTRY_PASSWORD));
  });

  test('a broken client config is exit 2 before anything is built, naming the file', { timeout: 60_000 }, async () => {
    const repo = await repoPushingTo(registry?.addr ?? '');
    const broken = await tempDir('porter-docker-config-test-');
    await writeFile(join(broken, 'config.json'), '{"auths": {');
    const r = await runPorter(repo, ['build', 'pack'], { DOCKER_CONFIG: broken });
    assert.equal(r.code, 2, r.stdout + r.stderr);
    assert.ok((r.stdout + r.stderr).includes(`Cannot read Docker's client config ${join(broken, 'config.json')}`), r.stdout + r.stderr);
    assert.equal(summaryRow(r.stdout, 'pack web'), undefined, 'nothing was built');
  });

  test('a hook FROM an image in such a registry builds with the login of DOCKER_CONFIG; without it, the build fails as the hook\'s', { timeout: 90_000 }, async () => {
    const addr = registry?.addr ?? '';
    const base = `${addr}/${service}-base/busybox`;
    const untag = (): Promise<unknown> => engineApi('DELETE', `/images/${encodeURIComponent(`${base}:1`)}?noprune=1`);
    await engine.tagImage('busybox:latest', base, '1');
    await engine.pushImage(base, '1', { username: REGISTRY_USER, password: REGISTRY_PASSWORD, serveraddress: addr }, () => undefined, new AbortController().signal);
    try {
      const repo = await hookRepo(`service_name: ${service}\nhooks:\n  check:\n  - name: private-base\n    dockerfile: .porter/hooks/private/Dockerfile\n`, {
        '.porter/hooks/private/Dockerfile': `FROM ${base}:1\nCMD ["echo", "built on the private base"]\n`,
      });
      // Only the registry has the base image now: the build must pull it.
      await untag();
      const without = await runPorter(repo, ['build', 'hook', '-name', 'check'], { DOCKER_CONFIG: await tempDir('porter-docker-config-test-') });
      assert.equal(without.code, 1, without.stdout + without.stderr);
      assert.match(failureText(without.stdout, 'check private-base'), /failed to build: .*(no basic auth credentials|unauthorized|authentication required)/i, without.stdout);

      const logged = await runPorter(repo, ['build', 'hook', '-name', 'check'], { DOCKER_CONFIG: await dockerConfigFor(addr) });
      assert.equal(logged.code, 0, logged.stdout + logged.stderr);
      assert.match(logged.stdout, /\[check private-base\] built on the private base/);
      assert.ok(!(logged.stdout + logged.stderr).includes(REGISTRY_PASSWORD));
    } finally {
      await untag();
    }
  });
});
