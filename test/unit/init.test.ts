import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { makeLookup } from '../../src/config/expand.js';
import { parseConfigText } from '../../src/config/parse.js';
import {
  defaultAnswers, environmentProblem, exposedPort, renderInitConfig, renderSmokeDockerfile, serviceNameFrom, serviceNameProblem,
  SMOKE_DOCKERFILE, withIgnoreEntry, type InitAnswers,
} from '../../src/commands/init-plan.js';
import { DOCKERFILE, removeTempRepos, tempRepo } from '../fixtures/config/temp-repo.js';

after(removeTempRepos);

describe('porter init: defaults', () => {
  it('makes a service name of a package or directory name', () => {
    assert.equal(serviceNameFrom('@acme/Hello World'), 'hello-world');
    assert.equal(serviceNameFrom('my_api'), 'my_api');
    assert.equal(serviceNameFrom('--Weird..Name--'), 'weird-name');
    assert.equal(serviceNameFrom('日本'), 'service');
    assert.equal(serviceNameFrom('x'.repeat(80)).length, 63);
    for (const text of ['@acme/Hello World', '--Weird..Name--', '日本', 'A'.repeat(100), '_x']) assert.equal(serviceNameProblem(serviceNameFrom(text)), undefined, text);
  });

  it('checks names as the schema does', () => {
    assert.equal(serviceNameProblem('Bad Name') !== undefined, true);
    assert.equal(serviceNameProblem('good-name_1'), undefined);
    assert.equal(environmentProblem('Prod'), undefined);
    assert.equal(environmentProblem('-x') !== undefined, true);
  });

  it('reads the first EXPOSEd port', () => {
    assert.equal(exposedPort('FROM node\nexpose 3000/tcp 4000\n'), 3000);
    assert.equal(exposedPort('FROM node\nEXPOSE 8080\n'), 8080);
    assert.equal(exposedPort('FROM node\nEXPOSE 99999\n'), undefined);
    assert.equal(exposedPort('FROM node\n# EXPOSE 80\nEXPOSE $PORT\n'), undefined);
  });

  it('assumes the package name, Stage, and the root Dockerfile as the service when there is one', () => {
    assert.deepEqual(defaultAnswers({ dirName: 'repo', packageName: 'shop' }), { serviceName: 'shop', environment: 'Stage', dockerfileIsService: false });
    assert.deepEqual(defaultAnswers({ dirName: 'Repo', dockerfile: 'FROM x\nEXPOSE 80\n' }), { serviceName: 'repo', environment: 'Stage', dockerfileIsService: true, port: 80 });
  });
});

describe('porter init: the files', () => {
  const variants: InitAnswers[] = [
    { serviceName: 'shop', environment: 'Stage', dockerfileIsService: true, port: 8080 },
    { serviceName: 'shop', environment: 'Prod', dockerfileIsService: true },
    { serviceName: 'shop', environment: 'Stage', dockerfileIsService: false },
  ];

  it('writes a config that porter accepts as it stands, in each variant, with the example list and the editor line', async () => {
    const repo = await tempRepo({ Dockerfile: DOCKERFILE, [SMOKE_DOCKERFILE]: renderSmokeDockerfile() });
    for (const a of variants) {
      const text = renderInitConfig(a, '../node_modules/porter/schema/porter-config.schema.json');
      assert.equal(text.split('\n')[0], '# yaml-language-server: $schema=../node_modules/porter/schema/porter-config.schema.json');
      const config = await parseConfigText(text, '.porter/config', repo, makeLookup({}, {}));
      assert.equal(config.serviceName, 'shop');
      assert.deepEqual(Object.keys(config.hooks), ['smoke']);
      assert.equal(config.hooks.smoke?.[0]?.dockerfile, SMOKE_DOCKERFILE);
      const env = config.environments[0];
      assert.equal(env?.name, a.environment);
      const containers = env?.regions[0]?.containers ?? [];
      assert.equal(containers.length, a.dockerfileIsService ? 1 : 0);
      if (a.port) assert.equal(containers[0]?.inetPort, a.port);
    }
  });

  it('adds .porter-tmp/ to an ignore file once, keeping what is there', () => {
    assert.equal(withIgnoreEntry(undefined, '.porter-tmp/'), '.porter-tmp/\n');
    assert.equal(withIgnoreEntry('node_modules', '.porter-tmp/'), 'node_modules\n.porter-tmp/\n');
    assert.equal(withIgnoreEntry('dist/\n', '.porter-tmp/'), 'dist/\n.porter-tmp/\n');
    for (const has of ['.porter-tmp\n', 'x\n/.porter-tmp/\n', '.porter-tmp/']) assert.equal(withIgnoreEntry(has, '.porter-tmp/'), undefined, has);
  });
});
