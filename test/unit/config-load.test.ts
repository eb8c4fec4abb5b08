import assert from 'node:assert/strict';
import { mkdir, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { loadConfig, readDotEnv } from '../../src/config/load.js';
import { UsageError } from '../../src/errors.js';
import { configProblems, problemAt, removeTempRepos, tempRepo } from '../fixtures/config/temp-repo.js';

after(removeTempRepos);

const MINIMAL = 'service_name: hello\n';

function billionLaughs(): string {
  let text = 'service_name: hello\nx-a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n';
  const names = 'bcdefghij';
  let prev = 'a';
  for (const n of names) {
    text += `x-${n}: &${n} [${Array(10).fill(`*${prev}`).join(', ')}]\n`;
    prev = n;
  }
  return text;
}

describe('loadConfig: the file', () => {
  it('reads .porter/config from the repo by default and names it so', async () => {
    const repo = await tempRepo({ '.porter/config': MINIMAL });
    const config = await loadConfig({ repoDir: repo, env: {} });
    assert.equal(config.file, '.porter/config');
    assert.equal(config.serviceName, 'hello');
    assert.deepEqual(config.environments, []);
    assert.deepEqual(Object.keys(config.hooks), []);
  });

  it('takes --config relative to the repo or absolute', async () => {
    const repo = await tempRepo({ 'ci/porter.yml': 'service_name: relative\n' });
    assert.equal((await loadConfig({ repoDir: repo, configPath: 'ci/porter.yml', env: {} })).serviceName, 'relative');
    const abs = join(repo, 'ci/porter.yml');
    const config = await loadConfig({ repoDir: '/nonexistent-repo-dir', configPath: abs, env: {} });
    assert.equal(config.file, abs);
  });

  it('says where it looked and how to pass --config when there is no config', async () => {
    const repo = await tempRepo();
    await assert.rejects(loadConfig({ repoDir: repo, env: {} }), (err: unknown) => {
      assert.ok(err instanceof UsageError);
      assert.equal(err.exitCode, 2);
      assert.ok(err.message.includes(join(repo, '.porter/config')), err.message);
      assert.match(err.message, /--config PATH/);
      assert.match(err.message, /-C DIR/);
      return true;
    });
    await assert.rejects(loadConfig({ repoDir: repo, configPath: 'nope.yml', env: {} }), (err: unknown) => {
      assert.ok(err instanceof UsageError);
      assert.ok(err.message.includes(join(repo, 'nope.yml')), err.message);
      return true;
    });
  });

  it('refuses a directory as the config', async () => {
    const repo = await tempRepo();
    await mkdir(join(repo, '.porter/config'), { recursive: true });
    await assert.rejects(loadConfig({ repoDir: repo, env: {} }), (err: unknown) => err instanceof UsageError && /is a directory/.test(err.message));
  });

  it('refuses an empty file, and one holding only comments', async () => {
    for (const text of ['', '  \n\n', '# nothing yet\n']) {
      const repo = await tempRepo({ '.porter/config': text });
      const problems = await configProblems(loadConfig({ repoDir: repo, env: {} }));
      assert.equal(problems.length, 1);
      assert.match(problems[0]?.message ?? '', /is empty; write at least "service_name: NAME"/);
      assert.equal(problems[0]?.file, '.porter/config');
    }
  });

  it('refuses a 10 MB file before parsing it', { timeout: 5000 }, async () => {
    const repo = await tempRepo({ '.porter/config': `service_name: hello\n${'# padding padding padding\n'.repeat(400_000)}` });
    const problems = await configProblems(loadConfig({ repoDir: repo, env: {} }));
    assert.match(problems[0]?.message ?? '', /larger than 1 MiB/);
  });

  it('refuses text that is not UTF-8', async () => {
    const repo = await tempRepo({ '.porter/config': Buffer.from([0x73, 0x3a, 0x20, 0xff, 0xfe, 0x0a]) });
    const problems = await configProblems(loadConfig({ repoDir: repo, env: {} }));
    assert.match(problems[0]?.message ?? '', /not valid UTF-8/);
  });
});

describe('loadConfig: YAML', () => {
  it('reports a syntax error with its line', async () => {
    const repo = await tempRepo({ '.porter/config': 'service_name: hello\nhooks:\n  pre_pack: [\n' });
    const problems = await configProblems(loadConfig({ repoDir: repo, env: {} }));
    assert.ok(problems.length >= 1);
    assert.ok(problems.every((p) => p.line >= 3 && /fix the YAML syntax here/.test(p.message)), JSON.stringify(problems));
  });

  it('says to quote ${...} inside a flow collection', async () => {
    const repo = await tempRepo({ '.porter/config': 'service_name: hello\nx-env: {A: ${A:-x}}\n' });
    const problems = await configProblems(loadConfig({ repoDir: repo, env: {} }));
    assert.equal(problems.length, 1);
    assert.equal(problems[0]?.line, 2);
    assert.match(problems[0]?.message ?? '', /Inside \[ \] or \{ \}, quote values that contain \{ \} \[ \] or commas, such as "\$\{VAR:-x\}"\.$/);
  });

  it('reports a repeated key with the line of the repeat', async () => {
    const repo = await tempRepo({ '.porter/config': 'service_name: a\nhooks: {}\nservice_name: b\n' });
    const problems = await configProblems(loadConfig({ repoDir: repo, env: {} }));
    assert.deepEqual(problems.map((p) => p.line), [3]);
    assert.match(problems[0]?.message ?? '', /keys must be unique/);
  });

  it('refuses a second document and a tab indent', async () => {
    const repo = await tempRepo({ '.porter/config': 'service_name: a\n---\nservice_name: b\n' });
    const problems = await configProblems(loadConfig({ repoDir: repo, env: {} }));
    assert.match(problems[0]?.message ?? '', /more than one YAML document/);
    const tabs = await tempRepo({ '.porter/config': 'service_name: a\nhooks:\n\tpre_pack: []\n' });
    assert.ok((await configProblems(loadConfig({ repoDir: tabs, env: {} }))).some((p) => p.line === 3));
  });

  it('rejects a billion-laughs document at once', { timeout: 1000 }, async () => {
    const repo = await tempRepo({ '.porter/config': billionLaughs() });
    const problems = await configProblems(loadConfig({ repoDir: repo, env: {} }));
    assert.match(problems[0]?.message ?? '', /aliases that expand too far/);
  });

  it('resolves anchors, aliases and << merge keys, explicit keys winning', async () => {
    const text = [
      'service_name: hello',
      'x-env: &env {A: "1", B: "2"}',
      'hooks:',
      '  pre_pack:',
      '  - &lint {dockerfile: Dockerfile, environment: {<<: *env, B: "3"}}',
      '  - *lint',
    ].join('\n');
    const repo = await tempRepo({ '.porter/config': text, Dockerfile: 'FROM alpine\n' });
    const config = await loadConfig({ repoDir: repo, env: {} });
    const hooks = config.hooks.pre_pack ?? [];
    assert.equal(hooks.length, 2);
    assert.deepEqual(hooks[1]?.environment, [{ key: 'A', value: '1' }, { key: 'B', value: '3' }]);
    assert.equal(hooks[1]?.id, 'pre_pack[1]');
  });

  it('refuses an alias of a node that contains it', async () => {
    const repo = await tempRepo({ '.porter/config': 'service_name: a\nx-loop: &loop\n  self: *loop\n' });
    const problems = await configProblems(loadConfig({ repoDir: repo, env: {} }));
    assert.ok(problems.some((p) => /alias \*loop/.test(p.message)), JSON.stringify(problems));
  });
});

describe('loadConfig: variables', () => {
  const text = 'service_name: ${SERVICE}\nhooks:\n  pre_pack:\n  - dockerfile: Dockerfile\n    environment:\n      FROM_DOTENV: $ONLY_DOTENV\n      INJECTED: ${INJECT}\n      COST: $$5\n';

  it('takes the process environment first, then .env at the repo root', async () => {
    const repo = await tempRepo({ '.porter/config': text, Dockerfile: 'FROM alpine\n', '.env': 'SERVICE=from-dotenv\nONLY_DOTENV=dot\nINJECT=x\n' });
    const config = await loadConfig({ repoDir: repo, env: { SERVICE: 'from-process' } });
    assert.equal(config.serviceName, 'from-process');
    const env = config.hooks.pre_pack?.[0]?.environment;
    assert.deepEqual(env, [{ key: 'FROM_DOTENV', value: 'dot' }, { key: 'INJECTED', value: 'x' }, { key: 'COST', value: '$5' }]);
  });

  it('expands inside values only, so a variable cannot add YAML structure', async () => {
    const repo = await tempRepo({ '.porter/config': text, Dockerfile: 'FROM alpine\n' });
    const inject = 'x\n      EVIL: injected\nenvironments: [';
    const config = await loadConfig({ repoDir: repo, env: { SERVICE: 'hello', ONLY_DOTENV: 'd', INJECT: inject } });
    assert.deepEqual(config.hooks.pre_pack?.[0]?.environment.map((e) => e.key), ['FROM_DOTENV', 'INJECTED', 'COST']);
    assert.equal(config.hooks.pre_pack?.[0]?.environment[1]?.value, inject);
  });

  it('names an unset variable with its line and key path', async () => {
    const repo = await tempRepo({ '.porter/config': text, Dockerfile: 'FROM alpine\n' });
    const problems = await configProblems(loadConfig({ repoDir: repo, env: { SERVICE: 'hello', INJECT: 'x' } }));
    const p = problemAt(problems, 'hooks.pre_pack[0].environment.FROM_DOTENV');
    assert.equal(p.line, 6);
    assert.match(p.message, /\$\{ONLY_DOTENV\} is not set: .*give a default with \$\{ONLY_DOTENV:-value\}, or write \$\$ for a literal \$/);
  });

  it('reads .env with dotenv, and no .env as none', async () => {
    assert.deepEqual(await readDotEnv(await tempRepo()), {});
    const repo = await tempRepo({ '.env': '# comment\nA=1\nexport B="two words"\nC=\n' });
    assert.deepEqual({ ...(await readDotEnv(repo)) }, { A: '1', B: 'two words', C: '' });
  });

  it('reads a number from an expanded value where the schema wants one', async () => {
    const cfg = 'service_name: hello\nenvironments:\n- name: Stage\n  regions:\n  - name: local\n    containers:\n    - name: web\n      inet_port: ${PORT:-8080}\n      replicas: $REPLICAS\n';
    const repo = await tempRepo({ '.porter/config': cfg });
    const config = await loadConfig({ repoDir: repo, env: { REPLICAS: '3' } });
    const web = config.environments[0]?.regions[0]?.containers[0];
    assert.equal(web?.inetPort, 8080);
    assert.equal(web?.replicas, 3);
    const bad = await configProblems(loadConfig({ repoDir: repo, env: { REPLICAS: 'three' } }));
    assert.match(problemAt(bad, 'environments[0].regions[0].containers[0].replicas').message, /must be a whole number, not a string/);
  });

  it('follows a symlinked .env like any file', async () => {
    const outside = await tempRepo({ 'shared.env': 'SERVICE=linked\n' });
    const repo = await tempRepo({ '.porter/config': 'service_name: $SERVICE\n' });
    await symlink(join(outside, 'shared.env'), join(repo, '.env'));
    assert.equal((await loadConfig({ repoDir: repo, env: {} })).serviceName, 'linked');
  });
});
