/** Registry credentials from Docker's client config: auths entries, credential helpers (real programs on PATH), broken configs. */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { authsKeyHost, buildLogins, commandLogins, registryAuth, registryHost } from '../../src/docker/registry-auth.js';
import { PorterError } from '../../src/errors.js';
import { removeTempDirs, tempDir, writeTree } from '../helpers/temp-dirs.js';

const never = new AbortController().signal;
const b64 = (text: string): string => Buffer.from(text).toString('base64');

after(() => removeTempDirs());

/** A DOCKER_CONFIG directory holding `config` (JSON, or text as given) and a bin/ of credential helpers for PATH. */
async function dockerConfig(config: unknown, helpers: Record<string, string> = {}): Promise<{ env: Record<string, string>; dir: string }> {
  const dir = await tempDir('porter-registry-auth-test-');
  const files: Parameters<typeof writeTree>[1] = { 'config.json': typeof config === 'string' ? config : JSON.stringify(config) };
  for (const [name, script] of Object.entries(helpers)) files[`bin/docker-credential-${name}`] = { content: `#!/bin/sh\n${script}`, mode: 0o755 };
  await writeTree(dir, files);
  return { dir, env: { DOCKER_CONFIG: dir, PATH: `${join(dir, 'bin')}:${process.env.PATH ?? ''}` } };
}

/** The exit code and message of a rejection, for a UsageError's assertions. */
async function failure(p: Promise<unknown>): Promise<{ code: number; message: string }> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof PorterError, String(err));
    return { code: err.exitCode, message: err.message };
  }
  assert.fail('expected a rejection');
}

describe('registryHost and authsKeyHost', () => {
  it('names the host Docker keys credentials by, Docker Hub for bare names and docker.io', () => {
    assert.equal(registryHost('registry.example.com:5000/team'), 'registry.example.com:5000');
    assert.equal(registryHost('localhost:5000/a/b'), 'localhost:5000');
    assert.equal(registryHost('localhost/x'), 'localhost');
    assert.equal(registryHost('10.250.3.1:5000'), '10.250.3.1:5000');
    for (const hub of ['team', 'docker.io/team', 'index.docker.io/team', 'registry-1.docker.io/team']) assert.equal(registryHost(hub), 'index.docker.io', hub);
  });

  it('compares auths keys without scheme and path', () => {
    assert.equal(authsKeyHost('https://index.docker.io/v1/'), 'index.docker.io');
    assert.equal(authsKeyHost('http://reg.example:5000'), 'reg.example:5000');
    assert.equal(authsKeyHost('reg.example'), 'reg.example');
  });
});

