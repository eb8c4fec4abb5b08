import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { describePlan, formatPlan } from '../../src/cli/render-plan.js';
import { scopesFor } from '../../src/commands/build-hook.js';
import { makeLookup } from '../../src/config/expand.js';
import { parseConfigText } from '../../src/config/parse.js';
import { DOCKERFILE, removeTempRepos, tempRepo } from '../fixtures/config/temp-repo.js';

after(removeTempRepos);

const CONFIG = `service_name: svc
hooks:
  smoke:
  - name: first
    dockerfile: hooks/a/Dockerfile
    environment: {API_TOKEN: s3cr3t-value, FROM_HOST:}
    timeout: 90s
    retries: 2
  - name: left
    dockerfile: hooks/a/Dockerfile
    concurrent: true
    env_file: hooks/a.env
  - name: right
    repo: https://deploy:gh-token-123@git.example.com/org/plugins.git
    ref: v1.2.0
    dockerfile: notify/Dockerfile
    concurrent: true
    environment: [PLAIN=visible-value, PASSED]
  - name: cleanup
    dockerfile: hooks/a/Dockerfile
    run_condition: always
environments:
- name: Stage
  regions: [{name: us}, {name: eu}]
`;

async function plan(envName?: string) {
  const repo = await tempRepo({ 'hooks/a/Dockerfile': DOCKERFILE, 'hooks/a.env': 'X=1\n' });
  const config = await parseConfigText(CONFIG, '.porter/config', repo, makeLookup({}, {}));
  return describePlan(config, [{ list: 'smoke', scopes: scopesFor(config, envName) }]);
}

describe('describePlan', () => {
  it('lists steps with groups, run conditions, sources and environment keys', { timeout: 5000 }, async () => {
    const p = await plan('Stage');
    assert.equal(p.service, 'svc');
    const [list] = p.lists;
    assert.equal(list?.environment, 'Stage');
    assert.deepEqual(list?.regions, ['us', 'eu']);
    assert.deepEqual(list?.steps.map((s) => [s.concurrent, s.hooks.map((h) => `${h.hook}:${h.runCondition}`)]), [
      [false, ['first:pass']], [true, ['left:pass', 'right:pass']], [false, ['cleanup:always']],
    ]);
    const first = list?.steps[0]?.hooks[0];
    assert.deepEqual(first, { hook: 'first', dockerfile: 'hooks/a/Dockerfile', runCondition: 'pass', timeoutMs: 90_000, retries: 2, environmentKeys: ['API_TOKEN', 'FROM_HOST'] });
    const right = list?.steps[1]?.hooks[1];
    assert.equal(right?.repo, 'https://***@git.example.com/org/plugins.git');
    assert.equal(right?.ref, 'v1.2.0');
    assert.deepEqual(right?.environmentKeys, ['PLAIN', 'PASSED']);
    assert.equal(list?.steps[1]?.hooks[0]?.envFile, 'hooks/a.env');
  });

  it('never carries an environment value or a credential, as data or as text', { timeout: 5000 }, async () => {
    const p = await plan('Stage');
    for (const text of [JSON.stringify(p), formatPlan(p)]) {
      for (const secret of ['s3cr3t-value', 'visible-value', 'gh-token-123', 'deploy:']) assert.equal(text.includes(secret), false, `${secret} in ${text}`);
    }
  });

  it('prints regions, the concurrent group and each hook\'s source', { timeout: 5000 }, async () => {
    const text = formatPlan(await plan('Stage'));
    assert.match(text, /^smoke — once per region of Stage, concurrently: us, eu$/m);
    assert.match(text, /^ {2}2\. ┬ left {2}hooks\/a\/Dockerfile$/m);
    assert.match(text, /^ {5}└ right {2}https:\/\/\*\*\*@git\.example\.com\/org\/plugins\.git@v1\.2\.0:notify\/Dockerfile$/m);
    assert.match(text, /\(these 2 start together; the list waits for all\)/);
    assert.match(text, /run_condition: pass; timeout: 90s; retries: 2; environment: API_TOKEN, FROM_HOST/);
    assert.match(text, /^ {2}3\. cleanup .*\n {7}run_condition: always$/m);
  });

  it('runs once without a region when no environment is given', { timeout: 5000 }, async () => {
    const p = await plan(undefined);
    assert.deepEqual(p.lists[0]?.regions, []);
    assert.match(formatPlan(p), /^smoke$/m);
  });
});