describe('registryAuth', () => {
  it('no config file, or no entry for the host: no credentials', async () => {
    const dir = await tempDir('porter-registry-auth-test-');
    assert.equal(await registryAuth('reg.example/team', { DOCKER_CONFIG: dir }, never), undefined);
    const { env } = await dockerConfig({ auths: { 'other.example': { auth: b64('u:p') } } });
    assert.equal(await registryAuth('reg.example/team', env, never), undefined);
  });

  it('an auths entry: user and password from its base64, whatever the key\'s scheme and path; the password is a secret', async () => {
    const { env, dir } = await dockerConfig({ auths: { 'https://reg.example:5000/v2/': { auth: b64('ci-bot:pa:ss') } } });
    const found = await registryAuth('reg.example:5000/team/app', env, never);
    assert.deepEqual(found?.auth, { username: 'ci-bot', password: 'pa:ss', serveraddress: 'reg.example:5000' });
    assert.equal(found?.from, `${join(dir, 'config.json')} (auths."https://reg.example:5000/v2/")`);
    assert.ok(found?.secrets.includes('pa:ss'));
  });

  it('Docker Hub\'s entry, and an identity token', async () => {
    const { env } = await dockerConfig({ auths: { 'https://index.docker.io/v1/': { identitytoken: 'tok-123' } } });
    assert.deepEqual((await registryAuth('docker.io/team', env, never))?.auth, { identitytoken: 'tok-123', serveraddress: 'https://index.docker.io/v1/' });
  });

  it('HOME/.docker/config.json without DOCKER_CONFIG', async () => {
    const home = await tempDir('porter-registry-auth-test-');
    await writeTree(home, { '.docker/config.json': JSON.stringify({ auths: { 'reg.example': { username: 'u', password: 'p' } } }) });
    assert.deepEqual((await registryAuth('reg.example', { HOME: home }, never))?.auth, { username: 'u', password: 'p', serveraddress: 'reg.example' });
  });

  it('a credHelpers entry wins over auths: the helper is asked with `get` and the server on stdin', async () => {
    const { env, dir } = await dockerConfig(
      { auths: { 'reg.example': { auth: b64('file:user') } }, credHelpers: { 'reg.example': 'fake' } },
      { fake: `read -r server || true\necho "$1 $server" > "$DOCKER_CONFIG/asked"\nprintf '{"ServerURL":"%s","Username":"helper-user","Secret":"helper-secret"}' "$server"\n` },
    );
    const found = await registryAuth('reg.example/team', env, never);
    assert.deepEqual(found?.auth, { username: 'helper-user', password: 'helper-secret', serveraddress: 'reg.example' });
    assert.equal((await readFile(join(dir, 'asked'), 'utf8')).trim(), 'get reg.example');
    assert.deepEqual(found?.secrets, ['helper-secret']);
    assert.match(found?.from ?? '', /^docker-credential-fake \(named in .*config\.json\)$/);
  });

  it('the credsStore for every host; its "<token>" user is an identity token; "credentials not found" is none', async () => {
    const { env } = await dockerConfig({ credsStore: 'store' }, {
      store: 'read -r server || true\ncase "$server" in\n  tok.example) echo \'{"Username":"<token>","Secret":"id-token"}\' ;;\n  *) echo "credentials not found in native keychain"; exit 1 ;;\nesac\n',
    });
    assert.deepEqual((await registryAuth('tok.example/x', env, never))?.auth, { identitytoken: 'id-token', serveraddress: 'tok.example' });
    assert.equal(await registryAuth('none.example/x', env, never), undefined);
  });

  it('values of the wrong type in a hand-edited config are no credentials, never a crash', async () => {
    const { env } = await dockerConfig({ auths: { 'a.example': null, 'b.example': { auth: 5, password: ['x'] } }, credHelpers: { 'c.example': 3 }, credsStore: 7 });
    for (const host of ['a.example', 'b.example', 'c.example']) assert.equal(await registryAuth(host, env, never), undefined, host);
    assert.deepEqual(await buildLogins(env, never), { configs: {}, secrets: [], warnings: [] });
    const { env: arrays } = await dockerConfig({ auths: ['a.example'], credHelpers: 'nope' });
    assert.equal(await registryAuth('a.example', arrays, never), undefined);
  });

  it('a broken config, a bad auth value, a missing or failing helper: exit 2, naming the file or the helper', async () => {
    const broken = await dockerConfig('{"auths": ');
    const a = await failure(registryAuth('reg.example', broken.env, never));
    assert.equal(a.code, 2);
    assert.match(a.message, new RegExp(`^Cannot read Docker's client config ${join(broken.dir, 'config.json')} \\(.+\\), where porter looks for the credentials of the registry reg\\.example\\. `));

    const bad = await dockerConfig({ auths: { 'reg.example': { auth: b64('no-colon') } } });
    assert.match((await failure(registryAuth('reg.example', bad.env, never))).message, /credentials for the registry reg\.example in .* are not base64 of "user:password"/);

    const missing = await dockerConfig({ credHelpers: { 'reg.example': 'absent' } });
    const m = await failure(registryAuth('reg.example', missing.env, never));
    assert.equal(m.code, 2);
    assert.match(m.message, /there is no docker-credential-absent on PATH\. .*names the credential helper "absent" for it/);

    const failing = await dockerConfig({ credHelpers: { 'reg.example': 'sad' } }, { sad: 'echo "token expired; run aws sso login" >&2\nexit 3\n' });
    assert.match((await failure(registryAuth('reg.example', failing.env, never))).message, /docker-credential-sad failed: token expired; run aws sso login\./);
  });
});

describe('buildLogins', () => {
  it('no config: nothing to send', async () => {
    assert.deepEqual(await buildLogins({ DOCKER_CONFIG: await tempDir('porter-registry-auth-test-') }, never), { configs: {}, secrets: [], warnings: [] });
  });

  it('every login, as docker build sends them: auths entries, what the store lists, each credHelpers host (a helper wins)', async () => {
    const { env } = await dockerConfig(
      {
        auths: { 'https://index.docker.io/v1/': { auth: b64('hub:hub-pw') }, 'a.example': { auth: b64('file:file-pw') }, 'empty.example': {} },
        credsStore: 'store',
        credHelpers: { 'a.example': 'one' },
      },
      {
        store: [
          `[ "$1" = list ] && { echo '{"https://b.example/v2/":"bob"}'; exit 0; }`,
          'read -r s || true',
          `[ "$s" = b.example ] && echo '{"Username":"bob","Secret":"b-pw"}' && exit 0`,
          'echo "credentials not found"; exit 1',
          '',
        ].join('\n'),
        one: `read -r s || true\necho "{\\"Username\\":\\"<token>\\",\\"Secret\\":\\"tok-$s\\"}"\n`,
      },
    );
    const found = await buildLogins(env, never);
    assert.deepEqual(found.configs, {
      'https://index.docker.io/v1/': { username: 'hub', password: 'hub-pw', serveraddress: 'https://index.docker.io/v1/' },
      'a.example': { identitytoken: 'tok-a.example', serveraddress: 'a.example' },
      'b.example': { username: 'bob', password: 'b-pw', serveraddress: 'b.example' },
    });
    for (const secret of ['hub-pw', 'file-pw', 'tok-a.example', 'b-pw']) assert.ok(found.secrets.includes(secret), secret);
    assert.deepEqual(found.warnings, []);
  });

  it('a failing helper costs only its own hosts, with a warning; a broken config is exit 2', async () => {
    const { env } = await dockerConfig({ auths: { 'a.example': { auth: b64('u:p') } }, credHelpers: { 'b.example': 'absent', 'c.example': 'sad' } }, { sad: 'echo not today >&2\nexit 1\n' });
    const found = await buildLogins(env, never);
    assert.deepEqual(Object.keys(found.configs), ['a.example']);
    assert.equal(found.warnings.length, 2, found.warnings.join('\n'));
    assert.match(found.warnings[0] ?? '', /names the credential helper "absent" for b\.example, and there is no docker-credential-absent on PATH; builds pull from b\.example without a login\.$/);
    assert.match(found.warnings[1] ?? '', /docker-credential-sad failed: not today; builds pull from c\.example without a login\.$/);
    const broken = await dockerConfig('[]');
    const f = await failure(buildLogins(broken.env, never));
    assert.equal(f.code, 2);
    assert.match(f.message, /\(not a JSON object\), where porter looks for the credentials of the registries of a Dockerfile's FROM images\./);
  });
});

describe('commandLogins', () => {
  it('asks a helper once for builds and once per registry, however often they ask; each lookup\'s secrets and the warning reported once', async () => {
    const { env, dir } = await dockerConfig(
      { credHelpers: { 'reg.example': 'counted', 'bad.example': 'sad' } },
      { counted: 'echo "$1" >> "$DOCKER_CONFIG/calls"\necho \'{"Username":"u","Secret":"s3cret"}\'\n', sad: 'exit 1\n' },
    );
    const secrets: string[] = [];
    const warnings: string[] = [];
    const logins = commandLogins(env, never, (found) => secrets.push(...found), (text) => warnings.push(text));
    const [a, b] = await Promise.all([logins.forRegistry('reg.example/team'), logins.forRegistry('reg.example/team')]);
    assert.equal(a, b);
    assert.deepEqual(a?.auth, { username: 'u', password: 's3cret', serveraddress: 'reg.example' });
    await Promise.all([logins.forBuilds(), logins.forBuilds()]);
    assert.deepEqual(Object.keys(await logins.forBuilds()), ['reg.example']);
    assert.deepEqual((await readFile(join(dir, 'calls'), 'utf8')).trim().split('\n'), ['get', 'get'], 'one get for the registry, one for the builds');
    assert.deepEqual(secrets, ['s3cret', 's3cret']);
    assert.equal(warnings.length, 1, warnings.join('\n'));
  });
});
